package io.srproxy.rtm;

import java.util.concurrent.atomic.AtomicReference;

/** A call invitation on the callee's side (from {@link RtmListener#onRemoteInvitationReceived}). */
public final class RemoteInvitation {

    private final RtmClientCore client;
    private final String invitationId;
    private final String callerId;
    private final String content;
    private final String channelId;
    private final AtomicReference<RemoteInvitationState> state =
            new AtomicReference<>(RemoteInvitationState.INVITATION_RECEIVED);
    private volatile String response = "";

    RemoteInvitation(RtmClientCore client, String invitationId, String callerId, String content, String channelId) {
        this.client = client;
        this.invitationId = invitationId;
        this.callerId = callerId;
        this.content = content == null ? "" : content;
        this.channelId = channelId == null ? "" : channelId;
    }

    /** Accepts with {@link #response()}; ACCEPTED comes as an event once the caller has seen it. */
    public InvitationApiError accept() {
        return client.accept(this);
    }

    /** Refuses with {@link #response()}; REFUSED comes as an event unless a cancel crossed it. */
    public InvitationApiError refuse() {
        return client.refuse(this);
    }

    public String invitationId() {
        return invitationId;
    }

    public String callerId() {
        return callerId;
    }

    public String content() {
        return content;
    }

    public String channelId() {
        return channelId;
    }

    public RemoteInvitationState state() {
        return state.get();
    }

    public String response() {
        return response;
    }

    /** At most 8 KB UTF-8; set before {@link #accept()} or {@link #refuse()}. */
    public RemoteInvitation setResponse(String response) {
        this.response = response == null ? "" : response;
        return this;
    }

    boolean move(RemoteInvitationState from, RemoteInvitationState to) {
        return state.compareAndSet(from, to);
    }

    void set(RemoteInvitationState to) {
        state.set(to);
    }

    @Override
    public String toString() {
        return "RemoteInvitation[" + invitationId + " from " + callerId + " " + state.get() + "]";
    }
}
