package io.srproxy.rtm.ws;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.srproxy.rtm.RtmError;
import io.srproxy.rtm.RtmEvent;
import io.srproxy.rtm.RtmException;
import io.srproxy.rtm.RtmReply;
import io.srproxy.rtm.RtmRequest;
import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The /rtm JSON format (docs/protocol.md): requests carry {@code cmd} and an optional {@code id},
 * replies echo the id with {@code ok}, events carry {@code event}. The request and event records
 * of {@code io.srproxy.rtm} are the message bodies; their component names are the JSON fields.
 */
public final class RtmWireCodec {

    /** Request fields that may be absent (they default to empty). */
    private static final Set<String> OPTIONAL_FIELDS = Set.of("token", "content", "channelId", "response");

    private static final Map<String, Class<? extends RtmRequest>> COMMANDS = new LinkedHashMap<>();
    private static final Map<Class<?>, String> COMMAND_NAMES = new HashMap<>();
    private static final Map<String, Class<? extends RtmEvent>> EVENTS = new LinkedHashMap<>();
    private static final Map<Class<?>, String> EVENT_NAMES = new HashMap<>();

    static {
        command("login", RtmRequest.Login.class);
        command("logout", RtmRequest.Logout.class);
        command("ping", RtmRequest.Ping.class);
        command("sendMessageToPeer", RtmRequest.SendMessageToPeer.class);
        command("queryPeersOnlineStatus", RtmRequest.QueryPeersOnlineStatus.class);
        command("subscribePeersOnlineStatus", RtmRequest.SubscribePeersOnlineStatus.class);
        command("unsubscribePeersOnlineStatus", RtmRequest.UnsubscribePeersOnlineStatus.class);
        command("invite", RtmRequest.Invite.class);
        command("cancelInvitation", RtmRequest.CancelInvitation.class);
        command("ackInvitation", RtmRequest.AckInvitation.class);
        command("acceptInvitation", RtmRequest.AcceptInvitation.class);
        command("ackAccept", RtmRequest.AckAccept.class);
        command("refuseInvitation", RtmRequest.RefuseInvitation.class);
        command("joinChannel", RtmRequest.JoinChannel.class);
        command("leaveChannel", RtmRequest.LeaveChannel.class);
        command("getChannelMembers", RtmRequest.GetChannelMembers.class);
        command("sendChannelMessage", RtmRequest.SendChannelMessage.class);
        for (Class<?> c : RtmEvent.class.getPermittedSubclasses()) {
            String name = Character.toLowerCase(c.getSimpleName().charAt(0)) + c.getSimpleName().substring(1);
            @SuppressWarnings("unchecked")
            Class<? extends RtmEvent> ec = (Class<? extends RtmEvent>) c;
            EVENTS.put(name, ec);
            EVENT_NAMES.put(c, name);
        }
    }

    private static void command(String name, Class<? extends RtmRequest> type) {
        COMMANDS.put(name, type);
        COMMAND_NAMES.put(type, name);
    }

    private final ObjectMapper mapper = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    /** A request as sent by a client; the frame's {@code id} is put back by {@link #reply}. */
    public record Decoded(JsonNode id, String cmd, RtmRequest request) {}

    public static Set<String> commandNames() {
        return COMMANDS.keySet();
    }

    public static Set<String> eventNames() {
        return EVENTS.keySet();
    }

    // ---- server side

    Decoded decodeRequest(String text) throws WireException {
        JsonNode root;
        try {
            root = mapper.readTree(text);
        } catch (JsonProcessingException e) {
            throw new WireException(RtmError.BAD_JSON, "not JSON: " + e.getOriginalMessage(), null, null);
        }
        if (root == null || !root.isObject()) {
            throw new WireException(RtmError.BAD_JSON, "a frame must be one JSON object", null, null);
        }
        JsonNode id = root.get("id");
        if (id != null && !id.isNumber() && !id.isTextual()) {
            throw new WireException(RtmError.INVALID_ARGUMENT, "'id' must be a number or a string", null, null);
        }
        JsonNode cmdNode = root.get("cmd");
        if (cmdNode == null || !cmdNode.isTextual()) {
            throw new WireException(RtmError.MISSING_FIELD, "'cmd' (a string) is missing", id, null);
        }
        String cmd = cmdNode.asText();
        Class<? extends RtmRequest> type = COMMANDS.get(cmd);
        if (type == null) {
            throw new WireException(RtmError.UNKNOWN_COMMAND, "unknown cmd '" + abbreviate(cmd) + "'; known: "
                    + String.join(", ", COMMANDS.keySet()), id, abbreviate(cmd));
        }
        return new Decoded(id, cmd, build(type, root, id, cmd));
    }

    private static RtmRequest build(Class<? extends RtmRequest> type, JsonNode root, JsonNode id, String cmd)
            throws WireException {
        RecordComponent[] parts = type.getRecordComponents();
        Object[] values = new Object[parts.length];
        Class<?>[] types = new Class<?>[parts.length];
        for (int i = 0; i < parts.length; i++) {
            String name = parts[i].getName();
            types[i] = parts[i].getType();
            JsonNode v = root.get(name);
            if (v == null || v.isNull()) {
                if (!OPTIONAL_FIELDS.contains(name)) {
                    throw new WireException(RtmError.MISSING_FIELD, cmd + " needs field '" + name + "'", id, cmd);
                }
                values[i] = null;
            } else if (types[i] == String.class) {
                if (!v.isTextual()) {
                    throw new WireException(RtmError.INVALID_ARGUMENT, "'" + name + "' must be a JSON string", id, cmd);
                }
                values[i] = v.asText();
            } else if (types[i] == List.class) {
                if (!v.isArray()) {
                    throw new WireException(RtmError.INVALID_ARGUMENT, "'" + name + "' must be a JSON array of strings", id, cmd);
                }
                List<String> list = new ArrayList<>(v.size());
                for (JsonNode e : v) {
                    if (!e.isTextual()) {
                        throw new WireException(RtmError.INVALID_ARGUMENT, "'" + name + "' must hold only strings", id, cmd);
                    }
                    list.add(e.asText());
                }
                values[i] = list;
            } else {
                throw new IllegalStateException("unsupported field type " + types[i]);
            }
        }
        try {
            Constructor<? extends RtmRequest> ctor = type.getDeclaredConstructor(types);
            return ctor.newInstance(values);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    String reply(JsonNode id, RtmReply reply) {
        ObjectNode out = mapper.createObjectNode();
        putId(out, id);
        out.put("ok", true);
        if (reply instanceof RtmReply.PeersOnline p) {
            ObjectNode peers = out.putObject("peers");
            p.peers().forEach(peers::put);
        } else if (reply instanceof RtmReply.ChannelMembers m) {
            m.members().forEach(out.putArray("members")::add);
        }
        return out.toString();
    }

    String error(JsonNode id, String cmd, RtmError error, String message) {
        ObjectNode out = mapper.createObjectNode();
        putId(out, id);
        if (cmd != null) {
            out.put("cmd", cmd);
        }
        out.put("ok", false);
        out.put("error", error.name());
        out.put("message", message);
        return out.toString();
    }

    String event(RtmEvent event) {
        ObjectNode out = mapper.createObjectNode();
        out.put("event", EVENT_NAMES.get(event.getClass()));
        out.setAll((ObjectNode) mapper.valueToTree(event));
        return out.toString();
    }

    // ---- client side

    String request(long id, RtmRequest request) {
        ObjectNode out = mapper.createObjectNode();
        out.put("id", id);
        out.put("cmd", COMMAND_NAMES.get(request.getClass()));
        out.setAll((ObjectNode) mapper.valueToTree(request));
        return out.toString();
    }

    /** A frame from the server: an event, or a reply to request {@code id}. */
    sealed interface Incoming {}

    record IncomingEvent(RtmEvent event) implements Incoming {}

    record IncomingReply(long id, RtmReply reply, RtmException error) implements Incoming {}

    Incoming decodeIncoming(String text) throws JsonProcessingException {
        JsonNode root = mapper.readTree(text);
        JsonNode event = root.get("event");
        if (event != null) {
            Class<? extends RtmEvent> type = EVENTS.get(event.asText());
            if (type == null) {
                throw new IllegalArgumentException("unknown event " + event.asText());
            }
            return new IncomingEvent(mapper.treeToValue(root, type));
        }
        long id = root.path("id").asLong(-1);
        if (root.path("ok").asBoolean(false)) {
            JsonNode peers = root.get("peers");
            if (peers != null) {
                Map<String, Boolean> map = new LinkedHashMap<>();
                peers.fields().forEachRemaining(e -> map.put(e.getKey(), e.getValue().asBoolean()));
                return new IncomingReply(id, new RtmReply.PeersOnline(map), null);
            }
            JsonNode members = root.get("members");
            if (members != null) {
                List<String> uids = new ArrayList<>(members.size());
                members.forEach(m -> uids.add(m.asText()));
                return new IncomingReply(id, new RtmReply.ChannelMembers(List.copyOf(uids)), null);
            }
            return new IncomingReply(id, RtmReply.OK, null);
        }
        RtmError error;
        try {
            error = RtmError.valueOf(root.path("error").asText());
        } catch (IllegalArgumentException unknown) {
            error = RtmError.INTERNAL;
        }
        return new IncomingReply(id, null, new RtmException(error, root.path("message").asText()));
    }

    private static void putId(ObjectNode out, JsonNode id) {
        if (id != null) {
            out.set("id", id);
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 64 ? s : s.substring(0, 64) + "...";
    }
}
