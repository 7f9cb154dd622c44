package io.srproxy.gateway;

import io.srproxy.sip.harness.BaresipPhone;
import io.srproxy.testsupport.Tones;
import java.util.Arrays;

/** What the conference dial-in tests share: keying a PIN and finding a tone in a mix. */
final class DialIn {

    private DialIn() {
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
