package io.srproxy.rtm.cluster;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.srproxy.rtm.RtmDirectory;
import io.srproxy.rtm.RtmEvent;
import io.srproxy.rtm.RtmRequest;
import java.util.HashMap;
import java.util.Map;

/**
 * {@link RtmDirectory.NodeMessage}s as JSON on a node's inbox channel: the record's fields, its
 * kind in {@code t}, and the kind of the event or request it carries in {@code eventType} /
 * {@code requestType}. Nodes of one cluster run the same version.
 */
final class NodeMessageCodec {

    private static final Map<String, Class<?>> KINDS = byName(RtmDirectory.NodeMessage.class.getPermittedSubclasses());
    private static final Map<String, Class<?>> EVENTS = byName(RtmEvent.class.getPermittedSubclasses());
    private static final Map<String, Class<?>> REQUESTS = byName(RtmRequest.class.getPermittedSubclasses());

    private final ObjectMapper mapper = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private static Map<String, Class<?>> byName(Class<?>[] types) {
        Map<String, Class<?>> m = new HashMap<>();
        for (Class<?> t : types) {
            m.put(t.getSimpleName(), t);
        }
        return Map.copyOf(m);
    }

    String encode(RtmDirectory.NodeMessage message) {
        ObjectNode o = mapper.valueToTree(message);
        o.put("t", message.getClass().getSimpleName());
        if (message instanceof RtmDirectory.Deliver d) {
            o.put("eventType", d.event().getClass().getSimpleName());
        } else if (message instanceof RtmDirectory.ToChannel c) {
            o.put("eventType", c.event().getClass().getSimpleName());
        } else if (message instanceof RtmDirectory.Forward f) {
            o.put("requestType", f.request().getClass().getSimpleName());
        }
        return o.toString();
    }

    RtmDirectory.NodeMessage decode(String text) {
        try {
            JsonNode o = mapper.readTree(text);
            Class<?> kind = known(KINDS, o.path("t").asText(), "message");
            if (kind == RtmDirectory.Deliver.class) {
                RtmEvent event = (RtmEvent) mapper.treeToValue(o.get("event"), known(EVENTS, o.path("eventType").asText(), "event"));
                return new RtmDirectory.Deliver(o.path("from").asText(),
                        mapper.treeToValue(o.get("to"), RtmDirectory.SessionRef.class), event);
            }
            if (kind == RtmDirectory.ToChannel.class) {
                RtmEvent event = (RtmEvent) mapper.treeToValue(o.get("event"), known(EVENTS, o.path("eventType").asText(), "event"));
                return new RtmDirectory.ToChannel(o.path("from").asText(), o.path("channelId").asText(), event);
            }
            if (kind == RtmDirectory.Forward.class) {
                RtmRequest request = (RtmRequest) mapper.treeToValue(o.get("request"),
                        known(REQUESTS, o.path("requestType").asText(), "request"));
                return new RtmDirectory.Forward(o.path("from").asText(),
                        mapper.treeToValue(o.get("session"), RtmDirectory.SessionRef.class), o.path("requestId").asLong(), request);
            }
            return (RtmDirectory.NodeMessage) mapper.treeToValue(o, kind);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a node message: " + e.getOriginalMessage(), e);
        }
    }

    private static Class<?> known(Map<String, Class<?>> kinds, String name, String what) {
        Class<?> c = kinds.get(name);
        if (c == null) {
            throw new IllegalArgumentException("unknown " + what + " kind '" + name + "'");
        }
        return c;
    }
}
