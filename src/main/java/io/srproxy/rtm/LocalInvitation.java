package io.srproxy.rtm;

import java.util.concurrent.atomic.AtomicReference;

/** A call invitation on the caller's side (created by {@link RtmClient#createLocalInvitation}). */
public final class LocalInvitation {

    private final RtmClientCore client;
    private final String invitationId;
    private final String calleeId;
    private final AtomicReference<LocalInvitationState> state = new AtomicReference<>(LocalInvitationState.IDLE);
    private volatile String content = "";
    private volatile String channelId = "";
    private volatile String response = "";

    LocalInvitation(RtmClientCore client, String invitationId, String calleeId) {
        this.client = client;
        this.invitationId = invitationId;
        this.calleeId = calleeId;
    }

    /** Sends it; the outcome comes as listener events. INVALID_ARGUMENT, ALREADY_SENT or ALREADY_END otherwise. */
    public InvitationApiError send() {
        return client.send(this);
    }

    /** Cancels it; CANCELED comes as an event unless an accept or refuse crossed it. */
    public InvitationApiError cancel() {
        return client.cancel(this);
    }

    public String invitationId() {
        return invitationId;
    }

    public String calleeId() {
        return calleeId;
    }

    public LocalInvitationState state() {
        return state.get();
    }

    public String content() {
        return content;
    }

    /** At most 8 KB UTF-8; set before {@link #send()}. */
    public LocalInvitation setContent(String content) {
        this.content = content == null ? "" : content;
        return this;
    }

    public String channelId() {
        return channelId;
    }

    /** At most 64 bytes UTF-8; set before {@link #send()}. */
    public LocalInvitation setChannelId(String channelId) {
        this.channelId = channelId == null ? "" : channelId;
        return this;
    }

    /** The callee's answer once accepted or refused. */
    public String response() {
        return response;
    }

    void response(String value) {
        response = value == null ? "" : value;
    }

    boolean move(LocalInvitationState from, LocalInvitationState to) {
        return state.compareAndSet(from, to);
    }

    void set(LocalInvitationState to) {
        state.set(to);
    }

    @Override
    public String toString() {
        return "LocalInvitation[" + invitationId + " to " + calleeId + " " + state.get() + "]";
    }
}
