// The srproxy call app: log in, call a user or a SIP number, answer, talk. Built only on the two
// SDKs (srproxy-rtm.js for signalling, srproxy-rtc.js for media), following ARCall's call flow:
// the caller joins the channel first and publishes once accepted; the callee joins after accepting.
import * as rtmModule from '/srproxy-rtm.js';
import * as rtcModule from '/srproxy-rtc.js';
import {
  parseResponse, refusalText, failureText, remoteFailureText, isSipCall, formatDuration, randomChannelId,
} from '/outcomes.js';
import { loadHistory, addToHistory } from '/history.js';
import { startRingback, startRingtone, stopTone } from '/tones.js';

// The SDKs are ES modules; accept both a default export object and named exports.
const RTM = rtmModule.default ?? rtmModule;
const RTC = rtcModule.default ?? rtcModule;

const $ = (id) => document.getElementById(id);
const app = $('app');
const KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '0', '#'];
const MODE_VIDEO = 0;
const MODE_AUDIO = 1;

const state = {
  config: { appId: 'srproxy', tokenRequired: false },
  rtm: null,
  uid: null,
  call: null, // { peer, direction, video, chanId, sip, invitation, rtc, tracks, startedAt, answeredAt, timer }
};

// ---------- screens and notices ----------

function show(screen) {
  app.dataset.screen = screen;
}

function notice(text) {
  $('notice').textContent = text || '';
}

function setConnection(text) {
  $('connection').textContent = text;
}

function renderHistory() {
  const list = $('history');
  list.replaceChildren();
  for (const h of loadHistory()) {
    const li = document.createElement('li');
    const when = new Date(h.startedAt).toLocaleString();
    const arrow = h.direction === 'out' ? '→' : '←';
    li.textContent = `${arrow} ${h.peer} · ${h.video ? 'video' : 'audio'} · ${h.outcome}`
      + (h.seconds ? ` · ${formatDuration(h.seconds)}` : '') + ` · ${when} `;
    const again = document.createElement('button');
    again.type = 'button';
    again.textContent = 'Call';
    again.setAttribute('aria-label', `Call ${h.peer} again`);
    again.addEventListener('click', () => { $('dial-number').value = h.peer; });
    li.append(again);
    list.append(li);
  }
}

function buildKeypad(container, onKey) {
  for (const k of KEYS) {
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = k;
    b.setAttribute('aria-label', `Key ${k}`);
    b.addEventListener('click', () => onKey(k));
    container.append(b);
  }
}

// ---------- log in ----------

async function loadConfig() {
  try {
    const r = await fetch('/api/config');
    if (r.ok) state.config = await r.json();
  } catch { /* defaults */ }
  $('login-token-label').hidden = !state.config.tokenRequired;
}

async function login(event) {
  event.preventDefault();
  const uid = $('login-uid').value.trim();
  const token = $('login-token').value.trim() || undefined;
  notice('');
  $('login-button').disabled = true;
  try {
    const rtm = RTM.createInstance(state.config.appId);
    wireRtm(rtm);
    await rtm.login({ uid, token });
    state.rtm = rtm;
    state.uid = uid;
    localStorage.setItem('srproxy.uid', uid);
    $('me').textContent = `You are ${uid}`;
    renderHistory();
    show('idle');
  } catch (e) {
    notice(`Login failed: ${describeError(e)}`);
  } finally {
    $('login-button').disabled = false;
  }
}

async function logout() {
  await endCall('You logged out', { notifyPeer: true });
  try { await state.rtm?.logout(); } catch { /* already gone */ }
  state.rtm = null;
  state.uid = null;
  $('me').textContent = '';
  setConnection('offline');
  show('login');
}

function describeError(e) {
  return e?.message || e?.reason || e?.code || String(e);
}

function wireRtm(rtm) {
  let wasConnected = false;
  rtm.on('ConnectionStateChanged', (newState, reason) => {
    setConnection(String(newState).toLowerCase());
    if (newState === 'CONNECTED' && wasConnected && state.call) resyncCall();
    if (newState === 'CONNECTED') wasConnected = true;
    if (newState === 'ABORTED') {
      notice(`Logged out: ${reason || 'the connection was closed'}`);
      endCall(null, { notifyPeer: false }).then(() => show('login'));
    }
  });
  rtm.on('MessageFromPeer', (message, peerId) => onPeerMessage(message?.text ?? message, peerId));
  rtm.on('RemoteInvitationReceived', (invitation) => onRemoteInvitation(invitation));
}

// ---------- outgoing calls ----------

async function dial(video) {
  const peer = $('dial-number').value.trim();
  if (!peer || state.call) return;
  if (peer === state.uid) {
    notice('You cannot call yourself');
    return;
  }
  notice('');
  let online;
  try {
    online = (await state.rtm.queryPeersOnlineStatus([peer]))[peer];
  } catch (e) {
    notice(`Cannot reach ${peer}: ${describeError(e)}`);
    return;
  }
  if (!online) {
    notice(`${peer} is offline`);
    addToHistory({ peer, direction: 'out', video, startedAt: Date.now(), seconds: 0, outcome: 'offline' });
    renderHistory();
    return;
  }
  const chanId = randomChannelId();
  const pstn = $('dial-pstn').checked;
  const call = newCall({ peer, direction: 'out', video, chanId, sip: pstn });
  $('outgoing-peer').textContent = peer;
  $('outgoing-state').textContent = 'Calling…';
  show('outgoing');
  try {
    await joinChannel(call, { publish: false });
  } catch (e) {
    await endCall(`Cannot start media: ${describeError(e)}`, { notifyPeer: false, outcome: 'media error' });
    return;
  }
  const invitation = state.rtm.createLocalInvitation(peer);
  call.invitation = invitation;
  invitation.content = JSON.stringify({
    Mode: video ? MODE_VIDEO : MODE_AUDIO, Conference: false, ChanId: chanId, UserData: '', SipData: '',
    Pstn: pstn, VidCodec: ['H264', 'VP8'], AudCodec: ['Opus'],
  });
  invitation.channelId = chanId;
  invitation.on('LocalInvitationReceivedByPeer', () => {
    $('outgoing-state').textContent = 'Ringing…';
    startRingback();
  });
  invitation.on('LocalInvitationAccepted', (response) => onAccepted(call, response));
  invitation.on('LocalInvitationRefused', (response) => endCall(refusalText(response, peer),
    { notifyPeer: false, outcome: parseResponse(response).Cmd === 'Calling' ? 'busy' : 'declined' }));
  invitation.on('LocalInvitationCanceled', () => endCall('Call cancelled', { notifyPeer: false, outcome: 'cancelled' }));
  invitation.on('LocalInvitationFailure', (reason) => endCall(failureText(reason, peer),
    { notifyPeer: false, outcome: String(reason).toLowerCase().replace('_', ' ') }));
  try {
    await invitation.send();
  } catch (e) {
    await endCall(`Call failed: ${describeError(e)}`, { notifyPeer: false, outcome: 'failed' });
  }
}

async function onAccepted(call, response) {
  if (state.call !== call) return;
  call.accepted = true;
  stopTone();
  const r = parseResponse(response);
  if (r.Mode === MODE_AUDIO) call.video = false; // the callee answered as voice
  call.sip = call.sip || isSipCall(response, null);
  await startTalking(call);
}

async function cancelCall() {
  const call = state.call;
  if (!call) return;
  try { await call.invitation?.cancel(); } catch { /* already ended */ }
  await endCall('Call cancelled', { notifyPeer: false, outcome: 'cancelled' });
}

// ---------- incoming calls ----------

function onRemoteInvitation(invitation) {
  const content = parseResponse(invitation.content);
  if (state.call) {
    invitation.response = JSON.stringify({ Cmd: 'Calling', Mode: content.Mode ?? MODE_AUDIO });
    invitation.refuse();
    return;
  }
  const caller = content.DisplayName || invitation.callerId;
  const video = content.Mode === MODE_VIDEO;
  const call = newCall({
    peer: invitation.callerId, label: caller, direction: 'in', video, chanId: content.ChanId,
    sip: isSipCall(null, invitation.content),
  });
  call.invitation = invitation;
  $('incoming-peer').textContent = caller;
  $('incoming-kind').textContent = `${video ? 'Video' : 'Audio'} call${call.sip ? ' from a phone' : ''}`;
  $('accept-call').hidden = false;
  $('accept-audio').hidden = !video;
  show('incoming');
  startRingtone();
  invitation.on('RemoteInvitationCanceled', () => endCall(`Missed call from ${caller}`,
    { notifyPeer: false, outcome: 'missed' }));
  invitation.on('RemoteInvitationFailure', (reason) => endCall(remoteFailureText(reason, caller),
    { notifyPeer: false, outcome: 'failed' }));
}

async function acceptCall(asAudio) {
  const call = state.call;
  if (!call || call.direction !== 'in') return;
  stopTone();
  if (asAudio) call.video = false;
  call.invitation.response = JSON.stringify({
    Mode: call.video ? MODE_VIDEO : MODE_AUDIO, Conference: false, UserData: '', SipData: '',
  });
  try {
    await call.invitation.accept();
    call.accepted = true;
    await joinChannel(call, { publish: false });
    await startTalking(call);
  } catch (e) {
    // the call may have ended meanwhile (the caller hung up): then that is the news, not this error
    if (state.call === call) await endCall(`Could not answer: ${describeError(e)}`, { notifyPeer: true, outcome: 'failed' });
  }
}

async function refuseCall() {
  const call = state.call;
  if (!call) return;
  call.invitation.response = JSON.stringify({ Cmd: 'Refuse' });
  try { await call.invitation.refuse(); } catch { /* already ended */ }
  await endCall(null, { notifyPeer: false, outcome: 'refused' });
}

// ---------- media ----------

function newCall(fields) {
  state.call = { tracks: {}, startedAt: Date.now(), ...fields };
  return state.call;
}

async function joinChannel(call, { publish }) {
  if (call.rtc) return;
  const rtc = RTC.createClient();
  call.rtc = rtc;
  rtc.on('user-published', async (user, mediaType) => {
    if (rtc.subscribe) await rtc.subscribe(user, mediaType);
    if (mediaType === 'audio') user.audioTrack?.play();
    if (mediaType === 'video') user.videoTrack?.play($('remote-video'));
  });
  rtc.on('user-unpublished', (user, mediaType) => {
    if (mediaType === 'video') $('remote-video').replaceChildren();
  });
  rtc.on('user-left', (user) => {
    if (state.call === call && call.accepted && String(user.uid) === String(call.peer)) {
      endCall(`${call.label || call.peer} left the call`, { notifyPeer: false, outcome: 'answered' });
    }
  });
  rtc.on('connection-state-change', (cur) => {
    if (cur === 'DISCONNECTED' && state.call === call && call.answeredAt) {
      notice('Media connection lost');
    }
  });
  await rtc.join(state.config.appId, call.chanId, $('login-token').value.trim() || null, state.uid);
  if (publish) await publishTracks(call);
}

async function publishTracks(call) {
  try {
    call.tracks.audio = await RTC.createMicrophoneAudioTrack();
    if (call.video) {
      call.tracks.video = await RTC.createCameraVideoTrack();
      call.tracks.video.play($('local-video'));
    }
  } catch (e) {
    const denied = e?.name === 'NotAllowedError' || /permission|denied/i.test(String(e?.message));
    throw new Error(denied
      ? 'the browser refused the microphone or camera: allow it in the site settings and call again'
      : `no microphone or camera available (${describeError(e)})`);
  }
  await call.rtc.publish(Object.values(call.tracks).filter(Boolean));
}

async function startTalking(call) {
  try {
    await publishTracks(call);
  } catch (e) {
    await endCall(`Call ended: ${describeError(e)}`, { notifyPeer: true, outcome: 'media error' });
    return;
  }
  call.answeredAt = Date.now();
  $('incall-peer').textContent = call.label || call.peer;
  $('toggle-camera').hidden = !call.video;
  $('toggle-keypad').hidden = !call.sip;
  $('toggle-mute').setAttribute('aria-pressed', 'false');
  $('toggle-mute').textContent = 'Mute';
  show('incall');
  notice('');
  call.timer = setInterval(() => tick(call), 1000);
  tick(call);
}

async function tick(call) {
  $('incall-timer').textContent = formatDuration((Date.now() - call.answeredAt) / 1000);
  try {
    const stats = await call.rtc?.getRTCStats();
    const audio = Object.values((await call.rtc?.getRemoteAudioStats()) || {})[0];
    const received = audio?.receivePackets || 0;
    const lost = audio?.receivePacketsLost || 0;
    const parts = [];
    if (stats?.RTT) parts.push(`RTT ${Math.round(stats.RTT)} ms`);
    if (received + lost > 0) parts.push(`loss ${((100 * lost) / (received + lost)).toFixed(1)}%`);
    $('incall-quality').textContent = parts.join(' · ');
  } catch { /* the call ended while stats were read */ }
}

function toggleMute() {
  const track = state.call?.tracks.audio;
  if (!track) return;
  const muted = $('toggle-mute').getAttribute('aria-pressed') !== 'true';
  track.setEnabled ? track.setEnabled(!muted) : track.setMuted?.(muted);
  $('toggle-mute').setAttribute('aria-pressed', String(muted));
  $('toggle-mute').textContent = muted ? 'Unmute' : 'Mute';
  $('toggle-mute').setAttribute('aria-label', muted ? 'Unmute microphone' : 'Mute microphone');
}

function toggleCamera() {
  const track = state.call?.tracks.video;
  if (!track) return;
  const off = $('toggle-camera').getAttribute('aria-pressed') !== 'true';
  track.setEnabled ? track.setEnabled(!off) : track.setMuted?.(off);
  $('toggle-camera').setAttribute('aria-pressed', String(off));
  $('toggle-camera').textContent = off ? 'Camera on' : 'Camera off';
  $('toggle-camera').setAttribute('aria-label', off ? 'Turn camera on' : 'Turn camera off');
}

function sendTone(key) {
  const track = state.call?.tracks.audio;
  if (track?.sendDtmf) track.sendDtmf(key);
  else notice('This browser cannot send tones');
}

// ---------- in-call messages (ARCall's Cmd convention) ----------

async function sendToPeer(peer, body) {
  try {
    await state.rtm.sendMessageToPeer({ text: JSON.stringify(body) }, peer);
  } catch { /* the peer may be gone; the call ends anyway */ }
}

function onPeerMessage(text, peerId) {
  const msg = parseResponse(text);
  const call = state.call;
  if (msg.Cmd === 'CallState') {
    const inCall = call && call.peer === peerId;
    const s = !inCall ? 0 : call.accepted ? 2 : 1;
    sendToPeer(peerId, { Cmd: 'CallStateResult', state: s, Mode: call?.video ? MODE_VIDEO : MODE_AUDIO });
    return;
  }
  if (!call || call.peer !== peerId) return;
  if (msg.Cmd === 'EndCall') {
    endCall(`${call.label || call.peer} hung up`, { notifyPeer: false, outcome: 'answered' });
  } else if (msg.Cmd === 'SwitchAudio') {
    state.call.video = false;
    state.call.tracks.video?.close?.();
    $('remote-video').replaceChildren();
    $('local-video').replaceChildren();
  } else if (msg.Cmd === 'CallStateResult') {
    state.lastResync = { peer: peerId, state: msg.state, at: Date.now() };
    if (msg.state === 0) endCall(`${call.label || call.peer} is no longer in the call`, { notifyPeer: false, outcome: 'answered' });
  }
}

/** After a reconnect, ask the peer whether the call still stands (ARCall's CallState). */
function resyncCall() {
  const call = state.call;
  if (call?.answeredAt) sendToPeer(call.peer, { Cmd: 'CallState' });
}

// ---------- ending ----------

async function endCall(text, { notifyPeer, outcome } = {}) {
  const call = state.call;
  if (!call) {
    if (text) notice(text);
    return;
  }
  state.call = null; // ends exactly once
  stopTone();
  clearInterval(call.timer);
  // once accepted, the other side is (or is about to be) in the call: tell it, whatever failed here
  if (notifyPeer && call.accepted) await sendToPeer(call.peer, { Cmd: 'EndCall' });
  for (const t of Object.values(call.tracks)) {
    try { t?.close?.(); } catch { /* already closed */ }
  }
  try { await call.rtc?.leave(); } catch { /* not joined */ }
  $('remote-video').replaceChildren();
  $('local-video').replaceChildren();
  const seconds = call.answeredAt ? Math.round((Date.now() - call.answeredAt) / 1000) : 0;
  addToHistory({
    peer: call.peer, direction: call.direction, video: call.video, startedAt: call.startedAt, seconds,
    outcome: outcome || (call.answeredAt ? 'answered' : 'ended'),
  });
  renderHistory();
  notice(text || (call.answeredAt ? `Call ended · ${formatDuration(seconds)}` : ''));
  if (state.rtm) show('idle');
}

async function hangUp() {
  const call = state.call;
  if (!call) return;
  await endCall(`Call ended · ${formatDuration(call.answeredAt ? (Date.now() - call.answeredAt) / 1000 : 0)}`,
    { notifyPeer: true, outcome: 'answered' });
}

// ---------- start ----------

function start() {
  buildKeypad($('dial-keypad'), (k) => { $('dial-number').value += k; });
  buildKeypad($('dtmf-keypad'), sendTone);
  $('login-uid').value = localStorage.getItem('srproxy.uid') || '';
  $('login-form').addEventListener('submit', login);
  $('logout').addEventListener('click', logout);
  $('dial-form').addEventListener('submit', (e) => { e.preventDefault(); dial(false); });
  $('call-video').addEventListener('click', () => $('dial-form').reportValidity() && dial(true));
  $('cancel-call').addEventListener('click', cancelCall);
  $('accept-call').addEventListener('click', () => acceptCall(false));
  $('accept-audio').addEventListener('click', () => acceptCall(true));
  $('refuse-call').addEventListener('click', refuseCall);
  $('hang-up').addEventListener('click', hangUp);
  $('toggle-mute').addEventListener('click', toggleMute);
  $('toggle-camera').addEventListener('click', toggleCamera);
  $('toggle-keypad').addEventListener('click', () => {
    const pad = $('dtmf-keypad');
    pad.hidden = !pad.hidden;
    $('toggle-keypad').setAttribute('aria-expanded', String(!pad.hidden));
  });
  window.addEventListener('beforeunload', () => { if (state.call?.accepted) sendToPeer(state.call.peer, { Cmd: 'EndCall' }); });
  loadConfig();
  show('login');
  window.srproxyApp = { state }; // for automated tests and debugging
}

start();
