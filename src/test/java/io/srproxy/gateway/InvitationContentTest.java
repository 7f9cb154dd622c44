package io.srproxy.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class InvitationContentTest {

    @Test
    void readsArCallsOneToOneAudioInvitation() throws Exception {
        InvitationContent c = InvitationContent.parse(
                "{\"Mode\":1,\"Conference\":false,\"ChanId\":\"123456789\",\"UserData\":\"\",\"SipData\":\"\",\"VidCodec\":[\"H264\"],\"AudCodec\":[\"Opus\"]}");
        assertThat(c.mode()).isEqualTo(1);
        assertThat(c.audioOnly()).isTrue();
        assertThat(c.conference()).isFalse();
        assertThat(c.chanId()).isEqualTo("123456789");
        assertThat(c.vidCodec()).containsExactly("H264");
        assertThat(c.audCodec()).containsExactly("Opus");
        assertThat(c.pstn()).isFalse();
    }

    @Test
    void acceptsTheVariantsClientsSend() throws Exception {
        InvitationContent c = InvitationContent.parse(
                "{\"Mode\":\"0\",\"Conference\":0,\"VidCodec\":\"[\\\"H264\\\",\\\"VP8\\\"]\",\"AudCodec\":\"Opus\",\"UserData\":[\"1001\",\"1002\"],\"Pstn\":true,\"SipData\":\"13800000000\"}");
        assertThat(c.mode()).isZero();
        assertThat(c.conference()).isFalse();
        assertThat(c.vidCodec()).containsExactly("H264", "VP8");
        assertThat(c.audCodec()).containsExactly("Opus");
        assertThat(c.userData()).isEqualTo("[\"1001\",\"1002\"]");
        assertThat(c.pstn()).isTrue();
        assertThat(c.sipData()).isEqualTo("13800000000");
        assertThat(c.chanId()).isEmpty();
    }

    @Test
    void missingFieldsTakeTheirDefaults() throws Exception {
        InvitationContent c = InvitationContent.parse("{}");
        assertThat(c.mode()).isEqualTo(InvitationContent.MODE_AUDIO);
        assertThat(c.chanId()).isEmpty();
        assertThat(c.sipData()).isEmpty();
        assertThat(c.vidCodec()).isEmpty();
    }

    @Test
    void contentThatIsNotAJsonObjectIsRefusedWithAReason() {
        assertThatThrownBy(() -> InvitationContent.parse("hello")).isInstanceOf(InvitationContent.Invalid.class)
                .hasMessageStartingWith("invitation content is not JSON");
        assertThatThrownBy(() -> InvitationContent.parse("[1,2]")).hasMessage("invitation content must be a JSON object");
        assertThatThrownBy(() -> InvitationContent.parse("")).hasMessage("invitation content is empty; expected a JSON object");
        assertThatThrownBy(() -> InvitationContent.parse("{\"Mode\":\"video\"}")).hasMessage("Mode must be a number, got \"video\"");
        assertThatThrownBy(() -> InvitationContent.parse("{\"Pstn\":\"yes\"}")).hasMessage("Pstn must be true/false or 0/1, got \"yes\"");
    }
}
