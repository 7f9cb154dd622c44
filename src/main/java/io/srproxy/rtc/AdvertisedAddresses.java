package io.srproxy.rtc;

import java.util.Arrays;
import java.util.List;

/** {@code [rtc] ip}: one media address, or one IPv4 and one IPv6 address separated by a comma. */
public final class AdvertisedAddresses {

    private AdvertisedAddresses() {}

    public static List<String> parse(String value) {
        return Arrays.stream(value.split(",")).map(String::strip).filter(a -> !a.isEmpty()).toList();
    }
}
