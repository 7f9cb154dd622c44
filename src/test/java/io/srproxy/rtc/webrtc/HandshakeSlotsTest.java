package io.srproxy.rtc.webrtc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.srproxy.rtc.RtcException;
import java.net.InetSocketAddress;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Joins waiting for DTLS are bounded: one more is refused by name; a timed-out one frees its slot. */
class HandshakeSlotsTest {

    @Test
    void aJoinBeyondTheSlotsIsRefusedAndTheTimeoutFreesThem() throws Exception {
        AtomicLong clock = new AtomicLong(1_000_000_000L);
        CopyOnWriteArrayList<String> states = new CopyOnWriteArrayList<>();
        try (UdpMux mux = new UdpMux(new InetSocketAddress("127.0.0.1", 0), 1, clock::get);
             WebRtcEndpoint endpoint = new WebRtcEndpoint(mux, "127.0.0.1", 5000, 1, 2);
             JavaWebRtcPeer peer = new JavaWebRtcPeer()) {
            WebRtcTransport.StateListener listener = (t, s, r) -> states.add(s + " " + r);
            WebRtcEndpoint.Accepted first = endpoint.accept(peer.offer(), listener);
            endpoint.accept(peer.offer(), listener);
            assertThatThrownBy(() -> endpoint.accept(peer.offer(), listener))
                    .isInstanceOf(RtcException.class)
                    .hasMessageContaining("2 WebRTC handshakes in progress")
                    .satisfies(e -> assertThat(((RtcException) e).code()).isEqualTo("server-busy"));
            assertThat(endpoint.pendingHandshakes()).isEqualTo(2);

            first.transport().close();
            assertThat(endpoint.pendingHandshakes()).isEqualTo(1);
            endpoint.accept(peer.offer(), listener);

            clock.addAndGet(5_001_000_000L);
            mux.sweep(30_000_000_000L);
            assertThat(states).containsOnly("CLOSED closed", "FAILED dtls-timeout");
            assertThat(states).filteredOn(s -> s.equals("FAILED dtls-timeout")).hasSize(2);
            assertThat(endpoint.pendingHandshakes()).isZero();
            assertThat(endpoint.handshakeThreads()).isZero();
            assertThat(mux.sessions()).isZero();
        }
    }
}
