package io.srproxy.rtc.mixer;

import io.srproxy.media.PayloadFormat;
import io.srproxy.media.rtp.RtpHeader;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audio of a conference with phones in it: every 20 ms (one tick on the channel's serial
 * worker, driven by a shared {@link MixerClock}) each sender's next frame is taken from its
 * {@link MixerInput} (decoded once per packet), the frames of the members speaking are summed,
 * and
 * <ul>
 * <li>each {@link Leg} (a phone) gets the sum minus its own frame (mix-minus: never its own
 * voice), saturated to 16 bits and encoded in its codec; the legs not speaking all get the same
 * mix, encoded once per output format and sent to each of them;</li>
 * <li>each {@link Forward} (a phone's voice to an app) gets that sender's frame alone, encoded
 * once per sender and format and sent to every app that takes it.</li>
 * </ul>
 * The {@link Plan} (who is mixed, who hears what) is replaced when membership changes, on the
 * worker between two ticks, where codecs no longer needed are freed. The tick allocates nothing
 * and takes no lock; the worker is the only thread touching the codecs and buffers.
 */
public final class ConferenceMixer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ConferenceMixer.class);

    public static final int RATE = 8000;
    public static final int FRAME = RATE / 50;
    /**
     * A frame with less energy than this (mean square; about -50 dBFS) is not mixed: a phone's
     * line noise stays out of the sum, and a leg that is silent gets the shared mix.
     */
    static final long SILENCE_MEAN_SQUARE = 100L * 100L;

    /** Sends one payload that the mixer made; {@code packet} has a header's room before {@code off}. */
    @FunctionalInterface
    public interface Output {
        void send(byte[] packet, int off, int len, int payloadType, int timestampStep);
    }

    /** A member that hears the mix of everyone else, in {@code codec}. */
    public record Leg(String uid, PayloadFormat codec, Output out) {}

    /** The voice of {@code fromUid} alone, in {@code codec}, to one receiver. */
    public record Forward(String fromUid, PayloadFormat codec, Output out) {}

    /** Who is mixed (inputs) and who receives what. */
    public record Plan(List<MixerInput> inputs, List<Leg> legs, List<Forward> forwards) {
        public Plan {
            inputs = List.copyOf(inputs);
            legs = List.copyOf(legs);
            forwards = List.copyOf(forwards);
        }
    }

    /** An encoder and the payload it made this tick (shared by the receivers of the same audio). */
    private static final class Encoded {
        final FrameCodecs.Encoder encoder;
        final byte[] packet = new byte[RtpHeader.FIXED_HEADER_LENGTH + 1500];
        int len;
        long tick = -1;

        Encoded(FrameCodecs.Encoder encoder) {
            this.encoder = encoder;
        }
    }

    /** A plan resolved to array indices and encoders (worker only). */
    private record Compiled(MixerInput[] inputs, Leg[] legs, int[] legInput, Encoded[] legOwn, Encoded[] legShared,
                            Forward[] forwards, int[] forwardInput, Encoded[] forwardEnc) {
        static final Compiled EMPTY = new Compiled(new MixerInput[0], new Leg[0], new int[0], new Encoded[0],
                new Encoded[0], new Forward[0], new int[0], new Encoded[0]);
    }

    private final Executor worker;
    private final int opusComplexity;
    private final int opusBitrate;
    private final Runnable tickTask = this::tick;
    private final AtomicBoolean tickQueued = new AtomicBoolean();
    private final int[] sum = new int[FRAME];
    private final short[] mix = new short[FRAME];
    private Map<String, Encoded> encoders = new HashMap<>();
    private Compiled now = Compiled.EMPTY;
    private long ticks;
    private boolean closed;
    private MixerClock.Ticket ticket;

    /**
     * @param worker the channel's serial executor: ticks and plan changes run there, one at a time
     */
    public ConferenceMixer(Executor worker, int opusComplexity, int opusBitrate) {
        this.worker = worker;
        this.opusComplexity = opusComplexity;
        this.opusBitrate = opusBitrate;
    }

    /** A new sender's input; it joins the mix with the next {@link #apply} that names it. */
    public static MixerInput input(String uid, List<PayloadFormat> codecs) {
        return new MixerInput(uid, codecs);
    }

    /** True when the mixer can hear and feed this format. */
    public static boolean supports(PayloadFormat c) {
        return FrameCodecs.supports(c);
    }

    /** Starts the 20 ms ticks on {@code clock}. */
    public synchronized void start(MixerClock clock) {
        if (ticket == null && !closed) {
            ticket = clock.add(this::scheduleTick);
        }
    }

    /** From the clock's thread: queue one tick unless one is still waiting (a late worker skips ticks). */
    private void scheduleTick() {
        if (tickQueued.compareAndSet(false, true)) {
            worker.execute(tickTask);
        }
    }

    /** Replaces the plan on the worker (inputs and encoders no longer named are freed there). */
    public void apply(Plan plan) {
        worker.execute(() -> install(plan));
    }

    /** Stops the ticks and frees every codec on the worker after what is queued there. */
    @Override
    public synchronized void close() {
        if (ticket != null) {
            ticket.cancel();
            ticket = null;
        }
        worker.execute(() -> {
            install(new Plan(List.of(), List.of(), List.of()));
            closed = true;
        });
    }

    private void install(Plan plan) {
        if (closed) {
            plan.inputs().forEach(MixerInput::close);
            return;
        }
        Map<String, Encoded> next = new HashMap<>();
        Map<String, Integer> index = new HashMap<>();
        MixerInput[] inputs = plan.inputs().toArray(new MixerInput[0]);
        for (int i = 0; i < inputs.length; i++) {
            index.put(inputs[i].uid(), i);
        }
        List<Leg> legs = new ArrayList<>();
        for (Leg l : plan.legs()) {
            if (FrameCodecs.supports(l.codec())) {
                legs.add(l);
            } else {
                log.warn("{} cannot hear the conference: the mixer has no {} encoder", l.uid(), l.codec().name());
            }
        }
        int nl = legs.size();
        int[] legInput = new int[nl];
        Encoded[] own = new Encoded[nl];
        Encoded[] shared = new Encoded[nl];
        for (int i = 0; i < nl; i++) {
            Leg l = legs.get(i);
            legInput[i] = index.getOrDefault(l.uid(), -1);
            own[i] = encoder(next, "leg " + l.uid() + " " + format(l.codec()), l.codec());
            shared[i] = encoder(next, "mix " + format(l.codec()), l.codec());
        }
        List<Forward> forwards = new ArrayList<>();
        for (Forward f : plan.forwards()) {
            if (FrameCodecs.supports(f.codec()) && index.containsKey(f.fromUid())) {
                forwards.add(f);
            }
        }
        int nf = forwards.size();
        int[] forwardInput = new int[nf];
        Encoded[] forwardEnc = new Encoded[nf];
        for (int i = 0; i < nf; i++) {
            Forward f = forwards.get(i);
            forwardInput[i] = index.get(f.fromUid());
            forwardEnc[i] = encoder(next, "from " + f.fromUid() + " " + format(f.codec()), f.codec());
        }
        for (MixerInput old : now.inputs()) {
            if (!plan.inputs().contains(old)) {
                old.close();
            }
        }
        for (Map.Entry<String, Encoded> e : encoders.entrySet()) {
            if (next.get(e.getKey()) != e.getValue()) {
                e.getValue().encoder.close();
            }
        }
        encoders = next;
        now = new Compiled(inputs, legs.toArray(new Leg[0]), legInput, own, shared,
                forwards.toArray(new Forward[0]), forwardInput, forwardEnc);
    }

    private static String format(PayloadFormat c) {
        return c.name().toLowerCase(java.util.Locale.ROOT) + "/" + c.clockRate() + "/" + c.payloadType();
    }

    private Encoded encoder(Map<String, Encoded> next, String key, PayloadFormat codec) {
        Encoded e = next.get(key);
        if (e == null) {
            e = encoders.get(key);
            if (e == null) {
                e = new Encoded(FrameCodecs.encoder(codec, opusComplexity, opusBitrate));
            }
            next.put(key, e);
        }
        return e;
    }

    /** One 20 ms step (on the worker; tests call it directly). */
    public void tick() {
        tickQueued.set(false);
        if (closed) {
            return;
        }
        Compiled c = now;
        long t = ++ticks;
        java.util.Arrays.fill(sum, 0);
        for (MixerInput in : c.inputs()) {
            in.speaking = in.take() && meanSquare(in.frame) >= SILENCE_MEAN_SQUARE;
            if (in.speaking) {
                for (int s = 0; s < FRAME; s++) {
                    sum[s] += in.frame[s];
                }
            }
        }
        for (int i = 0; i < c.legs().length; i++) {
            Leg leg = c.legs()[i];
            int self = c.legInput()[i];
            Encoded e;
            if (self >= 0 && c.inputs()[self].speaking) {
                short[] own = c.inputs()[self].frame;
                for (int s = 0; s < FRAME; s++) {
                    mix[s] = saturate(sum[s] - own[s]);
                }
                e = c.legOwn()[i];
                encode(e, mix, t);
            } else {
                e = c.legShared()[i];
                if (e.tick != t) {
                    for (int s = 0; s < FRAME; s++) {
                        mix[s] = saturate(sum[s]);
                    }
                    encode(e, mix, t);
                }
            }
            send(leg.out(), e, leg.codec());
        }
        for (int i = 0; i < c.forwards().length; i++) {
            MixerInput from = c.inputs()[c.forwardInput()[i]];
            if (!from.hasFrame) {
                continue;
            }
            Encoded e = c.forwardEnc()[i];
            if (e.tick != t) {
                encode(e, from.frame, t);
            }
            send(c.forwards()[i].out(), e, c.forwards()[i].codec());
        }
    }

    private static void encode(Encoded e, short[] pcm, long tick) {
        e.len = e.encoder.encode(pcm, e.packet, RtpHeader.FIXED_HEADER_LENGTH);
        e.tick = tick;
    }

    private static void send(Output out, Encoded e, PayloadFormat codec) {
        if (e.len > 0) {
            out.send(e.packet, RtpHeader.FIXED_HEADER_LENGTH, e.len, codec.payloadType(), codec.clockRate() / 50);
        }
    }

    static short saturate(int v) {
        return (short) (v > Short.MAX_VALUE ? Short.MAX_VALUE : v < Short.MIN_VALUE ? Short.MIN_VALUE : v);
    }

    private static long meanSquare(short[] pcm) {
        long acc = 0;
        for (short v : pcm) {
            acc += v * v;
        }
        return acc / pcm.length;
    }
}
