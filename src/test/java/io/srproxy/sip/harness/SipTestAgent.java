package io.srproxy.sip.harness;

import io.srproxy.config.RtxConfig;
import io.srproxy.config.RtxConfigBinder;
import io.srproxy.config.RtxFile;
import io.srproxy.sip.CallEnd;
import io.srproxy.sip.CallListener;
import io.srproxy.sip.IncomingCall;
import io.srproxy.sip.NegotiatedMedia;
import io.srproxy.sip.OutgoingCall;
import io.srproxy.sip.Registration;
import io.srproxy.sip.RegistrationState;
import io.srproxy.sip.SipAgent;
import io.srproxy.sip.SipCall;
import io.srproxy.sip.SipSettings;
import io.srproxy.testsupport.FreePorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

/**
 * Drives a {@link SipAgent} for the real-peer tests (issue item 8): register, call, answer, hang
 * up, play a tone, send DTMF, and record every event and the audio received.
 */
public final class SipTestAgent implements AutoCloseable {

    private final SipAgent agent;
    private final List<String> registrationEvents = new CopyOnWriteArrayList<>();
    public final LinkedBlockingQueue<TestCall> incoming = new LinkedBlockingQueue<>();
    private volatile Consumer<TestCall> onIncoming = c -> { };

    private SipTestAgent(SipAgent agent) {
        this.agent = agent;
        agent.onIncomingCall(call -> {
            TestCall tc = new TestCall(call);
            call.setListener(tc);
            incoming.add(tc);
            onIncoming.accept(tc);
        });
    }

    /** An rtx.conf for tests: SIP server on loopback, free local port, a random RTP range, loopback binding. */
    public static SipSettings settings(int serverPort, String account, String password, String extraConf) {
        return settingsOn("127.0.0.1", "127.0.0.1", serverPort, account, password, extraConf);
    }

    /**
     * As {@link #settings}, with the server on {@code host} (127.0.0.1 or ::1) and SIP and RTP bound
     * to {@code bindAddress} (the same, or 0.0.0.0).
     */
    public static SipSettings settingsOn(String host, String bindAddress, int serverPort, String account, String password,
                                         String extraConf) {
        int rtpBase = 20000 + 2 * ThreadLocalRandom.current().nextInt(15000);
        String uriHost = host.contains(":") ? "[" + host + "]" : host;
        String conf = "[global]\nsip_svr=" + uriHost + ":" + serverPort + "\nsip_local_port=" + FreePorts.tcpAndUdp() + "\n"
                + "[proxy]\non=1\nrtm_account=1086\nsip_account=" + account + "\nsip_pwd=" + password + "\nprefix=0\n"
                + "[media]\nrtp_port_min=" + rtpBase + "\nrtp_port_max=" + (rtpBase + 400) + "\ncodecs=PCMU,PCMA\nrtp_timeout=30\n"
                + extraConf;
        RtxConfigBinder.Binding b = RtxConfigBinder.bind(RtxFile.parse(conf, "test"));
        if (!b.errors().isEmpty()) {
            throw new IllegalArgumentException("test rtx.conf: " + b.errors());
        }
        RtxConfig cfg = b.config();
        return SipSettings.from(cfg, bindAddress);
    }

    public static SipTestAgent start(SipSettings settings) {
        return new SipTestAgent(SipAgent.start(settings, null));
    }

    /** An agent whose timers run on {@code scheduler} (e.g. a {@link FastForwardScheduler}); the caller shuts it down. */
    public static SipTestAgent start(SipSettings settings, java.util.concurrent.ScheduledExecutorService scheduler) {
        return new SipTestAgent(SipAgent.start(settings, scheduler));
    }

    public SipAgent agent() {
        return agent;
    }

    public void onIncoming(Consumer<TestCall> action) {
        this.onIncoming = action;
    }

    public Registration register() {
        return agent.registerProxyAccount(this::recordRegistration);
    }

    public Registration register(String user, String password) {
        return agent.register(user, password, this::recordRegistration);
    }

    private void recordRegistration(Registration r, RegistrationState s, String detail) {
        registrationEvents.add(r.user() + " " + s + " " + detail);
    }

    public List<String> registrationEvents() {
        return registrationEvents;
    }

    public TestCall call(String number, String displayName) {
        return call(number, displayName, Map.of());
    }

    public TestCall call(String number, String displayName, Map<String, String> headers) {
        TestCall tc = new TestCall(null);
        try {
            OutgoingCall c = agent.placeCall(new OutgoingCall.Target(agent.settings().account(), displayName, number, headers), tc);
            tc.attach(c);
            return tc;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        agent.close();
    }

    /** One call's record: events in order, audio and digits received; and the controls. */
    public static final class TestCall implements CallListener {
        public final List<String> events = new CopyOnWriteArrayList<>();
        public final StringBuffer digits = new StringBuffer();
        public final AudioRecorder audio = new AudioRecorder();
        private volatile SipCall call;
        public volatile NegotiatedMedia media;
        public volatile CallEnd end;
        public volatile int failedStatus;
        public volatile int packetsAtAnswer = -1;

        TestCall(IncomingCall incoming) {
            if (incoming != null) {
                attach(incoming);
            }
        }

        void attach(SipCall c) {
            this.call = c;
            c.setPacketHandler(audio); // an incoming call opens its RTP session only when answered
        }

        public SipCall sip() {
            return call;
        }

        public IncomingCall incoming() {
            return (IncomingCall) call;
        }

        public boolean has(String event) {
            return events.stream().anyMatch(e -> e.startsWith(event));
        }

        /** Sends a sine of {@code hz} for {@code seconds} in the negotiated G.711 codec, 20 ms a packet. */
        public TonePlayer playTone(double hz, double seconds) {
            return TonePlayer.play(call, hz, seconds);
        }

        @Override
        public void trying() {
            events.add("trying");
        }

        @Override
        public void ringing() {
            events.add("ringing");
        }

        @Override
        public void earlyMedia(NegotiatedMedia m) {
            media = m;
            events.add("early " + m.audio().name());
        }

        @Override
        public void answered(NegotiatedMedia m) {
            media = m;
            packetsAtAnswer = audio.packets();
            events.add("answered " + m.audio().name());
        }

        @Override
        public void failed(int status, String reason) {
            failedStatus = status;
            events.add("failed " + status + " " + reason);
        }

        @Override
        public void mediaChanged(NegotiatedMedia m) {
            media = m;
            events.add("media " + m.localDirection() + " " + m.remote().rtp().getPort());
        }

        @Override
        public void dtmf(char digit) {
            digits.append(digit);
            events.add("dtmf " + digit);
        }

        @Override
        public void ended(CallEnd e) {
            end = e;
            events.add("ended " + e.cause());
        }
    }
}
