package io.srproxy.media.rtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** A handler that throws (a bug) costs its packet only: counted, logged sparingly, the loop goes on. */
class RtpIoLoopTest {

    @Test
    void aThrowingHandlerIsCountedAndLoggedAtPowersOfTwoAndTheLoopGoesOn() throws Exception {
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        Logger logger = (Logger) LoggerFactory.getLogger(RtpIoLoop.class);
        logger.addAppender(logged);
        logged.start();
        InetAddress lo = InetAddress.getLoopbackAddress();
        try (RtpIoLoop io = new RtpIoLoop("test-rtp-io-errors");
             DatagramChannel ch = DatagramChannel.open().bind(new InetSocketAddress(lo, 0));
             DatagramSocket sender = new DatagramSocket(new InetSocketAddress(lo, 0))) {
            ch.configureBlocking(false);
            AtomicInteger handled = new AtomicInteger();
            io.register(ch, (buf, len, from) -> {
                if (buf[0] == 1) {
                    throw new IllegalStateException("a bug on the media path");
                }
                handled.incrementAndGet();
            });
            for (int i = 0; i < 9; i++) {
                sender.send(new DatagramPacket(new byte[] {1}, 1, ch.getLocalAddress()));
            }
            sender.send(new DatagramPacket(new byte[] {2}, 1, ch.getLocalAddress()));
            await().atMost(Duration.ofSeconds(5)).until(() -> handled.get() == 1);
            assertThat(io.unexpectedErrors()).isEqualTo(9);
            // logged at the 1st, 2nd, 4th and 8th, each with its count and the stack
            assertThat(logged.list).extracting(ILoggingEvent::getFormattedMessage).hasSize(4)
                    .allMatch(m -> m.contains("unexpected error"))
                    .anyMatch(m -> m.contains("8 so far"));
            assertThat(logged.list).allMatch(e -> e.getThrowableProxy() != null);
        } finally {
            logger.detachAppender(logged);
        }
    }

    @Test
    void whatAHandlerQueuesIsFlushedBeforeTheLoopWaitsAgain() throws Exception {
        InetAddress lo = InetAddress.getLoopbackAddress();
        assertThat(RtpIoLoop.current()).as("off the loop").isNull();
        try (RtpIoLoop io = new RtpIoLoop("test-rtp-io-flush");
             DatagramChannel ch = DatagramChannel.open().bind(new InetSocketAddress(lo, 0));
             DatagramSocket sender = new DatagramSocket(new InetSocketAddress(lo, 0))) {
            ch.configureBlocking(false);
            AtomicInteger queued = new AtomicInteger();
            AtomicInteger flushed = new AtomicInteger();
            io.register(ch, (buf, len, from) -> {
                if (queued.get() == 0 && flushed.get() == 0) {
                    RtpIoLoop.current().beforeEachSelect(() -> flushed.addAndGet(queued.getAndSet(0)));
                }
                queued.incrementAndGet(); // as a send batch would
            });
            for (int i = 0; i < 5; i++) {
                sender.send(new DatagramPacket(new byte[] {(byte) i}, 1, ch.getLocalAddress()));
            }
            // no more traffic: the loop would block in select, so the hook must have run before it
            await().atMost(Duration.ofSeconds(5)).until(() -> flushed.get() == 5);
            assertThat(queued.get()).isZero();
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> io.beforeEachSelect(() -> { }))
                    .as("only on the loop's thread").isInstanceOf(IllegalStateException.class);
        }
    }
}
