// Words for every way a call can end, from the RTM invitation events and the gateway's JSON
// responses. Pure functions: no DOM, no SDK.

/** Parses an invitation response; the original SRProxy sent plain strings, so tolerate them. */
export function parseResponse(response) {
  if (!response) return {};
  try {
    const value = JSON.parse(response);
    return value && typeof value === 'object' ? value : { text: String(value) };
  } catch {
    return { text: String(response) };
  }
}

/** What a refusal means, in words. */
export function refusalText(response, callee) {
  const r = parseResponse(response);
  if (r.Cmd === 'Calling') return `${callee} is busy`;
  if (r.Cmd === 'SipError') return `${callee}: SIP error ${r.Code} ${r.Reason || ''}`.trim();
  if (r.Cmd === 'Error') return `Call refused: ${r.Reason || 'error'}`;
  if (r.text === 'busy') return `${callee} is busy`;
  return `${callee} declined the call`;
}

const LOCAL_FAILURES = {
  PEER_OFFLINE: (callee) => `${callee} is offline`,
  PEER_NO_RESPONSE: (callee) => `${callee} did not answer`,
  INVITATION_EXPIRE: (callee) => `No answer from ${callee}`,
  NOT_LOGGEDIN: () => 'You are not logged in',
};

/** Text for a LocalInvitationFailure reason (name or the contract's number). */
export function failureText(reason, callee) {
  const byNumber = { 1: 'PEER_OFFLINE', 2: 'PEER_NO_RESPONSE', 3: 'INVITATION_EXPIRE', 4: 'NOT_LOGGEDIN' };
  const name = typeof reason === 'number' ? byNumber[reason] : reason;
  const f = LOCAL_FAILURES[name];
  return f ? f(callee) : `Call to ${callee} failed (${reason})`;
}

/** Text for a RemoteInvitationFailure reason on the callee side. */
export function remoteFailureText(reason, caller) {
  const byNumber = { 1: 'PEER_OFFLINE', 2: 'ACCEPT_FAILURE', 3: 'INVITATION_EXPIRE' };
  const name = typeof reason === 'number' ? byNumber[reason] : reason;
  if (name === 'PEER_OFFLINE') return `${caller} went offline`;
  if (name === 'ACCEPT_FAILURE') return `The call from ${caller} could not be connected`;
  if (name === 'INVITATION_EXPIRE') return `Missed call from ${caller}`;
  return `Call from ${caller} failed (${reason})`;
}

/** Whether a number looks like a SIP/phone call (the gateway's accounts, PSTN numbers). */
export function isSipCall(acceptResponse, inviteContent) {
  const r = parseResponse(acceptResponse);
  const c = parseResponse(inviteContent);
  return Boolean(r.SipNumber || c.DisplayName || c.Pstn);
}

/** mm:ss, or h:mm:ss past an hour. */
export function formatDuration(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  const two = (n) => String(n).padStart(2, '0');
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}:${two(m)}:${two(s % 60)}` : `${two(m)}:${two(s % 60)}`;
}

/** A random 9-digit channel id, as ARCall makes them. */
export function randomChannelId() {
  const n = crypto.getRandomValues(new Uint32Array(1))[0] % 1_000_000_000;
  return String(n).padStart(9, '0');
}
