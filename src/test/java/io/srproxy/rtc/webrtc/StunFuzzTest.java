package io.srproxy.rtc.webrtc;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * Any datagram on the media port goes through the STUN reader the way UdpMux reads a binding
 * request: nothing may throw, every attribute found lies inside the message, and what
 * StunWriter writes from the parsed values reads back the same.
 */
class StunFuzzTest {

    private static final byte[] KEY = "fuzz-ice-password".getBytes(StandardCharsets.UTF_8);

    @FuzzTest(maxDuration = "5s")
    void fuzz(byte[] datagram) {
        int off = datagram.length > 0 ? datagram[0] & 3 : 0; // packets need not start at index 0
        byte[] b = new byte[datagram.length + off];
        System.arraycopy(datagram, 0, b, off, datagram.length);
        int len = datagram.length;
        if (!Stun.isStun(b, off, len)) {
            return;
        }
        int end = off + Stun.HEADER_LENGTH + Stun.messageLength(b, off);
        assertThat(end).isLessThanOrEqualTo(off + len);
        Stun.messageType(b, off);
        String username = Stun.username(b, off, len);
        Stun.checkFingerprint(b, off, len);
        Stun.checkIntegrity(b, off, len, KEY);
        for (int type : new int[] {Stun.ATTR_USE_CANDIDATE, Stun.ATTR_PRIORITY, Stun.ATTR_ICE_CONTROLLING,
                Stun.ATTR_MESSAGE_INTEGRITY, Stun.ATTR_FINGERPRINT, Stun.ATTR_XOR_MAPPED_ADDRESS}) {
            int a = Stun.findAttribute(b, off, len, type);
            if (a >= 0) {
                assertThat(a + 4 + Stun.attributeLength(b, a)).as("attribute 0x%04x inside the message", type)
                        .isLessThanOrEqualTo(end);
            }
        }
        InetSocketAddress mapped = Stun.xorMappedAddress(b, off, len);

        // what we would answer with re-reads as written
        byte[] out = new byte[2048];
        StunWriter w = new StunWriter(out, 0, Stun.BINDING_SUCCESS, b, off + 8);
        if (username != null && username.length() <= 256) {
            w.username(username);
        }
        if (mapped != null) {
            w.xorMappedAddress(mapped);
        }
        int n = w.integrity(KEY).fingerprint().length();
        assertThat(Stun.isStun(out, 0, n)).isTrue();
        assertThat(Stun.checkIntegrity(out, 0, n, KEY)).isTrue();
        assertThat(Stun.checkFingerprint(out, 0, n)).isTrue();
        if (mapped != null) {
            assertThat(Stun.xorMappedAddress(out, 0, n)).isEqualTo(mapped);
        }
    }
}
