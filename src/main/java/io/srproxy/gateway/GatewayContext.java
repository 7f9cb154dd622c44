package io.srproxy.gateway;

import io.srproxy.config.RtxConfig;
import io.srproxy.rtc.ChannelRegistry;
import io.srproxy.rtm.RtmService;
import io.srproxy.sip.SipAgent;
import java.time.Clock;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;

/**
 * What every bridged call needs from the rest of srproxy; {@code live} holds the calls not yet
 * ended, so that a shutdown can hang each one up; {@code identities} the per-call RTM uids in use (unique cluster-wide through {@code cluster}).
 */
record GatewayContext(RtxConfig config, DialPlan plan, RtmService rtm, SipAgent sip, ChannelRegistry channels,
                      CallLog calls, ExecutorService pool, ScheduledExecutorService timers, Clock clock,
                      Set<BridgedCall> live, java.util.concurrent.atomic.LongAdder refusedCalls,
                      CallIdentities identities, GatewayCluster cluster) {

    /** {@code [limits] max_calls} bridged calls are in progress; a new one is refused and counted. */
    boolean atCallLimit() {
        if (live.size() >= config.limits().maxCalls()) {
            refusedCalls.increment();
            return true;
        }
        return false;
    }
}
