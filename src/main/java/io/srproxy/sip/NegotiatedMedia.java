package io.srproxy.sip;

import io.srproxy.media.PayloadFormat;

/**
 * The outcome of offer/answer for one call: the audio codec both sides use, the telephone-event
 * format (null when none), and the remote side's media description.
 */
public record NegotiatedMedia(PayloadFormat audio, PayloadFormat telephoneEvent, int ptime, MediaDirection localDirection,
                              MediaDescription remote) {}
