package io.srproxy.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.srproxy.config.RtxConfig;
import io.srproxy.config.RtxConfigBinder;
import io.srproxy.config.RtxFile;
import org.junit.jupiter.api.Test;

class DialPlanTest {

    private static DialPlan plan(String extra) {
        RtxConfig c = RtxConfigBinder.bind(RtxFile.parse("""
                [global]
                sip_svr=127.0.0.1:5070
                [rtm2sip]
                on=1
                acc_rule=1005;10[06-19]
                [pstn]
                prefix=9
                """ + extra, "t.conf")).config();
        return new DialPlan(c);
    }

    private static InvitationContent content(String json) throws Exception {
        return InvitationContent.parse(json);
    }

    @Test
    void callsAnExtensionWithTheCallerAsDisplayName() throws Exception {
        DialPlan.Target t = plan("").target("1005", "4321", content("{}"));
        assertThat(t.uri()).isEqualTo("sip:1005@127.0.0.1:5070");
        assertThat(t.displayName()).isEqualTo("4321");
    }

    @Test
    void sipDataBecomesTheDisplayName() throws Exception {
        assertThat(plan("").target("1005", "4321", content("{\"SipData\":\"Reception\"}")).displayName()).isEqualTo("Reception");
    }

    @Test
    void pstnCallsGoWithThePrefixToThePstnGatewayOrTheSipServer() throws Exception {
        DialPlan.Target viaSipServer = plan("").target("1005", "4321", content("{\"Pstn\":true,\"SipData\":\"13800000000\"}"));
        assertThat(viaSipServer.uri()).isEqualTo("sip:913800000000@127.0.0.1:5070");
        DialPlan.Target viaGateway = plan("ip=127.0.0.9\n").target("1005", "4321", content("{\"Pstn\":true}"));
        assertThat(viaGateway.uri()).isEqualTo("sip:94321@127.0.0.9");
    }

    @Test
    void onlyAccRuleAccountsAreCallable() {
        assertThat(plan("").isCallable("1019")).isTrue();
        assertThat(plan("").isCallable("1020")).isFalse();
    }

    @Test
    void theDialPrefixIsStrippedFromTheCalledNumber() {
        assertThat(plan("").uidForCalledNumber("01234")).contains("1234");
        assertThat(plan("").uidForCalledNumber("1234")).isEmpty();
        assertThat(plan("").uidForCalledNumber("0")).isEmpty();
        assertThat(plan("[proxy]\nprefix=\n").uidForCalledNumber("0123")).contains("0123"); // empty = no prefix
        assertThat(plan("[proxy]\nprefix=88\n").uidForCalledNumber("881234")).contains("1234");
    }

    @Test
    void perCallIdentitiesAndChannelsHaveTheirShapes() {
        assertThat(CallIdentities.channelId()).matches("\\d{9}");
        CallIdentities ids = new CallIdentities();
        assertThat(ids.claim("1005")).isEqualTo("sip~1005");
        assertThat(ids.claim("+8613800000000")).isEqualTo("sip~+8613800000000");
        assertThat(CallIdentities.isPerCallUid("sip~1005")).isTrue();
        assertThat(CallIdentities.isPerCallUid("1234")).isFalse();
    }

    @Test
    void aNumberCallingTwiceAtOnceGetsTwoIdentitiesAndTheFirstIsFreeAgainWhenReleased() {
        CallIdentities ids = new CallIdentities();
        assertThat(ids.claim("1005")).isEqualTo("sip~1005");
        assertThat(ids.claim("1005")).isEqualTo("sip~1005~2");
        assertThat(ids.claim("1005")).isEqualTo("sip~1005~3");
        ids.release("sip~1005");
        assertThat(ids.claim("1005")).isEqualTo("sip~1005");
        assertThat(ids.inUse()).isEqualTo(3);
    }

    @Test
    void numbersUnfitForAUidGetARandomIdentity() {
        CallIdentities ids = new CallIdentities();
        for (String odd : new String[] {"", "a b", "x".repeat(41), "1005~2", "\u00e9t\u00e9", null}) {
            String uid = ids.claim(odd);
            assertThat(uid).startsWith("sip~~r").matches("sip~~r[0-9a-z]+");
            assertThat(io.srproxy.ids.Identifiers.uidProblem("uid", uid)).isNull();
        }
        assertThat(ids.inUse()).isEqualTo(6);
    }
}
