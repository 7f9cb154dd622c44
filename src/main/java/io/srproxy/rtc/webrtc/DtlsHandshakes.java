package io.srproxy.rtc.webrtc;

import java.security.SecureRandom;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;

/**
 * What the DTLS-SRTP SIP legs of one agent share: our certificate (made once, its fingerprint in
 * every SDP), the handshake threads (BouncyCastle's handshake blocks one, so a small pool with a
 * bounded queue; a leg that finds it full fails at once) and the timer that ends handshakes that
 * are not done in time.
 */
public final class DtlsHandshakes implements AutoCloseable {

    private static final AtomicInteger POOLS = new AtomicInteger();

    private final BcTlsCrypto crypto = new BcTlsCrypto(new SecureRandom());
    private final DtlsCertificate identity = DtlsCertificate.generate(crypto, "srproxy-sip");
    private final ThreadPoolExecutor pool;
    private final ScheduledExecutorService timers;
    private final int timeoutMillis;

    /** @param threads handshake threads; {@code queued} more legs wait for one, beyond that they fail */
    public DtlsHandshakes(ScheduledExecutorService timers, int timeoutMillis, int threads, int queued) {
        this.timers = timers;
        this.timeoutMillis = timeoutMillis;
        String name = "sip-dtls-" + POOLS.incrementAndGet();
        this.pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(queued), r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
        pool.allowCoreThreadTimeOut(true); // no call in handshake: no thread held
    }

    /** Our a=fingerprint value: {@code sha-256 AB:CD:...}. */
    public String fingerprint() {
        return "sha-256 " + identity.fingerprint();
    }

    public int timeoutMillis() {
        return timeoutMillis;
    }

    /**
     * A leg's DTLS-SRTP in {@code role}, checking the peer's certificate against
     * {@code peerFingerprint} (its a=fingerprint value); nothing runs until {@link DtlsSrtpLeg#begin}.
     */
    public DtlsSrtpLeg open(DtlsSrtpLeg.Role role, String peerFingerprint, boolean rtcpMux, DtlsSrtpLeg.Sender sender,
                            DtlsSrtpLeg.Listener listener) {
        return new DtlsSrtpLeg(this, role, peerFingerprint, rtcpMux, sender, listener);
    }

    BcTlsCrypto crypto() {
        return crypto;
    }

    DtlsCertificate identity() {
        return identity;
    }

    ThreadPoolExecutor pool() {
        return pool;
    }

    ScheduledExecutorService timers() {
        return timers;
    }

    /** Handshakes running or waiting for a thread. */
    public int busy() {
        return pool.getActiveCount() + pool.getQueue().size();
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
