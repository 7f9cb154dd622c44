package io.srproxy.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * srproxy's own list of active calls (GET /api/calls), read after the phones have stopped: any
 * call still there, and older than a call's hold time, is one that never ended (a leak).
 */
final class ActiveCalls {

    /** One active call as /api/calls shows it. */
    record Call(String id, String direction, String uid, String channelId, String startedAt, String answeredAt) {
        @Override
        public String toString() {
            return direction + " uid " + uid + " channel " + channelId + " started " + startedAt + " answered "
                    + (answeredAt == null ? "never" : answeredAt) + " (" + id + ")";
        }
    }

    private ActiveCalls() {}

    /** The active calls that started more than {@code olderThan} ago. */
    static List<Call> olderThan(int webPort, Duration olderThan) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + webPort + "/api/calls"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        Instant cutoff = Instant.now().minus(olderThan);
        List<Call> out = new ArrayList<>();
        for (JsonNode c : new ObjectMapper().readTree(r.body()).path("active")) {
            String started = c.path("startedAt").asText();
            if (Instant.parse(started).isBefore(cutoff)) {
                out.add(new Call(c.path("id").asText(), c.path("direction").asText(), c.path("uid").asText(),
                        c.path("channelId").asText(), started, c.path("answeredAt").isNull() ? null : c.path("answeredAt").asText()));
            }
        }
        return out;
    }
}
