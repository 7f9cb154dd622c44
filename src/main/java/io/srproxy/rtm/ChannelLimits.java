package io.srproxy.rtm;

/**
 * How big RTM channels may get: {@code [limits] rtm_channel_members} members in one channel and
 * {@code [limits] rtm_channels_per_user} channels joined by one session (Agora's limit is 20).
 */
public record ChannelLimits(int maxMembers, int maxChannelsPerUser) {

    public static final ChannelLimits DEFAULTS = new ChannelLimits(512, 20);

    public ChannelLimits {
        if (maxMembers < 1 || maxChannelsPerUser < 1) {
            throw new IllegalArgumentException("channel limits must be at least 1: " + maxMembers + ", " + maxChannelsPerUser);
        }
    }
}
