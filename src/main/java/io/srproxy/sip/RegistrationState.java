package io.srproxy.sip;

/** Where a registration stands; every change is reported to the registration's listener. */
public enum RegistrationState {
    /** Not registered (before the first attempt, or after Expires 0). */
    UNREGISTERED,
    /** A REGISTER is on its way. */
    REGISTERING,
    /** The server accepted the contact; a refresh is scheduled ahead of the granted Expires. */
    REGISTERED,
    /** The server was unreachable or erred; retrying with backoff. */
    RETRYING,
    /** The server refused our credentials; retried only after a long pause, never hammered. */
    AUTH_FAILED,
    /** Stopped for good (shutdown). */
    CLOSED
}
