package io.srproxy.sip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.srproxy.sip.harness.FastForwardScheduler;
import io.srproxy.sip.harness.SipTestAgent;
import io.srproxy.sip.harness.SipTestAgent.TestCall;
import io.srproxy.sip.harness.Sipp;
import io.srproxy.testsupport.FreePorts;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * RFC 4028 session timers asked for by a caller (sipp, straight from 127.0.0.1 as the SIP server
 * would). The agent's timers run 30 times faster: the 90 s session lasts 3 s here.
 */
class SessionTimerTest {

    private static final long FACTOR = 30;

    private static SipTestAgent agent(FastForwardScheduler timers) {
        // the "server" is 127.0.0.1 on a port nobody uses: only its address matters (trust)
        SipSettings s = SipTestAgent.settings(FreePorts.tcpAndUdp(), "1000", "1234", "");
        SipTestAgent a = SipTestAgent.start(s, timers);
        a.onIncoming(c -> c.incoming().answer());
        return a;
    }

    @Test
    void withoutRefreshWeHangUpWhenTheSessionExpires() {
        FastForwardScheduler timers = new FastForwardScheduler(FACTOR);
        try (SipTestAgent a = agent(timers);
             Sipp caller = Sipp.uac("uac_session_expires.xml", "127.0.0.1", "127.0.0.1:" + a.agent().port(), "01086")) {
            caller.assertPassed(); // 200 had Session-Expires 90;refresher=uac and Require: timer; then our BYE came
            TestCall call = await().atMost(Duration.ofSeconds(10)).until(a.incoming::peek, c -> c != null && c.end != null);
            assertThat(call.end.cause()).isEqualTo(CallEnd.Cause.SESSION_EXPIRED);
        } finally {
            timers.shutdownNow();
        }
    }

    @Test
    void anUpdateRefreshesTheSession() {
        FastForwardScheduler timers = new FastForwardScheduler(FACTOR);
        long twoThirds = 60_000 / FACTOR; // 60 s of 90 s: refresh, then 60 s more (past the first expiry)
        try (SipTestAgent a = agent(timers);
             Sipp caller = Sipp.uac("uac_session_refreshed.xml", "127.0.0.1", "127.0.0.1:" + a.agent().port(), "01086",
                     "@HALF@", Long.toString(twoThirds))) {
            caller.assertPassed(); // its BYE got our 200: we had not hung up
            TestCall call = await().atMost(Duration.ofSeconds(10)).until(a.incoming::peek, c -> c != null && c.end != null);
            assertThat(call.end.cause()).isEqualTo(CallEnd.Cause.REMOTE_BYE);
        } finally {
            timers.shutdownNow();
        }
    }
}
