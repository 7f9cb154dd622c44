package io.srproxy.rtm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.function.ToIntFunction;
import org.junit.jupiter.api.Test;

/** The numbers of the RTM invitation contract (docs: srproxy-behavior.md, "Invitation API"). */
class RtmContractCodesTest {

    private static <E extends Enum<E>> String table(Class<E> type, ToIntFunction<E> code) {
        return String.join(", ", Arrays.stream(type.getEnumConstants()).map(e -> e.name() + " " + code.applyAsInt(e)).toList());
    }

    @Test
    void statesFailuresAndApiErrorsAreNumberedAsInTheContract() {
        assertThat(table(LocalInvitationState.class, s -> s.code)).isEqualTo("IDLE 0, SENT_TO_REMOTE 1, RECEIVED_BY_REMOTE 2, "
                + "ACCEPTED_BY_REMOTE 3, REFUSED_BY_REMOTE 4, CANCELED 5, FAILURE 6");
        assertThat(table(RemoteInvitationState.class, s -> s.code)).isEqualTo("IDLE 0, INVITATION_RECEIVED 1, "
                + "ACCEPT_SENT_TO_LOCAL 2, REFUSED 3, ACCEPTED 4, CANCELED 5, FAILURE 6");
        assertThat(table(LocalInvitationFailureReason.class, s -> s.code)).isEqualTo("OK 0, PEER_OFFLINE 1, "
                + "PEER_NO_RESPONSE 2, INVITATION_EXPIRE 3, NOT_LOGGEDIN 4");
        assertThat(table(RemoteInvitationFailureReason.class, s -> s.code)).isEqualTo("OK 0, PEER_OFFLINE 1, "
                + "ACCEPT_FAILURE 2, INVITATION_EXPIRE 3");
        assertThat(table(InvitationApiError.class, s -> s.code)).isEqualTo("OK 0, INVALID_ARGUMENT 1, NOT_STARTED 2, "
                + "ALREADY_END 3, ALREADY_ACCEPT 4, ALREADY_SENT 5");
    }

    @Test
    void finalStatesAreTheEndedOnes() {
        assertThat(Arrays.stream(LocalInvitationState.values()).filter(LocalInvitationState::isFinal).toList())
                .containsExactly(LocalInvitationState.ACCEPTED_BY_REMOTE, LocalInvitationState.REFUSED_BY_REMOTE,
                        LocalInvitationState.CANCELED, LocalInvitationState.FAILURE);
        assertThat(Arrays.stream(RemoteInvitationState.values()).filter(RemoteInvitationState::isFinal).toList())
                .containsExactly(RemoteInvitationState.REFUSED, RemoteInvitationState.ACCEPTED,
                        RemoteInvitationState.CANCELED, RemoteInvitationState.FAILURE);
    }
}
