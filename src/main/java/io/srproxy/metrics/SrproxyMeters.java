package io.srproxy.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.srproxy.gateway.CallLog;
import io.srproxy.gateway.CallRecord;
import io.srproxy.media.MediaCounters;
import io.srproxy.rtc.RtcService;
import io.srproxy.rtm.InvitationOutcomes;
import io.srproxy.rtm.LocalInvitationFailureReason;
import io.srproxy.rtm.RtmService;
import io.srproxy.sip.RegistrationState;
import io.srproxy.sip.SipAgent;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.ToDoubleFunction;

/**
 * srproxy's own meters on the Prometheus registry, read from the services when scraped (no work on
 * the call or packet path): users online, calls by direction, registrations by state, channels,
 * and the media path's counters.
 */
public final class SrproxyMeters {

    private SrproxyMeters() {}

    public static void register(MeterRegistry registry, RtmService rtm, RtcService rtc, CallLog calls,
                                Optional<SipAgent> sip) {
        Gauge.builder("srproxy.rtm.users.online", rtm, RtmService::onlineCount)
                .description("RTM users logged in").register(registry);
        Gauge.builder("srproxy.rtm.channels", rtm, RtmService::channelCount)
                .description("RTM channels with members").register(registry);
        Gauge.builder("srproxy.rtc.channels", rtc, r -> r.channels().size())
                .description("RTC channels with members").register(registry);
        Gauge.builder("srproxy.rtc.webrtc.sessions", rtc, r -> r.mux().sessions())
                .description("WebRTC transports on the media port").register(registry);
        for (Map.Entry<String, Long> e : rtc.mux().counters().snapshot().entrySet()) {
            String name = e.getKey();
            FunctionCounter.builder("srproxy.rtc.mux." + name, rtc, r -> r.mux().counters().snapshot().getOrDefault(name, 0L))
                    .description("media port: " + name).register(registry);
        }
        registerInvitations(registry, rtm.invitationOutcomes());
        registerMedia(registry, "webrtc", rtc.mux().counters().media);
        FunctionCounter.builder("srproxy.media.unexpected.errors", rtc, r -> r.mux().unexpectedErrors()).tag("leg", "webrtc")
                .register(registry);
        Gauge.builder("srproxy.rtc.channels.transcoding", rtc, r -> r.channels().transcoding())
                .description("channels whose audio is transcoded (Opus <-> G.711)").register(registry);
        FunctionCounter.builder("srproxy.rtc.transcoding.started", rtc, r -> r.channels().transcodingStarted())
                .description("member pairs wired with a transcoder").register(registry);
        Gauge.builder("srproxy.rtc.channels.passthrough", rtc, r -> r.channels().passthrough())
                .description("channels whose audio is forwarded as it is both ways (G.711/G.722 passthrough, Opus)")
                .register(registry);
        FunctionCounter.builder("srproxy.rtc.passthrough.started", rtc, r -> r.channels().passthroughStarted())
                .description("member pairs wired with audio forwarded as it is both ways").register(registry);
        Gauge.builder("srproxy.rtc.mixers", rtc, r -> r.channels().workers().mixerClock().liveMixers())
                .description("conference mixers running (channels with a phone among three or more members)")
                .register(registry);
        FunctionCounter.builder("srproxy.rtc.transcoding.frames.dropped", rtc, r -> r.channels().workers().droppedFrames())
                .description("audio frames dropped, oldest first, because a call's transcoding worker was behind")
                .register(registry);
        for (CallRecord.Direction d : CallRecord.Direction.values()) {
            String dir = d.name().toLowerCase();
            Gauge.builder("srproxy.calls.active", calls, c -> c.active().stream().filter(r -> r.direction() == d).count())
                    .tag("direction", dir).description("bridged calls in progress").register(registry);
            FunctionCounter.builder("srproxy.calls", calls, c -> c.stats().byDirection().getOrDefault(d, 0L))
                    .tag("direction", dir).description("bridged calls started").register(registry);
        }
        Timer setup = Timer.builder("srproxy.call.setup").description("from the invitation or INVITE to the answer")
                .publishPercentileHistogram().register(registry);
        calls.onAnswered(r -> r.answeredAt().ifPresent(at -> setup.record(java.time.Duration.between(r.startedAt(), at))));
        counter(registry, "srproxy.calls.answered", calls, c -> c.stats().answered());
        counter(registry, "srproxy.calls.failed", calls, c -> c.stats().failed());
        sip.ifPresent(agent -> {
            for (RegistrationState s : RegistrationState.values()) {
                Gauge.builder("srproxy.sip.registrations", agent,
                                a -> a.registrations().stream().filter(r -> r.state() == s).count())
                        .tag("state", s.name().toLowerCase()).description("SIP registrations by state").register(registry);
            }
            Gauge.builder("srproxy.sip.calls.active", agent, SipAgent::activeCalls).register(registry);
            Gauge.builder("srproxy.sip.rtp.ports.in.use", agent, SipAgent::rtpPortsInUse).register(registry);
            Gauge.builder("srproxy.sip.tcp.connections", agent, SipAgent::openTcpConnections)
                    .description("SIP TCP connections accepted and open").register(registry);
            registerMedia(registry, "sip", agent.rtpMedia());
            FunctionCounter.builder("srproxy.rtp.stray.dropped", agent, SipAgent::rtpStrayDropped)
                    .description("SIP-leg RTP/RTCP from another source than the call's peer, dropped").register(registry);
            FunctionCounter.builder("srproxy.media.unexpected.errors", agent, SipAgent::rtpUnexpectedErrors).tag("leg", "sip")
                    .description("exceptions on the media receive path (bugs; each dropped its packet)").register(registry);
            FunctionCounter.builder("srproxy.sip.refused", agent, SipAgent::refusedUntrusted).tag("reason", "untrusted")
                    .description("SIP messages and TCP connections refused: 403s and closed connections to untrusted"
                            + " sources, drops over the per-source rate, stray responses, TCP limits, oversized messages")
                    .register(registry);
            FunctionCounter.builder("srproxy.sip.refused", agent, SipAgent::refusedRate).tag("reason", "rate")
                    .register(registry);
            FunctionCounter.builder("srproxy.sip.refused", agent, SipAgent::refusedStrayResponses)
                    .tag("reason", "stray-response").register(registry);
            FunctionCounter.builder("srproxy.sip.refused", agent, SipAgent::refusedTcpConnections)
                    .tag("reason", "tcp-limit").register(registry);
            FunctionCounter.builder("srproxy.sip.refused", agent, SipAgent::refusedTooLarge)
                    .tag("reason", "too-large").register(registry);
        });
    }

    /** Requests refused by the protective limits, by reason. */
    public static void registerRefusals(MeterRegistry registry, io.srproxy.rtm.ws.RtmWebSocket rtm,
                                        Optional<io.srproxy.gateway.Gateway> gateway) {
        FunctionCounter.builder("srproxy.refused", rtm, io.srproxy.rtm.ws.RtmWebSocket::refusedConnections)
                .tag("reason", "max_connections").description("requests refused by a limit").register(registry);
        FunctionCounter.builder("srproxy.refused", rtm, io.srproxy.rtm.ws.RtmWebSocket::rateLimited)
                .tag("reason", "max_requests_per_second").register(registry);
        gateway.ifPresent(g -> FunctionCounter.builder("srproxy.refused", g, io.srproxy.gateway.Gateway::refusedCalls)
                .tag("reason", "max_calls").register(registry));
    }

    /** /rtc connections and joins refused by the [limits] rtc_* keys. */
    public static void registerRtcRefusals(MeterRegistry registry, io.srproxy.rtc.ws.RtcWebModule rtc) {
        FunctionCounter.builder("srproxy.refused", rtc, io.srproxy.rtc.ws.RtcWebModule::refusedConnections)
                .tag("reason", "rtc_max_connections").register(registry);
        FunctionCounter.builder("srproxy.refused", rtc, io.srproxy.rtc.ws.RtcWebModule::rateLimitedJoins)
                .tag("reason", "rtc_joins_per_second").register(registry);
    }

    private static void registerInvitations(MeterRegistry registry, InvitationOutcomes outcomes) {
        for (InvitationOutcomes.Outcome o : InvitationOutcomes.Outcome.values()) {
            FunctionCounter.builder("srproxy.rtm.invitations", outcomes, x -> x.count(o))
                    .tag("outcome", o.name().toLowerCase(Locale.ROOT))
                    .description("call invitations ended, by outcome as the caller saw it").register(registry);
        }
        for (LocalInvitationFailureReason r : LocalInvitationFailureReason.values()) {
            if (r != LocalInvitationFailureReason.OK) {
                FunctionCounter.builder("srproxy.rtm.invitation.failures", outcomes, x -> x.failures(r))
                        .tag("reason", r.name().toLowerCase(Locale.ROOT))
                        .description("failed call invitations by reason").register(registry);
            }
        }
    }

    /** RTP of one kind of leg; in = received by srproxy, out = sent by it. */
    private static void registerMedia(MeterRegistry registry, String leg, MediaCounters m) {
        FunctionCounter.builder("srproxy.media.packets", m, x -> x.packetsIn.sum()).tags("leg", leg, "direction", "in")
                .description("RTP packets").register(registry);
        FunctionCounter.builder("srproxy.media.packets", m, x -> x.packetsOut.sum()).tags("leg", leg, "direction", "out")
                .register(registry);
        FunctionCounter.builder("srproxy.media.bytes", m, x -> x.bytesIn.sum()).tags("leg", leg, "direction", "in")
                .description("RTP bytes as on the wire").register(registry);
        FunctionCounter.builder("srproxy.media.bytes", m, x -> x.bytesOut.sum()).tags("leg", leg, "direction", "out")
                .register(registry);
        FunctionCounter.builder("srproxy.media.packets.lost", m, x -> x.lost.sum()).tag("leg", leg)
                .description("received RTP skipped by sequence number").register(registry);
        FunctionCounter.builder("srproxy.media.packets.late", m, x -> x.late.sum()).tag("leg", leg)
                .description("received RTP older than the newest (counted lost before): net loss = lost - late")
                .register(registry);
    }

    private static <T> void counter(MeterRegistry registry, String name, T obj, ToDoubleFunction<T> f) {
        FunctionCounter.builder(name, obj, f).register(registry);
    }
}
