package io.srproxy.web;

import java.lang.reflect.Field;
import java.util.Map;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.websocket.api.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets go of a WebSocket upgrade's HTTP request once the socket is open. Jetty 12.1 (12.1.12 and
 * 12.1.14 alike) keeps in each session's {@code CompletedUpgradeResponse} a header map that is a
 * live view of the upgrade's response instead of the copy it also takes, and through the
 * response's negotiation the whole request: HTTP connection, parser, servlet request and
 * response, their header fields and locks, several kilobytes per socket for the socket's life.
 * Replacing the view by a map over the copy frees all that; the map then reads the copy, taken
 * when the response was made (srproxy reads neither).
 */
public final class UpgradeResponseDetach {

    private static final Logger log = LoggerFactory.getLogger(UpgradeResponseDetach.class);
    private static final String COMPLETED = "org.eclipse.jetty.websocket.server.internal.CompletedUpgradeResponse";
    private static final Field HEADERS;
    private static final Field COPY;

    static {
        Field headers = null;
        Field copy = null;
        try {
            Class<?> completed = Class.forName(COMPLETED);
            headers = completed.getDeclaredField("_headers");
            copy = completed.getDeclaredField("_httpFields");
            headers.setAccessible(true);
            copy.setAccessible(true);
        } catch (ReflectiveOperationException | RuntimeException e) {
            // another Jetty: sockets keep their upgrade request, as before, and work the same
            log.debug("cannot detach WebSocket upgrade responses ({}): each socket keeps its upgrade request", e.toString());
            headers = null;
            copy = null;
        }
        HEADERS = headers;
        COPY = copy;
    }

    private UpgradeResponseDetach() {
    }

    /** Whether this Jetty's upgrade responses can be detached (false: nothing is done). */
    public static boolean available() {
        return HEADERS != null;
    }

    /** Called once the socket is open; does nothing if the response is not the kind that needs it. */
    public static void detach(Session session) {
        Object response = session.getUpgradeResponse();
        if (HEADERS == null || response == null || !response.getClass().getName().equals(COMPLETED)) {
            return;
        }
        try {
            Map<String, java.util.List<String>> detached = HttpFields.asMap((HttpFields) COPY.get(response));
            HEADERS.set(response, detached);
        } catch (ReflectiveOperationException | RuntimeException e) {
            log.debug("cannot detach a WebSocket upgrade response: {}", e.toString());
        }
    }
}
