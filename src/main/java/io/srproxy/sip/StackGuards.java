package io.srproxy.sip;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What one agent's JAIN-SIP stack needs from the agent inside the parts JAIN-SIP makes itself by
 * class name ({@link AdmissionValve}, {@link BoundedNioProcessorFactory}): those get only the
 * stack, so they find the agent's guards here by the stack's name ({@code javax.sip.STACK_NAME},
 * unique per agent). The agent registers before it creates the stack and unregisters after it stops.
 */
record StackGuards(SipAdmission admission, SipTransportLimits limits, TcpConnectionLimiter connections) {

    private static final Map<String, StackGuards> BY_STACK_NAME = new ConcurrentHashMap<>();

    static StackGuards of(SipAdmission admission, SipTransportLimits limits) {
        return new StackGuards(admission, limits,
                new TcpConnectionLimiter(limits.tcpConnections(), limits.tcpConnectionsPerSource()));
    }

    static void register(String stackName, StackGuards guards) {
        if (BY_STACK_NAME.putIfAbsent(stackName, guards) != null) {
            throw new IllegalStateException("a SIP stack named " + stackName + " is already running");
        }
    }

    static void unregister(String stackName) {
        BY_STACK_NAME.remove(stackName);
    }

    /** The guards of the stack named {@code stackName}; fails loudly if the agent did not register them. */
    static StackGuards forStack(String stackName) {
        StackGuards g = BY_STACK_NAME.get(stackName);
        if (g == null) {
            throw new IllegalStateException("no guards registered for SIP stack " + stackName);
        }
        return g;
    }
}
