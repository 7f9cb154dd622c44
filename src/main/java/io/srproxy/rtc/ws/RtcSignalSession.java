package io.srproxy.rtc.ws;

import io.srproxy.concurrent.SerialExecutor;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.srproxy.auth.LoginPolicy;
import io.srproxy.auth.LoginRefused;
import io.srproxy.ids.Identifiers;
import io.srproxy.log.LogSafe;
import io.srproxy.log.ThrottledLog;
import io.srproxy.media.MediaKind;
import io.srproxy.rtc.Channel;
import io.srproxy.rtc.ChannelRegistry;
import io.srproxy.rtc.RtcEvent;
import io.srproxy.rtc.RtcException;
import io.srproxy.rtc.RtcService;
import io.srproxy.rtc.webrtc.WebRtcEndpoint;
import io.srproxy.rtc.webrtc.WebRtcTransport;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One /rtc WebSocket: at most one channel membership with one WebRTC transport. Everything it
 * does (requests, channel events, transport state) runs on its own serial executor, so replies
 * and events leave in order and no lock is shared with the media path.
 */
final class RtcSignalSession {

    private static final Logger log = LoggerFactory.getLogger(RtcSignalSession.class);

    /** Refusals a stranger can repeat at will, shared by every session: logged throttled. */
    static final class Refusals {
        final ThrottledLog rateLimited;
        final ThrottledLog badNames;

        Refusals(Logger log) {
            rateLimited = new ThrottledLog(log);
            badNames = new ThrottledLog(log);
        }
    }

    private final RtcService rtc;
    private final String appId;
    private final LoginPolicy joinPolicy;
    private final ObjectMapper json;
    private final Consumer<String> out;
    private final SerialExecutor serial;
    private String channel;
    private String uid;
    private WebRtcTransport transport;
    private boolean multistream;
    private List<io.srproxy.rtc.Member.Want> wants = List.of();
    /** Several nodes: a join waits for its channel's placement; frames that come meanwhile wait too (bounded). */
    private boolean placing;
    private final java.util.ArrayDeque<String> waiting = new java.util.ArrayDeque<>();
    static final int MAX_WAITING_FRAMES = 16;
    /** Set when the client joined with "codecSwitch": it re-offers on "renegotiate" to switch its audio codec. */
    private AudioSwitchAdvice audioSwitch;
    /** The volume indicator's reader and its periodic report (null until the client asks for it). */
    private io.srproxy.rtc.AudioLevels levels;
    private java.util.concurrent.ScheduledFuture<?> volumeReports;

    /** The server side of the client's WebSocket: the address it reached us at (null when unknown). */
    private final java.net.InetAddress signallingLocal;
    /** One more join from this client's source address within [limits] rtc_joins_per_second? */
    private final BooleanSupplier joinAdmitted;
    /** The client's address, for logs (null when unknown). */
    private final java.net.SocketAddress source;
    private final int joinsPerSecond;
    private final Refusals refusals;

    RtcSignalSession(RtcService rtc, String appId, LoginPolicy joinPolicy, ObjectMapper json, Consumer<String> out,
                     Executor pool, java.net.InetAddress signallingLocal) {
        this(rtc, appId, joinPolicy, json, out, pool, signallingLocal, null, () -> true, Integer.MAX_VALUE,
                new Refusals(log));
    }

    RtcSignalSession(RtcService rtc, String appId, LoginPolicy joinPolicy, ObjectMapper json, Consumer<String> out,
                     Executor pool, java.net.InetAddress signallingLocal, java.net.SocketAddress source,
                     BooleanSupplier joinAdmitted,
                     int joinsPerSecond, Refusals refusals) {
        this.source = source;
        this.joinAdmitted = joinAdmitted;
        this.joinsPerSecond = joinsPerSecond;
        this.refusals = refusals;
        this.signallingLocal = signallingLocal;
        this.rtc = rtc;
        this.appId = appId;
        this.joinPolicy = joinPolicy;
        this.json = json;
        this.out = out;
        this.serial = new SerialExecutor(pool);
    }

    void onText(String text) {
        serial.execute(() -> {
            if (!placing) {
                handle(text);
            } else if (waiting.size() < MAX_WAITING_FRAMES) {
                waiting.add(text);
            } else {
                send(new RtcMessages.Error("?", "bad-request", "more than " + MAX_WAITING_FRAMES
                        + " requests sent while a join waits for its channel's node; wait for the join's answer"));
            }
        });
    }

    void onClosed() {
        serial.execute(() -> {
            closed = true;
            leave("closed", false);
        });
    }

    private boolean closed;

    private void handle(String text) {
        RtcMessages.Request req;
        try {
            req = json.readValue(text, RtcMessages.Request.class);
        } catch (JsonProcessingException e) {
            send(new RtcMessages.Error("?", "bad-json", "not a JSON object of the /rtc protocol: " + e.getOriginalMessage()));
            return;
        }
        String type = req.type() == null ? "" : req.type();
        try {
            switch (type) {
                case "join" -> join(req);
                case "leave" -> {
                    leave("leave", true);
                    send(new RtcMessages.Left());
                }
                case "publish", "unpublish" -> joinedChannel().publish(uid, kind(req), type.equals("publish"));
                case "mute" -> joinedChannel().mute(uid, kind(req), Boolean.TRUE.equals(req.muted()));
                case "offer" -> renegotiate(req);
                case "enableAudioVolumeIndicator" -> enableVolumeIndicator(req);
                case "setRemoteVideoStreamType" -> setRemoteVideoStreamType(req);
                default -> throw new RtcException("bad-request", "unknown request type '" + type + "'");
            }
        } catch (RtcException e) {
            send(new RtcMessages.Error(type, e.code(), e.getMessage()));
        } catch (IllegalArgumentException e) {
            send(new RtcMessages.Error(type, "bad-request", e.getMessage()));
        }
    }

    private void join(RtcMessages.Request req) {
        if (!joinAdmitted.getAsBoolean()) {
            refusals.rateLimited.warn("/rtc join from {} refused: over [limits] rtc_joins_per_second",
                    LogSafe.of(source));
            throw new RtcException("rate-limited", "more than " + joinsPerSecond
                    + " joins in one second from this address ([limits] rtc_joins_per_second); try again shortly");
        }
        if (channel != null) {
            throw new RtcException("already-joined", "already in channel " + channel + "; leave first");
        }
        if (req.appId() == null || !req.appId().equals(appId)) {
            throw new RtcException("bad-app-id", "unknown appId '" + req.appId() + "'");
        }
        try {
            ChannelRegistry.validateChannelId(req.channel());
            String uidProblem = Identifiers.uidProblem("uid", req.uid());
            if (uidProblem != null) {
                throw new RtcException("bad-uid", uidProblem);
            }
        } catch (RtcException e) {
            // the values themselves are never logged raw: they may carry line breaks
            refusals.badNames.warn("/rtc join from {} refused: {} (uid {}, channel {})", LogSafe.of(source), e.getMessage(),
                    LogSafe.of(req.uid(), 80), LogSafe.of(req.channel(), 80));
            throw e;
        }
        checkPolicy(req);
        java.util.concurrent.CompletableFuture<io.srproxy.rtc.ChannelPlacement.Owner> owner =
                rtc.channels().placement().claim(req.channel()).toCompletableFuture();
        if (owner.isDone()) {
            placed(req, owner.getNow(null));
            return;
        }
        placing = true;
        owner.whenComplete((o, e) -> serial.execute(() -> {
            placing = false;
            try {
                if (closed) {
                    return;
                }
                try {
                    placed(req, o);
                } catch (RtcException ex) {
                    send(new RtcMessages.Error("join", ex.code(), ex.getMessage()));
                } catch (IllegalArgumentException ex) {
                    send(new RtcMessages.Error("join", "bad-request", ex.getMessage()));
                }
            } finally {
                while (!placing && !waiting.isEmpty()) {
                    handle(waiting.poll());
                }
            }
        }));
    }

    /**
     * The channel's node is known: another node's gets the client a {@code redirect} to it (the SDK
     * joins there); this node's, the join goes on.
     */
    private void placed(RtcMessages.Request req, io.srproxy.rtc.ChannelPlacement.Owner owner) {
        if (owner != null) {
            log.debug("rtc join of {} to {}: the channel is at node {}", LogSafe.of(req.uid()), LogSafe.of(req.channel()),
                    LogSafe.of(owner.node()));
            send(new RtcMessages.Redirect(req.channel(), owner.node(), owner.url()));
            return;
        }
        try {
            joinHere(req);
        } catch (RuntimeException e) {
            if (rtc.channels().channel(req.channel()).isEmpty()) {
                rtc.channels().placement().released(req.channel()); // claimed for this join only
            }
            throw e;
        }
    }

    private void joinHere(RtcMessages.Request req) {
        boolean multi = Boolean.TRUE.equals(req.multistream());
        WebRtcEndpoint.Accepted accepted = rtc.webrtc().accept(req.sdp(), this::onTransportState,
                rtc.candidatesFor(signallingLocal), rtc.audioToMatch(req.channel()), multi);
        ChannelRegistry.Joined joined;
        try {
            joined = rtc.channels().join(req.channel(), req.uid(), accepted.transport(),
                    event -> serial.execute(() -> onEvent(event)), multi);
        } catch (RuntimeException e) {
            accepted.transport().close();
            throw e;
        }
        channel = req.channel();
        uid = req.uid();
        transport = accepted.transport();
        multistream = multi;
        wants = List.of();
        audioSwitch = Boolean.TRUE.equals(req.codecSwitch()) ? AudioSwitchAdvice.of(req.sdp()) : null;
        List<RtcMessages.UserState> users = joined.others().stream()
                .map(m -> new RtcMessages.UserState(m.uid(), m.audio(), m.video())).toList();
        send(new RtcMessages.Joined(channel, uid, accepted.answerSdp(), users));
        send(new RtcMessages.ConnectionState("CONNECTING", "join"));
    }

    /**
     * A multistream client's new offer: its subscriptions (which m-line carries which member's
     * audio or video) replace the previous ones, and the answer gives each its SSRC. When the
     * offer does not fit, the previous subscriptions stay.
     */
    private void renegotiate(RtcMessages.Request req) {
        Channel ch = joinedChannel();
        if (!multistream && audioSwitch == null) {
            throw new RtcException("bad-request", "renegotiation needs a join with \"multistream\":true or \"codecSwitch\":true");
        }
        if (req.sdp() == null) {
            throw new RtcException("bad-sdp", "the offer is empty");
        }
        List<io.srproxy.media.PayloadFormat> toMatch = audioSwitch == null ? List.of() : rtc.audioToMatch(channel, uid);
        if (!multistream) {
            if (req.subscriptions() != null && !req.subscriptions().isEmpty()) {
                throw new RtcException("bad-request", "subscriptions need a join with \"multistream\":true");
            }
            io.srproxy.rtc.webrtc.WebRtcEndpoint.Renegotiated r = rtc.webrtc().renegotiate(transport, req.sdp(),
                    java.util.Map.of(), rtc.candidatesFor(signallingLocal), toMatch, false);
            audioSwitched(ch, r);
            send(new RtcMessages.Answer(r.answerSdp(), List.of()));
            return;
        }
        List<RtcMessages.Subscription> asked = req.subscriptions() == null ? List.of() : req.subscriptions();
        if (asked.size() > 2 * (ch.maxMembers() - 1)) {
            throw new RtcException("too-many-subscriptions", "at most " + 2 * (ch.maxMembers() - 1) + " subscriptions");
        }
        List<io.srproxy.rtc.Member.Want> next = new java.util.ArrayList<>();
        for (RtcMessages.Subscription s : asked) {
            if (s == null || s.mediaType() == null) {
                throw new RtcException("bad-request", "a subscription needs mid, uid and mediaType");
            }
            next.add(new io.srproxy.rtc.Member.Want(s.mid(), MediaKind.fromName(s.mediaType()), s.uid()));
        }
        List<io.srproxy.rtc.Member.Subscription> granted = ch.subscribe(uid, next);
        io.srproxy.rtc.webrtc.WebRtcEndpoint.Renegotiated answer;
        try {
            java.util.Map<String, io.srproxy.rtc.webrtc.SdpAnswer.Send> sending = new java.util.HashMap<>();
            for (io.srproxy.rtc.Member.Subscription g : granted) {
                String stream = msidToken(g.sourceUid()) ? g.sourceUid() : "member-" + g.mid();
                sending.put(g.mid(), new io.srproxy.rtc.webrtc.SdpAnswer.Send(g.ssrc(), stream,
                        g.kind().sdpName() + "-" + g.mid()));
            }
            answer = rtc.webrtc().renegotiate(transport, req.sdp(), sending, rtc.candidatesFor(signallingLocal),
                    toMatch, true);
        } catch (RuntimeException e) {
            ch.rollbackSubscribe(uid);
            throw e;
        }
        wants = List.copyOf(next);
        audioSwitched(ch, answer);
        send(new RtcMessages.Answer(answer.answerSdp(), granted.stream().map(g -> new RtcMessages.Subscription(g.mid(),
                g.sourceUid(), g.kind().sdpName(), g.ssrc())).toList()));
    }

    /** After a re-offer moved this client's audio to another codec: its routes are rebuilt (forwarding now). */
    private void audioSwitched(Channel ch, io.srproxy.rtc.webrtc.WebRtcEndpoint.Renegotiated r) {
        if (r.audioSwitched()) {
            ch.codecsChanged(uid);
            log.info("channel {}: {} switched its audio to {}", LogSafe.of(channel), LogSafe.of(uid),
                    transport.preferred(MediaKind.AUDIO).map(io.srproxy.media.PayloadFormat::name).orElse("?"));
        }
    }

    /** A member joined or published: ask a codecSwitch client to re-offer when it could take that member's audio as it is. */
    private void adviseAudioSwitch() {
        if (audioSwitch == null || transport == null) {
            return;
        }
        if (rtc.channels().channel(channel).map(Channel::mixing).orElse(false)) {
            return; // a phone in a group: the conference mixer decodes every app's audio anyway
        }
        String codec = audioSwitch.next(rtc.audioToMatch(channel, uid), transport.preferred(MediaKind.AUDIO));
        if (codec != null) {
            send(new RtcMessages.Renegotiate(codec));
        }
    }

    /** Volume reports every {@code interval} ms (default 2000, at least 200): one now, then periodically. */
    private void enableVolumeIndicator(RtcMessages.Request req) {
        joinedChannel();
        int interval = req.interval() == null ? DEFAULT_VOLUME_INTERVAL_MS : req.interval();
        if (interval < MIN_VOLUME_INTERVAL_MS || interval > 60_000) {
            throw new RtcException("bad-request", "interval must be " + MIN_VOLUME_INTERVAL_MS + "..60000 ms");
        }
        if (levels == null) {
            levels = new io.srproxy.rtc.AudioLevels();
        }
        if (volumeReports != null) {
            volumeReports.cancel(false);
        }
        reportVolumes();
        volumeReports = rtc.timer().scheduleAtFixedRate(() -> serial.execute(this::reportVolumes),
                interval, interval, java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    static final int DEFAULT_VOLUME_INTERVAL_MS = 2000;
    static final int MIN_VOLUME_INTERVAL_MS = 200;

    private void reportVolumes() {
        if (channel == null || levels == null) {
            return;
        }
        Channel ch = rtc.channels().channel(channel).orElse(null);
        if (ch == null) {
            return;
        }
        io.srproxy.rtc.AudioLevels.Report r = levels.read(ch);
        send(new RtcMessages.VolumeIndicator(r.levels().stream()
                .map(l -> new RtcMessages.Volume(l.uid(), l.level())).toList(), r.activeSpeaker()));
    }

    /** Which of {@code uid}'s video layers this client takes: streamType 0 (high) or 1 (low). */
    private void setRemoteVideoStreamType(RtcMessages.Request req) {
        Channel ch = joinedChannel();
        if (req.uid() == null || req.streamType() == null || (req.streamType() != 0 && req.streamType() != 1)) {
            throw new RtcException("bad-request", "setRemoteVideoStreamType needs uid and streamType 0 (high) or 1 (low)");
        }
        ch.setRemoteVideoStreamType(uid, req.uid(), req.streamType());
    }

    /** True when {@code s} may stand as an a=msid stream id as it is (RFC 8830: 1..64 token characters). */
    static boolean msidToken(String s) {
        if (s.isEmpty() || s.length() > 64) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
                    || "!#$%&'*+-.^_`{|}~".indexOf(c) >= 0;
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** The login policy's refusals in /rtc's code style: TOKEN_REJECTED -> token-rejected, NOT_ALLOWED -> not-allowed. */
    private void checkPolicy(RtcMessages.Request req) {
        try {
            joinPolicy.check(new LoginPolicy.Attempt(req.appId(), req.uid(), req.token(), true));
        } catch (LoginRefused e) {
            throw new RtcException(e.reason().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'), e.getMessage());
        }
    }

    private void onTransportState(WebRtcTransport t, WebRtcTransport.State state, String reason) {
        serial.execute(() -> {
            if (t != transport) {
                return; // an old session's late news
            }
            switch (state) {
                case CONNECTED -> send(new RtcMessages.ConnectionState("CONNECTED", reason));
                case FAILED -> {
                    send(new RtcMessages.ConnectionState("FAILED", reason));
                    leave(reason.startsWith("consent") ? "timeout" : "failed", true);
                }
                case CLOSED -> {
                    send(new RtcMessages.ConnectionState("DISCONNECTED", reason));
                    leave("closed", true);
                }
                default -> { }
            }
        });
    }

    private void onEvent(RtcEvent event) {
        if (channel == null) {
            return;
        }
        RtcMessages.UserEvent msg;
        if (event instanceof RtcEvent.UserJoined e) {
            msg = new RtcMessages.UserEvent("user-joined", e.uid(), null, null, null);
        } else if (event instanceof RtcEvent.UserLeft e) {
            msg = new RtcMessages.UserEvent("user-left", e.uid(), null, e.reason(), null);
        } else if (event instanceof RtcEvent.UserPublished e) {
            msg = new RtcMessages.UserEvent("user-published", e.uid(), e.kind().sdpName(), null, null);
        } else if (event instanceof RtcEvent.UserUnpublished e) {
            msg = new RtcMessages.UserEvent("user-unpublished", e.uid(), e.kind().sdpName(), null, null);
        } else if (event instanceof RtcEvent.UserMuted e) {
            msg = new RtcMessages.UserEvent("user-mute", e.uid(), e.kind().sdpName(), null, e.muted());
        } else {
            return;
        }
        send(msg);
        if (event instanceof RtcEvent.UserJoined || event instanceof RtcEvent.UserPublished) {
            adviseAudioSwitch();
        }
    }

    private void leave(String reason, boolean closeTransport) {
        if (channel == null) {
            return;
        }
        rtc.channels().leave(channel, uid, reason);
        log.debug("rtc session {} left {} ({})", LogSafe.of(uid), LogSafe.of(channel), reason);
        WebRtcTransport t = transport;
        if (volumeReports != null) {
            volumeReports.cancel(false);
            volumeReports = null;
        }
        levels = null;
        channel = null;
        uid = null;
        transport = null;
        multistream = false;
        wants = List.of();
        audioSwitch = null;
        if (t != null) {
            t.close();
        }
    }

    private Channel joinedChannel() {
        if (channel == null) {
            throw new RtcException("not-joined", "join a channel first");
        }
        return rtc.channels().channel(channel)
                .orElseThrow(() -> new RtcException("not-joined", "channel " + channel + " is gone"));
    }

    private static MediaKind kind(RtcMessages.Request req) {
        if (req.mediaType() == null) {
            throw new RtcException("bad-request", "mediaType is missing (audio or video)");
        }
        return MediaKind.fromName(req.mediaType());
    }

    private void send(Object message) {
        try {
            out.accept(json.writeValueAsString(message));
        } catch (JsonProcessingException | RuntimeException e) {
            log.debug("rtc session: cannot send {}: {}", message.getClass().getSimpleName(), e.toString());
        }
    }
}
