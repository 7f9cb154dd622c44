package io.srproxy.sip;

import gov.nist.javax.sip.stack.MessageProcessor;
import gov.nist.javax.sip.stack.MessageProcessorFactory;
import gov.nist.javax.sip.stack.NioMessageProcessorFactory;
import gov.nist.javax.sip.stack.SIPTransactionStack;
import java.io.IOException;
import java.net.InetAddress;
import javax.sip.ListeningPoint;
import javax.sip.SipStack;

/**
 * JAIN-SIP's NIO transports ({@code gov.nist.javax.sip.MESSAGE_PROCESSOR_FACTORY}), with TCP
 * (and TLS: {@link BoundedTlsProcessor}) replaced by {@link BoundedTcpProcessor}: one selector thread for every connection instead of two
 * threads per connection, connection limits, and a message-size check before parsing. UDP stays
 * JAIN-SIP's own. Made by JAIN-SIP by name; finds the agent's limits through {@link StackGuards}.
 */
public final class BoundedNioProcessorFactory implements MessageProcessorFactory {

    private final NioMessageProcessorFactory others = new NioMessageProcessorFactory();

    public BoundedNioProcessorFactory() {
        // made by JAIN-SIP through gov.nist.javax.sip.MESSAGE_PROCESSOR_FACTORY
    }

    @Override
    public MessageProcessor createMessageProcessor(SIPTransactionStack stack, InetAddress address, int port,
                                                   String transport) throws IOException {
        if (ListeningPoint.TCP.equalsIgnoreCase(transport)) {
            return new BoundedTcpProcessor(address, stack, port, StackGuards.forStack(((SipStack) stack).getStackName()));
        }
        if (ListeningPoint.TLS.equalsIgnoreCase(transport)) {
            return new BoundedTlsProcessor(address, stack, port, StackGuards.forStack(((SipStack) stack).getStackName()));
        }
        return others.createMessageProcessor(stack, address, port, transport);
    }
}
