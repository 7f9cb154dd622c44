package io.srproxy.media.codec;

import club.minnced.opus.util.OpusLibrary;
import tomp2p.opuswrapper.Opus;

/** Loads libopus once from the opus-java natives jar (linux-x86-64 and others bundled). */
final class OpusNative {

    private static volatile Opus lib;

    private OpusNative() {}

    static Opus get() {
        Opus l = lib;
        if (l == null) {
            synchronized (OpusNative.class) {
                if (lib == null) {
                    try {
                        if (!OpusLibrary.isInitialized() && !OpusLibrary.loadFromJar()) {
                            throw new IllegalStateException("libopus is not available for this platform");
                        }
                    } catch (java.io.IOException e) {
                        throw new IllegalStateException("cannot load libopus: " + e.getMessage(), e);
                    }
                    lib = Opus.INSTANCE;
                }
                l = lib;
            }
        }
        return l;
    }
}
