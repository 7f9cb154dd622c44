package io.srproxy.rtc;

/**
 * Receives a transport's plain (decrypted) RTP and RTCP on the I/O thread that read it. The
 * buffer belongs to that thread and has {@link MediaTransport#TRAILER_ROOM} spare bytes after
 * the packet, so a handler may rewrite it in place and send it on; it must not keep it.
 */
public interface PacketHandler {

    void onRtp(byte[] buf, int off, int len);

    void onRtcp(byte[] buf, int off, int len);

    PacketHandler NONE = new PacketHandler() {
        @Override
        public void onRtp(byte[] buf, int off, int len) {}

        @Override
        public void onRtcp(byte[] buf, int off, int len) {}
    };
}
