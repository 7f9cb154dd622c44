package io.srproxy.sip;

/**
 * Decides about calls to srproxy. Called on the call's serial executor: set the call's listener,
 * then ring/answer/reject now or later.
 */
@FunctionalInterface
public interface IncomingCallHandler {
    void onIncomingCall(IncomingCall call);
}
