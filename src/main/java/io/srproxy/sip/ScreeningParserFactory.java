package io.srproxy.sip;

import gov.nist.javax.sip.message.SIPMessage;
import gov.nist.javax.sip.message.SIPRequest;
import gov.nist.javax.sip.parser.MessageParser;
import gov.nist.javax.sip.parser.MessageParserFactory;
import gov.nist.javax.sip.parser.ParseExceptionListener;
import gov.nist.javax.sip.parser.StringMsgParser;
import gov.nist.javax.sip.stack.SIPTransactionStack;
import java.text.ParseException;
import java.util.Optional;

/**
 * JAIN-SIP's parser, plus {@link WireSyntax} on each request's raw bytes while they are still at
 * hand: what it finds rides on the parsed request (its application data) to
 * {@link RequestScreening}, which answers it. Named in the stack's MESSAGE_PARSER_FACTORY property,
 * so it must be public with a public no-argument constructor.
 */
public final class ScreeningParserFactory implements MessageParserFactory {

    @Override
    public MessageParser createMessageParser(SIPTransactionStack stack) {
        return new ScreeningParser();
    }

    private static final class ScreeningParser implements MessageParser {
        private final StringMsgParser parser = new StringMsgParser();

        @Override
        public SIPMessage parseSIPMessage(byte[] bytes, boolean readBody, boolean strict,
                                          ParseExceptionListener exceptionListener) throws ParseException {
            SIPMessage message = parser.parseSIPMessage(bytes, readBody, strict, exceptionListener);
            if (message instanceof SIPRequest request && bytes != null) {
                Optional<Refusal> problem = WireSyntax.check(bytes);
                problem.ifPresent(request::setApplicationData);
            }
            return message;
        }
    }
}
