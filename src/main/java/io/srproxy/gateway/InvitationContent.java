package io.srproxy.gateway;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;

/**
 * The JSON content of an app's call invitation (ARCall's convention), read leniently because
 * clients differ: {@code Conference} may be a boolean or 0/1, codec lists may be arrays or a
 * JSON-array string, {@code UserData} may be a string or an array.
 *
 * @param mode       0 video call, 1 audio call
 * @param chanId     the RTC channel both sides join; empty when the app left it out
 * @param sipData    app -> SIP: the number to show or dial
 * @param pstn       route to the PSTN gateway
 */
public record InvitationContent(int mode, boolean conference, String chanId, String userData, String sipData,
                                boolean pstn, String displayName, List<String> vidCodec, List<String> audCodec) {

    public static final int MODE_VIDEO = 0;
    public static final int MODE_AUDIO = 1;

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Content that is not a JSON object; the reason is sent back to the app. */
    public static final class Invalid extends Exception {
        public Invalid(String reason) {
            super(reason);
        }
    }

    public static InvitationContent parse(String content) throws Invalid {
        if (content == null || content.isBlank()) {
            throw new Invalid("invitation content is empty; expected a JSON object");
        }
        JsonNode root;
        try {
            root = JSON.readTree(content);
        } catch (JsonProcessingException e) {
            throw new Invalid("invitation content is not JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new Invalid("invitation content must be a JSON object");
        }
        return new InvitationContent(
                intOf(root, "Mode", MODE_AUDIO),
                boolOf(root, "Conference"),
                textOf(root, "ChanId"),
                root.path("UserData").isContainerNode() ? root.get("UserData").toString() : textOf(root, "UserData"),
                textOf(root, "SipData"),
                boolOf(root, "Pstn"),
                textOf(root, "DisplayName"),
                listOf(root.get("VidCodec")),
                listOf(root.get("AudCodec")));
    }

    public boolean audioOnly() {
        return mode == MODE_AUDIO;
    }

    private static int intOf(JsonNode root, String key, int fallback) throws Invalid {
        JsonNode n = root.get(key);
        if (n == null || n.isNull()) {
            return fallback;
        }
        if (n.isIntegralNumber()) {
            return n.asInt();
        }
        if (n.isTextual() && n.asText().matches("-?\\d{1,9}")) {
            return Integer.parseInt(n.asText());
        }
        throw new Invalid(key + " must be a number, got " + n);
    }

    private static boolean boolOf(JsonNode root, String key) throws Invalid {
        JsonNode n = root.get(key);
        if (n == null || n.isNull()) {
            return false;
        }
        if (n.isBoolean()) {
            return n.asBoolean();
        }
        if (n.isIntegralNumber()) {
            return n.asInt() != 0; // SRProxy itself sends "Conference":0
        }
        if (n.isTextual() && (n.asText().equals("true") || n.asText().equals("false"))) {
            return Boolean.parseBoolean(n.asText());
        }
        throw new Invalid(key + " must be true/false or 0/1, got " + n);
    }

    private static String textOf(JsonNode root, String key) {
        JsonNode n = root.get(key);
        if (n == null || n.isNull()) {
            return "";
        }
        return n.isValueNode() ? n.asText() : n.toString();
    }

    private static List<String> listOf(JsonNode n) {
        List<String> out = new ArrayList<>();
        if (n == null || n.isNull()) {
            return out;
        }
        JsonNode array = n;
        if (n.isTextual()) {
            try {
                array = JSON.readTree(n.asText());
            } catch (JsonProcessingException e) {
                out.add(n.asText()); // a single codec name
                return out;
            }
        }
        if (array != null && array.isArray()) {
            array.forEach(e -> out.add(e.asText()));
        } else if (array != null && array.isValueNode()) {
            out.add(array.asText());
        }
        return List.copyOf(out);
    }
}
