package io.srproxy.cluster;

/**
 * One node as it announces itself in Redis (refreshed with each heartbeat).
 *
 * @param id        {@code [cluster] node_id}
 * @param advertise where apps reach its {@code [rtm]} port, {@code host:port}
 * @param startedAt epoch milliseconds of its start
 * @param users     RTM users logged in at it at its last heartbeat
 * @param channels  RTC channels with members at it, at its last heartbeat
 * @param calls     bridged calls (SIP legs) active at it, at its last heartbeat
 */
@com.fasterxml.jackson.annotation.JsonIgnoreProperties(ignoreUnknown = true)
public record NodeInfo(String id, String advertise, long startedAt, int users, int channels, int calls) {}
