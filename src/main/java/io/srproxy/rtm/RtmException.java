package io.srproxy.rtm;

/** A failed RTM request: a typed code and a message naming the problem. */
public final class RtmException extends RuntimeException {

    private final RtmError error;

    public RtmException(RtmError error, String message) {
        super(error + ": " + message);
        this.error = error;
    }

    public RtmError error() {
        return error;
    }

    /** The message without the code prefix. */
    public String detail() {
        return getMessage().substring(error.name().length() + 2);
    }
}
