package io.srproxy.bench;

import java.util.List;

/** The called side of the load, whatever serves it: srproxy's app users or Janus's SIP plugin users. */
interface CallSide extends AutoCloseable {

    /** Calls up now (accepted and not yet ended). */
    int live();

    /** Calls whose media (DTLS-SRTP) is connected now. */
    int connected();

    /** Takes every finished call's result so far. */
    List<AppCall.Result> drainResults();

    @Override
    void close();

    /** Takes every result queued so far (both sides keep their finished calls in such a queue). */
    static List<AppCall.Result> drain(java.util.Queue<AppCall.Result> results) {
        List<AppCall.Result> out = new java.util.ArrayList<>();
        AppCall.Result r;
        while ((r = results.poll()) != null) {
            out.add(r);
        }
        return out;
    }
}
