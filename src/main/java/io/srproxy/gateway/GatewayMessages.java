package io.srproxy.gateway;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;

/**
 * The JSON texts the gateway sends over RTM: invitation responses, the content of invitations to
 * apps, and the in-call peer commands of ARCall ({@code EndCall}, {@code CallState}, ...). Every
 * response is JSON, since ARCall's web client calls JSON.parse on it.
 */
public final class GatewayMessages {

    /** ARCall's CallStateResult states. */
    public static final int STATE_IDLE = 0;
    public static final int STATE_RINGING = 1;
    public static final int STATE_IN_CALL = 2;

    private static final ObjectMapper JSON = new ObjectMapper();

    private GatewayMessages() {}

    /** app -> SIP accepted: what the original sends, now only once the SIP side has answered. */
    public static String accepted(InvitationContent content, String chanId, String sipNumber) {
        ObjectNode o = JSON.createObjectNode();
        o.put("Mode", content.mode());
        o.put("Conference", content.conference());
        o.put("ChanId", chanId);
        o.put("SipNumber", sipNumber);
        o.put("SipData", "");
        return o.toString();
    }

    /** Content that could not be used. */
    public static String error(String reason) {
        return JSON.createObjectNode().put("Cmd", "Error").put("Reason", reason).toString();
    }

    /** ARCall's busy convention: the callee (or SIP account) already has a call. */
    public static String busy() {
        return JSON.createObjectNode().put("Cmd", "Calling").toString();
    }

    /** The SIP side failed: its status and reason, so the app can show the real outcome. */
    public static String sipError(int code, String reason) {
        return JSON.createObjectNode().put("Cmd", "SipError").put("Code", code).put("Reason", reason).toString();
    }

    /** SIP -> app: the invitation content an app receives for an incoming SIP call. */
    public static String incomingSipCall(String chanId, String displayName, String sipData) {
        ObjectNode o = JSON.createObjectNode();
        o.put("Mode", InvitationContent.MODE_AUDIO);
        o.put("Conference", false);
        o.put("ChanId", chanId);
        o.put("DisplayName", displayName);
        o.put("SipData", sipData);
        return o.toString();
    }

    public static String endCall() {
        return JSON.createObjectNode().put("Cmd", "EndCall").toString();
    }

    /** A DTMF digit the SIP side sent (RFC 4733), passed to the app as a peer message. */
    public static String dtmf(char digit) {
        return JSON.createObjectNode().put("Cmd", "Dtmf").put("Digit", String.valueOf(digit)).toString();
    }

    public static String callStateResult(int state, int mode) {
        return JSON.createObjectNode().put("Cmd", "CallStateResult").put("state", state).put("Mode", mode).toString();
    }

    /** The {@code Cmd} of a peer message, if it is a JSON object with one. */
    public static Optional<String> commandOf(String text) {
        try {
            JsonNode n = JSON.readTree(text);
            return n != null && n.isObject() && n.path("Cmd").isTextual() ? Optional.of(n.get("Cmd").asText()) : Optional.empty();
        } catch (JsonProcessingException e) {
            return Optional.empty();
        }
    }

    /** An app's refusal means "busy" when its response is ARCall's {"Cmd":"Calling"}. */
    public static boolean isBusyResponse(String response) {
        return commandOf(response == null ? "" : response).filter("Calling"::equals).isPresent();
    }
}
