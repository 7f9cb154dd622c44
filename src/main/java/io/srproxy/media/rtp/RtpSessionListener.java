package io.srproxy.media.rtp;

import java.net.InetSocketAddress;

/** Media events of an {@link RtpSession}; called on the I/O or timer thread, so return quickly. */
public interface RtpSessionListener {

    /** No RTP arrived for the configured time (once, until media flows again). */
    default void onNoMedia(long silentMillis) {}

    /** An RFC 4733 event ended (reported once per event). */
    default void onTelephoneEvent(char digit, int durationMillis) {}

    /** Symmetric RTP: the peer sends from another address than it announced; we now send there. */
    default void onLatched(InetSocketAddress from) {}

    /** An RTCP SR or RR arrived. */
    default void onRtcp(Rtcp.Report report) {}
}
