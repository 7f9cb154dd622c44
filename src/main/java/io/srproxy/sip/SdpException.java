package io.srproxy.sip;

/** An SDP body we cannot use; {@code status} is the SIP status to answer with (400 or 488). */
public final class SdpException extends Exception {

    private final int status;

    public SdpException(int status, String message) {
        super(message);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
