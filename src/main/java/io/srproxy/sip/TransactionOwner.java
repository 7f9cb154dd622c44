package io.srproxy.sip;

import javax.sip.ResponseEvent;
import javax.sip.TimeoutEvent;

/** Whoever sent a request: the agent routes the transaction's responses and timeout back to it. */
interface TransactionOwner {

    /** Called on a JAIN-SIP thread: hand over and return at once. */
    void onResponse(ResponseEvent event);

    /** Called on a JAIN-SIP thread: hand over and return at once. */
    void onTimeout(TimeoutEvent event);

    /** For requests whose outcome nobody needs (BYE, keepalive OPTIONS). */
    TransactionOwner IGNORE = new TransactionOwner() {
        @Override
        public void onResponse(ResponseEvent event) {}

        @Override
        public void onTimeout(TimeoutEvent event) {}
    };
}
