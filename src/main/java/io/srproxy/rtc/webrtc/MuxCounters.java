package io.srproxy.rtc.webrtc;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** What the shared UDP port received and dropped, by reason; cheap to bump from any I/O thread. */
public final class MuxCounters {

    /** RTP to and from the WebRTC members (rtpIn below is its packetsIn). */
    public final io.srproxy.media.MediaCounters media = new io.srproxy.media.MediaCounters();

    public final LongAdder datagrams = new LongAdder();
    public final LongAdder garbage = new LongAdder();
    public final LongAdder stunChecks = new LongAdder();
    public final LongAdder stunUnknownUser = new LongAdder();
    public final LongAdder stunBadIntegrity = new LongAdder();
    public final LongAdder stunBadFingerprint = new LongAdder();
    public final LongAdder stunForeignSource = new LongAdder();
    public final LongAdder dtlsUnknownAddress = new LongAdder();
    public final LongAdder srtpUnknownAddress = new LongAdder();
    public final LongAdder srtpBeforeKeys = new LongAdder();
    public final LongAdder srtpAuthFailed = new LongAdder();
    public final LongAdder srtpReplayed = new LongAdder();
    public final LongAdder srtpOtherFailure = new LongAdder();
    public final LongAdder rtcpIn = new LongAdder();
    public final LongAdder sendErrors = new LongAdder();

    /** Every counter by name, for /healthz, metrics and tests. */
    public Map<String, Long> snapshot() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("datagrams", datagrams.sum());
        m.put("garbage", garbage.sum());
        m.put("stunChecks", stunChecks.sum());
        m.put("stunUnknownUser", stunUnknownUser.sum());
        m.put("stunBadIntegrity", stunBadIntegrity.sum());
        m.put("stunBadFingerprint", stunBadFingerprint.sum());
        m.put("stunForeignSource", stunForeignSource.sum());
        m.put("dtlsUnknownAddress", dtlsUnknownAddress.sum());
        m.put("srtpUnknownAddress", srtpUnknownAddress.sum());
        m.put("srtpBeforeKeys", srtpBeforeKeys.sum());
        m.put("srtpAuthFailed", srtpAuthFailed.sum());
        m.put("srtpReplayed", srtpReplayed.sum());
        m.put("srtpOtherFailure", srtpOtherFailure.sum());
        m.put("rtpIn", media.packetsIn.sum());
        m.put("rtcpIn", rtcpIn.sum());
        m.put("sendErrors", sendErrors.sum());
        return m;
    }
}
