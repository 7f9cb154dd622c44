package io.srproxy.sip;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RegistrationRefreshTest {

    @Test
    void refreshesAheadOfTheGrantedExpires() {
        assertThat(Registration.refreshDelay(4)).isEqualTo(2_000);
        assertThat(Registration.refreshDelay(60)).isEqualTo(30_000);
        assertThat(Registration.refreshDelay(120)).isEqualTo(90_000);
        assertThat(Registration.refreshDelay(600)).isEqualTo(540_000);
        assertThat(Registration.refreshDelay(3600)).isEqualTo(3_240_000);
    }
}
