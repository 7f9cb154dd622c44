package io.srproxy.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class GatewayMessagesTest {

    @Test
    void acceptedResponseCarriesTheOriginalsFields() throws Exception {
        InvitationContent content = InvitationContent.parse("{\"Mode\":1,\"Conference\":false}");
        assertThat(GatewayMessages.accepted(content, "987654321", "1005"))
                .isEqualTo("{\"Mode\":1,\"Conference\":false,\"ChanId\":\"987654321\",\"SipNumber\":\"1005\",\"SipData\":\"\"}");
    }

    @Test
    void refusalsAreJson() {
        assertThat(GatewayMessages.busy()).isEqualTo("{\"Cmd\":\"Calling\"}");
        assertThat(GatewayMessages.sipError(486, "Busy Here")).isEqualTo("{\"Cmd\":\"SipError\",\"Code\":486,\"Reason\":\"Busy Here\"}");
        assertThat(GatewayMessages.error("bad \"json\"")).isEqualTo("{\"Cmd\":\"Error\",\"Reason\":\"bad \\\"json\\\"\"}");
    }

    @Test
    void incomingSipCallContentIsAnAudioCallWithTheCaller() {
        assertThat(GatewayMessages.incomingSipCall("000000042", "1005", "ticket=7"))
                .isEqualTo("{\"Mode\":1,\"Conference\":false,\"ChanId\":\"000000042\",\"DisplayName\":\"1005\",\"SipData\":\"ticket=7\"}");
    }

    @Test
    void peerCommandsAreRecognised() {
        assertThat(GatewayMessages.commandOf(GatewayMessages.endCall())).contains("EndCall");
        assertThat(GatewayMessages.commandOf("{\"Cmd\":\"CallState\"}")).contains("CallState");
        assertThat(GatewayMessages.commandOf("hello")).isEmpty();
        assertThat(GatewayMessages.commandOf("{\"Cmd\":5}")).isEmpty();
        assertThat(GatewayMessages.callStateResult(GatewayMessages.STATE_IN_CALL, 1))
                .isEqualTo("{\"Cmd\":\"CallStateResult\",\"state\":2,\"Mode\":1}");
    }

    @Test
    void busyIsRecognisedOnlyInArCallsConvention() {
        assertThat(GatewayMessages.isBusyResponse("{\"Cmd\":\"Calling\",\"Mode\":1}")).isTrue();
        assertThat(GatewayMessages.isBusyResponse("busy")).isFalse();
        assertThat(GatewayMessages.isBusyResponse(null)).isFalse();
    }
}
