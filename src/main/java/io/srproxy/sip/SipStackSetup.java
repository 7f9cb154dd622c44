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
 * {@code sip_local_port} and, with a certificate, the TLS one on {@code sip_tls_port}, the provider
 * and the factories. Every stack setting lives here.
 */
record SipStackSetup(SipStack stack, SipProvider provider, AddressFactory addresses, HeaderFactory headers,
                     MessageFactory messages, int port, int tlsPort) {

    /** Tests only: a {@code gov.nist.core.net.NetworkLayer} class for stacks created from now on (to stall a send), else null. */
    static volatile String networkLayerForTests;

    /**
     * Creates and starts the stack; {@code guards} are registered under the stack's name first, for
     * the parts JAIN-SIP makes by class name ({@link AdmissionValve}, {@link BoundedNioProcessorFactory}).
     */
    static SipStackSetup create(SipSettings settings, int id, SipListener listener, StackGuards guards)
            throws Exception {
        SipFactory factory = SipFactory.getInstance();
        factory.setPathName("gov.nist");
        StackGuards.register(stackName(id), guards);
        SipStack stack;
        try {
            stack = factory.createSipStack(properties(id, settings.transport(), settings.security()));
        } catch (Exception e) {
            StackGuards.unregister(stackName(id));
            throw e;
        }
        try {
            ListeningPoint udp = stack.createListeningPoint(settings.bindAddress(), settings.localPort(), "udp");
            int port = udp.getPort();
            ListeningPoint tcp = stack.createListeningPoint(settings.bindAddress(), port, "tcp");
            SipProvider provider = stack.createSipProvider(udp);
            provider.addListeningPoint(tcp);
            int tlsPort = 0;
            if (settings.security().tls()) {
                int wanted = settings.security().tlsPort() > 0 ? settings.security().tlsPort() : port + 1;
                ListeningPoint tls = stack.createListeningPoint(settings.bindAddress(), wanted, "tls");
                provider.addListeningPoint(tls);
                tlsPort = tls.getPort();
            }
            provider.addSipListener(listener);
            guards.admission().answerThrough(provider, factory.createMessageFactory());
            return new SipStackSetup(stack, provider, factory.createAddressFactory(), factory.createHeaderFactory(),
                    factory.createMessageFactory(), port, tlsPort);
        } catch (Exception e) {
            stack.stop();
            StackGuards.unregister(stackName(id));
            throw e;
        }
    }

    /** Stops the stack and forgets its guards. */
    void stop() {
        String name = stack.getStackName();
        stack.stop();
        StackGuards.unregister(name);
    }

    private static String stackName(int id) {
        return "srproxy-sip-" + id;
    }

    private static Properties properties(int id, SipTransportLimits limits, SipSecurity security) {
        Properties p = new Properties();
        p.setProperty("javax.sip.STACK_NAME", stackName(id));
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
        // Admission (rate, trust, stray responses) before any transaction or dialog exists
        p.setProperty("gov.nist.javax.sip.SIP_MESSAGE_VALVE", AdmissionValve.class.getName());
        // TCP on one selector thread (parsed messages go to the stack's THREAD_POOL_SIZE threads),
        // with connection limits and a size check before parsing; UDP stays JAIN-SIP's own
        p.setProperty("gov.nist.javax.sip.MESSAGE_PROCESSOR_FACTORY", BoundedNioProcessorFactory.class.getName());
        p.setProperty("gov.nist.javax.sip.NIO_MAX_SOCKET_IDLE_TIME", Long.toString(limits.tcpIdle().toMillis()));
        // UDP's receive buffer and the TCP parsers' own cap; the NIO parser allocates a body before
        // checking it, which SipStreamSizeCheck prevents
        p.setProperty("gov.nist.javax.sip.MAX_MESSAGE_SIZE", Integer.toString(limits.maxMessageSize()));
        // JAIN-SIP ignores it for NIO (BoundedTcpProcessor limits), kept for its blocking transports
        p.setProperty("gov.nist.javax.sip.MAX_CONNECTIONS", Integer.toString(limits.tcpConnections()));
        if (security.tls()) {
            // keys from PEM (PemSecurityManager); peers need no client certificate; TLS 1.2 or later
            p.setProperty("gov.nist.javax.sip.SECURITY_MANAGER_PROVIDER", PemSecurityManager.class.getName());
            p.setProperty(PemSecurityManager.CERT, security.tlsCert().toString());
            p.setProperty(PemSecurityManager.KEY, security.tlsKey().toString());
            if (security.tlsCa() != null) {
                p.setProperty(PemSecurityManager.CA, security.tlsCa().toString());
            }
            p.setProperty(PemSecurityManager.TRUST_ALL, Boolean.toString(security.tlsTrustAll()));
            p.setProperty("gov.nist.javax.sip.TLS_CLIENT_AUTH_TYPE", "Disabled");
            p.setProperty("gov.nist.javax.sip.TLS_CLIENT_PROTOCOLS", "TLSv1.2,TLSv1.3");
            // JAIN-SIP's default suites are RSA key exchange only: no forward secrecy, no ECDSA certificates
            p.setProperty("gov.nist.javax.sip.ENABLED_CIPHER_SUITES", String.join(" ",
                    "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
                    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
                    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
                    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"));
        }
        if (networkLayerForTests != null) {
            p.setProperty("gov.nist.javax.sip.NETWORK_LAYER", networkLayerForTests);
        }
        // No outbound proxy: out-of-dialog requests name the server in their Request-URI, in-dialog
        // ones follow the route set and the peer's Contact (RFC 3261 12.2.1.1); behind NAT,
        // public_ip in our Contact/Via and rport keep requests and responses reachable.
        return p;
    }
}
