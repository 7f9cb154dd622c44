package io.srproxy.rtc.webrtc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The per-SSRC context table of the SRTP transforms: bounded, and retired SSRCs free their room. */
class SsrcMapTest {

    @Test
    void aRemovedSsrcFreesItsRoomAndTheOthersKeepTheirContexts() {
        JitsiSrtp.SsrcMap<String> map = new JitsiSrtp.SsrcMap<>();
        for (int i = 0; i < 64; i++) {
            map.put(i, "ctx" + i);
        }
        assertThatThrownBy(() -> map.put(64, "ctx64")).hasMessageContaining("too many SSRCs");
        map.remove(10);
        map.remove(999); // not there: nothing happens
        assertThat(map.get(10)).isNull();
        assertThat(map.get(9)).isEqualTo("ctx9");
        assertThat(map.get(11)).isEqualTo("ctx11");
        assertThat(map.get(63)).isEqualTo("ctx63");
        assertThat(map.put(64, "ctx64")).isEqualTo("ctx64");
        assertThat(map.size()).isEqualTo(64);
    }
}
