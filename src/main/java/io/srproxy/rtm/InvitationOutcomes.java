package io.srproxy.rtm;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * How call invitations ended, one outcome each, as the caller saw it: accepted, refused,
 * canceled, or failed with a {@link LocalInvitationFailureReason} (NOT_LOGGEDIN when the caller
 * itself left). Counted by the service's executor, read when scraped.
 */
public final class InvitationOutcomes {

    public enum Outcome { ACCEPTED, REFUSED, CANCELED, FAILURE }

    private final Map<Outcome, LongAdder> outcomes = new EnumMap<>(Outcome.class);
    private final Map<LocalInvitationFailureReason, LongAdder> failures = new EnumMap<>(LocalInvitationFailureReason.class);

    InvitationOutcomes() {
        for (Outcome o : Outcome.values()) {
            outcomes.put(o, new LongAdder());
        }
        for (LocalInvitationFailureReason r : LocalInvitationFailureReason.values()) {
            failures.put(r, new LongAdder());
        }
    }

    void ended(Outcome outcome) {
        outcomes.get(outcome).increment();
    }

    void failed(LocalInvitationFailureReason reason) {
        outcomes.get(Outcome.FAILURE).increment();
        failures.get(reason).increment();
    }

    public long count(Outcome outcome) {
        return outcomes.get(outcome).sum();
    }

    public long failures(LocalInvitationFailureReason reason) {
        return failures.get(reason).sum();
    }
}
