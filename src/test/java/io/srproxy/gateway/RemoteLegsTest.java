package io.srproxy.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.srproxy.config.RtxConfigBinder;
import io.srproxy.config.RtxFile;
import java.time.Clock;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What a node takes from another asking it to run a SIP leg, and how a leg asked of another
 * node ends when that node dies, without Redis or SIP: the cluster is a fake that records what
 * is sent and delivers what the test says.
 */
class RemoteLegsTest {

    private final FakeCluster cluster = new FakeCluster();
    private final GatewayContext ctx = context(cluster);
    private final RemoteLegs legs = new RemoteLegs(ctx);

    @AfterEach
    void stop() {
        ctx.pool().shutdownNow();
        ctx.timers().shutdownNow();
    }

    private static GatewayContext context(GatewayCluster cluster) {
        String conf = String.join("\n", "[global]", "sip_svr=127.0.0.1:5060",
                "[rtm2sip]", "on=1", "acc_rule=2001", "[limits]", "max_calls=1", "");
        var binding = RtxConfigBinder.bind(RtxFile.parse(conf, "legs.conf"));
        assertThat(binding.errors()).isEmpty();
        var config = binding.config();
        return new GatewayContext(config, new DialPlan(config), null, null, null, new CallLog(),
                Executors.newSingleThreadExecutor(), Executors.newSingleThreadScheduledExecutor(), Clock.systemUTC(),
                ConcurrentHashMap.newKeySet(), new LongAdder(), new CallIdentities(), cluster);
    }

    @Test
    void aLegForAnAccountThatIsNotAnAccRuleAccountHereIsRefused() {
        cluster.deliver(LegMessage.place("call-1", "9999", "6001", "room", "{\"Mode\":1}").from("node-a"));
        assertThat(cluster.sent).singleElement().satisfies(s -> {
            assertThat(s.node()).isEqualTo("node-a");
            assertThat(s.message().kind()).isEqualTo(LegMessage.Kind.ENDED);
            assertThat(s.message().leg()).isEqualTo("call-1");
            assertThat(s.message().status()).isEqualTo(403);
        });
        assertThat(ctx.live()).isEmpty();
    }

    @Test
    void aLegBeyondMaxCallsIsRefused503() {
        new BridgedCall(ctx, "busy", "6000") { // the one call [limits] max_calls=1 allows
            @Override
            void shutdown() {}
        };
        cluster.deliver(LegMessage.place("call-2", "2001", "6001", "room", "{\"Mode\":1}").from("node-a"));
        assertThat(cluster.sent).singleElement().satisfies(s -> {
            assertThat(s.message().kind()).isEqualTo(LegMessage.Kind.ENDED);
            assertThat(s.message().status()).isEqualTo(503);
        });
        assertThat(ctx.live()).hasSize(1);
        assertThat(ctx.refusedCalls().sum()).isEqualTo(1);
    }

    @Test
    void badContentIsRefused400() {
        cluster.deliver(LegMessage.place("call-3", "2001", "6001", "room", "not json").from("node-a"));
        assertThat(cluster.sent).singleElement().satisfies(s -> assertThat(s.message().status()).isEqualTo(400));
    }

    @Test
    void aHangUpForALegNotHereIsAnsweredEnded() {
        cluster.deliver(LegMessage.of(LegMessage.Kind.HANG_UP, "call-4", 0, null).from("node-a"));
        assertThat(cluster.sent).singleElement().satisfies(s -> {
            assertThat(s.message().kind()).isEqualTo(LegMessage.Kind.ENDED);
            assertThat(s.message().status()).isEqualTo(481);
        });
    }

    @Test
    void aLegAskedOfANodeEndsWhenThatNodeDiesAndOnlyItsMessagesCount() {
        List<LegMessage> events = new CopyOnWriteArrayList<>();
        legs.place("node-b", "call-5", "2001", "6001", "room", "{\"Mode\":1}", events::add);
        assertThat(cluster.sent).singleElement().satisfies(s -> {
            assertThat(s.node()).isEqualTo("node-b");
            assertThat(s.message().kind()).isEqualTo(LegMessage.Kind.PLACE);
            assertThat(s.message().account()).isEqualTo("2001");
            assertThat(s.message().channel()).isEqualTo("room");
        });
        cluster.deliver(LegMessage.of(LegMessage.Kind.ANSWERED, "call-5", 200, null).from("node-c")); // not the node asked
        assertThat(events).isEmpty();
        cluster.deliver(LegMessage.of(LegMessage.Kind.ANSWERED, "call-5", 200, null).from("node-b"));
        assertThat(events).extracting(LegMessage::kind).containsExactly(LegMessage.Kind.ANSWERED);

        cluster.gone("node-b");
        assertThat(events).extracting(LegMessage::kind).containsExactly(LegMessage.Kind.ANSWERED, LegMessage.Kind.ENDED);
        assertThat(events.get(1).status()).isEqualTo(480);
        cluster.deliver(LegMessage.of(LegMessage.Kind.ENDED, "call-5", 200, null).from("node-b"));
        assertThat(events).as("nothing after ENDED").hasSize(2);
    }

    /**
     * The HANG_UP or its ENDED lost (Redis away, the other node cut off): the call ends here all the
     * same, once, so that its acc_rule account is not left busy; a late ENDED is ignored.
     */
    @Test
    void aHangUpTheOtherNodeNeverConfirmsEndsTheCallHereOnce() {
        RemoteLegs quick = new RemoteLegs(ctx, java.time.Duration.ofMillis(200));
        List<LegMessage> events = new CopyOnWriteArrayList<>();
        quick.place("node-b", "call-6", "2001", "6001", "room", "{\"Mode\":1}", events::add);
        cluster.deliver(LegMessage.of(LegMessage.Kind.ANSWERED, "call-6", 200, null).from("node-b"));
        quick.hangUp("call-6");
        assertThat(cluster.sent).extracting(s -> s.message().kind())
                .containsExactly(LegMessage.Kind.PLACE, LegMessage.Kind.HANG_UP);
        assertThat(cluster.sent.get(1).node()).isEqualTo("node-b");
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5)).until(() -> events.size() == 2);
        assertThat(events.get(1).kind()).isEqualTo(LegMessage.Kind.ENDED);
        assertThat(events.get(1).text()).contains("did not confirm the hang-up");
        cluster.deliver(LegMessage.of(LegMessage.Kind.ENDED, "call-6", 200, null).from("node-b"));
        assertThat(events).as("nothing after ENDED").hasSize(2);
    }

    @Test
    void aHangUpConfirmedInTimeEndsTheCallOnce() throws Exception {
        RemoteLegs quick = new RemoteLegs(ctx, java.time.Duration.ofMillis(200));
        List<LegMessage> events = new CopyOnWriteArrayList<>();
        quick.place("node-b", "call-7", "2001", "6001", "room", "{\"Mode\":1}", events::add);
        cluster.deliver(LegMessage.of(LegMessage.Kind.ANSWERED, "call-7", 200, null).from("node-b"));
        quick.hangUp("call-7");
        cluster.deliver(LegMessage.of(LegMessage.Kind.ENDED, "call-7", 200, "SIP: BYE").from("node-b"));
        Thread.sleep(600); // past the wait: no second ENDED
        assertThat(events).extracting(LegMessage::kind).containsExactly(LegMessage.Kind.ANSWERED, LegMessage.Kind.ENDED);
        assertThat(events.get(1).text()).isEqualTo("SIP: BYE");
    }

    private record Sent(String node, LegMessage message) {}

    private static final class FakeCluster implements GatewayCluster {
        final List<Sent> sent = new CopyOnWriteArrayList<>();
        private Consumer<LegMessage> handler;
        private Consumer<String> nodeGone;

        void deliver(LegMessage m) {
            handler.accept(m);
        }

        void gone(String node) {
            nodeGone.accept(node);
        }

        @Override
        public void sendLeg(String node, LegMessage message) {
            sent.add(new Sent(node, message));
        }

        @Override
        public void onLegMessage(Consumer<LegMessage> handler) {
            this.handler = handler;
        }

        @Override
        public void onNodeGone(Consumer<String> listener) {
            this.nodeGone = listener;
        }

        @Override
        public CompletionStage<Set<String>> hold(Collection<String> uids) {
            return CompletableFuture.completedFuture(Set.copyOf(uids));
        }

        @Override
        public void release(Collection<String> uids) {}

        @Override
        public CompletionStage<CallClaim> claimCall(String callId, String fromTag) {
            return CompletableFuture.completedFuture(CallClaim.OURS);
        }

        @Override
        public void callOutcome(String callId, String fromTag, int status) {}
    }
}
