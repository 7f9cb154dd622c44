package io.srproxy.sip;

/** Observes a registration's state changes (on the registration's serial executor). */
@FunctionalInterface
public interface RegistrationListener {
    void onStateChange(Registration registration, RegistrationState state, String detail);
}
