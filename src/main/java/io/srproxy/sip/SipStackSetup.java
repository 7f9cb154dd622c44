package io.srproxy.sip;

import java.util.Properties;
import javax.sip.ListeningPoint;
import javax.sip.SipFactory;
import javax.sip.SipListener;
import javax.sip.SipProvider;
import javax.sip.SipStack;
import javax.sip.address.AddressFactory;
import javax.sip.header.HeaderFactory;
import javax.sip.message.MessageFactory;

/**
 * The JAIN-SIP stack of one agent: its properties, the UDP and TCP listening points on
 * {@code sip_local_port}, the provider and the factories. Every stack setting lives here.
 */
record SipStackSetup(SipStack stack, SipProvider provider, AddressFactory addresses, HeaderFactory headers,
                     MessageFactory messages, int port) {

    static SipStackSetup create(SipSettings settings, int id, SipListener listener) throws Exception {
        SipFactory factory = SipFactory.getInstance();
        factory.setPathName("gov.nist");
        SipStack stack = factory.createSipStack(properties(id));
        try {
            ListeningPoint udp = stack.createListeningPoint(settings.bindAddress(), settings.localPort(), "udp");
            int port = udp.getPort();
            ListeningPoint tcp = stack.createListeningPoint(settings.bindAddress(), port, "tcp");
            SipProvider provider = stack.createSipProvider(udp);
            provider.addListeningPoint(tcp);
            provider.addSipListener(listener);
            return new SipStackSetup(stack, provider, factory.createAddressFactory(), factory.createHeaderFactory(),
                    factory.createMessageFactory(), port);
        } catch (Exception e) {
            stack.stop();
            throw e;
        }
    }

    private static Properties properties(int id) {
        Properties p = new Properties();
        p.setProperty("javax.sip.STACK_NAME", "srproxy-sip-" + id);
        p.setProperty("gov.nist.javax.sip.STACK_LOGGER", Slf4jStackLogger.class.getName());
        p.setProperty("gov.nist.javax.sip.SERVER_LOGGER", Slf4jServerLogger.class.getName());
        p.setProperty("gov.nist.javax.sip.THREAD_POOL_SIZE", "4");
        p.setProperty("gov.nist.javax.sip.REENTRANT_LISTENER", "true");
        p.setProperty("gov.nist.javax.sip.AUTOMATIC_DIALOG_ERROR_HANDLING", "false");
        p.setProperty("gov.nist.javax.sip.CACHE_CLIENT_CONNECTIONS", "true");
        p.setProperty("gov.nist.javax.sip.LOG_MESSAGE_CONTENT", "false");
        // JAIN-SIP's parser plus checks on the raw request it cannot see afterwards (version, repeated headers)
        p.setProperty("gov.nist.javax.sip.MESSAGE_PARSER_FACTORY", ScreeningParserFactory.class.getName());
        // ended dialogs linger 2 s (default 8 s) for late retransmissions; transactions absorb the rest
        p.setProperty("gov.nist.javax.sip.LINGER_TIMER", "2");
        // No outbound proxy: out-of-dialog requests name the server in their Request-URI, in-dialog
        // ones follow the route set and the peer's Contact (RFC 3261 12.2.1.1); behind NAT,
        // public_ip in our Contact/Via and rport keep requests and responses reachable.
        return p;
    }
}
