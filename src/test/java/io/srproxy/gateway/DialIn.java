package io.srproxy.gateway;

import io.srproxy.Srproxy;
import io.srproxy.sip.harness.BaresipPhone;
import io.srproxy.sip.harness.KamailioServer;
import io.srproxy.testsupport.FreePorts;
import io.srproxy.testsupport.Tones;
import java.util.Arrays;

/** What the conference dial-in tests share: their gateway, keying a PIN and finding a tone in a mix. */
final class DialIn {

    static final String ROOM = "4242";
    static final String PIN = "4321";

    private DialIn() {
    }

    /**
     * srproxy with {@code [conference] on=1, prefix=8, pin=4321} registered at Kamailio (which
     * sends 8xxx to srproxy's extension), listing G.722 first among its codecs.
     */
    record Rig(KamailioServer kamailio, Srproxy srproxy) implements AutoCloseable {
        static Rig start() {
            KamailioServer kamailio = KamailioServer.start("1000", FreePorts.tcpAndUdp(), KamailioServer.ZeroMode.KEEP, 300);
            return new Rig(kamailio, GatewayUnderTest.start("srproxy", kamailio.port(), "1009",
                    "[media]\ncodecs=G722,PCMU,PCMA,opus\n[conference]\non=1\nprefix=8\npin=" + PIN + "\n"));
        }

        boolean inRoom(String uid) {
            return srproxy.rtc().channels().channel(ROOM).map(c -> c.uids().contains(uid)).orElse(false);
        }

        @Override
        public void close() {
            srproxy.close();
            kamailio.close();
        }
    }

    static void keyPin(BaresipPhone phone, String digits) throws InterruptedException {
        for (char c : digits.toCharArray()) {
            phone.sendDigit(c);
            Thread.sleep(250); // one RFC 4733 event after the other
        }
    }

    /**
     * The tone's share of the power, averaged over one-second windows: over a whole recording a
     * mix's small clock offsets and jitter-buffer seams smear a tone past a Goertzel filter that
     * narrow.
     */
    static double meanShare(short[] samples, int rate, double hz) {
        double sum = 0;
        int n = 0;
        for (int at = 0; at + rate <= samples.length; at += rate) {
            sum += Tones.relativePower(Arrays.copyOfRange(samples, at, at + rate), rate, hz);
            n++;
        }
        return n == 0 ? 0 : sum / n;
    }
}
