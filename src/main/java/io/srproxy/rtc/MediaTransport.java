package io.srproxy.rtc;

import io.srproxy.media.MediaKind;
import io.srproxy.media.PayloadFormat;
import java.util.List;
import java.util.Optional;

/**
 * How a member's media enters and leaves srproxy: WebRTC (ICE-lite, DTLS-SRTP on the shared
 * port) for apps, plain RTP for SIP legs. The router sees only this.
 */
public interface MediaTransport extends AutoCloseable {

    /** Spare bytes after a packet in any buffer handed to {@link #sendRtp}/{@link #sendRtcp}. */
    int TRAILER_ROOM = 32;

    /** Where this transport's received packets go; replaced when the member's peer changes. */
    void setHandler(PacketHandler handler);

    /** Sends one plain RTP packet; the transport may encrypt it in place (using the trailer room). */
    void sendRtp(byte[] buf, int off, int len);

    void sendRtcp(byte[] buf, int off, int len);

    /** Negotiated codecs, preferred first, with this transport's payload types. */
    List<PayloadFormat> codecs();

    /** The SSRC this transport sends for {@code kind} (announced in its SDP). */
    long sendSsrc(MediaKind kind);

    default Optional<PayloadFormat> codecFor(int payloadType) {
        for (PayloadFormat c : codecs()) {
            if (c.payloadType() == payloadType) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }

    /** The first negotiated codec of {@code kind}, if any. */
    default Optional<PayloadFormat> preferred(MediaKind kind) {
        return codecs().stream().filter(c -> c.kind() == kind).findFirst();
    }

    /**
     * {@code ssrc}, one this transport sent with, will not be used again (an m-line's stream got a
     * new SSRC): per-SSRC sending state (SRTP contexts) may go.
     */
    default void retireSendSsrc(long ssrc) {}

    /** The header extensions negotiated for what we receive (none for plain RTP); may change on renegotiation. */
    default RtpExtensions receivedExtensions() {
        return RtpExtensions.NONE;
    }

    /**
     * False when what is sent must carry no RTP header extension: plain RTP to SIP legs, which
     * negotiated none (a browser's audio level would otherwise reach the phone as it is).
     */
    default boolean takesHeaderExtensions() {
        return true;
    }

    /**
     * True for a plain RTP peer (a SIP leg): one audio stream, so in a group it hears the
     * conference mix rather than each member.
     */
    default boolean plainRtp() {
        return false;
    }

    /** A short description for logs, e.g. "webrtc 127.0.0.1:50000". */
    String describe();

    @Override
    void close();
}
