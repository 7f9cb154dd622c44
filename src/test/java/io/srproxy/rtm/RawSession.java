package io.srproxy.rtm;

import org.awaitility.Awaitility;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A session driven by hand, to play a client that does not acknowledge or goes silent. */
final class RawSession implements ConnectionPeer {

    final List<RtmEvent> events = new CopyOnWriteArrayList<>();
    volatile ConnectionChangeReason closedWith;
    Connection conn;

    @Override
    public void deliver(RtmEvent event) {
        events.add(event);
    }

    @Override
    public void close(ConnectionChangeReason reason) {
        closedWith = reason;
    }

    @SuppressWarnings("unchecked")
    <T extends RtmEvent> T await(Class<T> type) {
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> events.stream().anyMatch(type::isInstance));
        return (T) events.stream().filter(type::isInstance).findFirst().orElseThrow();
    }
}
