package io.srproxy.rtc;

/** A refused RTC request, with a stable code for the signalling and a message naming the problem. */
public final class RtcException extends RuntimeException {

    private final String code;

    public RtcException(String code, String message) {
        super(message);
        this.code = code;
    }

    public String code() {
        return code;
    }
}
