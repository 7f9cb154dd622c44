package io.srproxy.rtm.ws;

import com.fasterxml.jackson.databind.JsonNode;
import io.srproxy.rtm.RtmError;

/** A frame that cannot become a request: the error, and the request's id and cmd if they were readable. */
final class WireException extends Exception {

    final RtmError error;
    final JsonNode id;
    final String cmd;

    WireException(RtmError error, String message, JsonNode id, String cmd) {
        super(message);
        this.error = error;
        this.id = id;
        this.cmd = cmd;
    }
}
