// The srproxy call app: log in, call a user or a SIP number, answer, talk. Built only on the two
// SDKs (srproxy-rtm.js for signalling, srproxy-rtc.js for media), following ARCall's call flow:
// the caller joins the channel first and publishes once accepted; the callee joins after accepting.
// Group calls follow ARCall's too: the caller invites each number with Conference: true, the
// channel id and the participants in UserData; everyone joins one RTC and one RTM channel, anyone
// may add a participant, and leaving ends no one else's call.
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
  //              group calls add { group: true, members: Map uid -> member, invitations: Map, rtmChannel, speaker }
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
  const numbers = parseNumbers($('dial-number').value);
  if (numbers.length > 1) return startGroupCall(numbers, video);
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
  if (content.Conference === true) {
    onGroupInvitation(invitation, content);
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
  if (call.group) {
    await acceptGroupCall(call);
    return;
  }
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
      call.tracks.video.play(call.group ? tileOf(call, state.uid).querySelector('.media') : $('local-video'));
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
  $('incall-tones').hidden = !call.sip;
  $('incall-sent').textContent = '';
  $('incall-received').textContent = '';
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
  try {
    if (!track?.sendDtmf) throw new Error('This browser cannot send tones');
    track.sendDtmf(key);
    $('incall-sent').textContent += key;
  } catch (e) {
    notice(describeError(e));
  }
}

/** A digit the phone sent (RFC 4733, passed on by the gateway as {"Cmd":"Dtmf"}). */
function showReceivedTone(digit) {
  if (typeof digit === 'string' && /^[0-9*#A-D]$/.test(digit)) $('incall-received').textContent += digit;
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
  if (!call || call.group || call.peer !== peerId) return; // a group call ends for no one's EndCall
  if (msg.Cmd === 'EndCall') {
    endCall(`${call.label || call.peer} hung up`, { notifyPeer: false, outcome: 'answered' });
  } else if (msg.Cmd === 'SwitchAudio') {
    state.call.video = false;
    state.call.tracks.video?.close?.();
    $('remote-video').replaceChildren();
    $('local-video').replaceChildren();
  } else if (msg.Cmd === 'Dtmf') {
    showReceivedTone(msg.Digit);
  } else if (msg.Cmd === 'CallStateResult') {
    state.lastResync = { peer: peerId, state: msg.state, at: Date.now() };
    if (msg.state === 0) endCall(`${call.label || call.peer} is no longer in the call`, { notifyPeer: false, outcome: 'answered' });
  }
}

/** After a reconnect, ask the peer whether the call still stands (ARCall's CallState). */
function resyncCall() {
  const call = state.call;
  if (call?.answeredAt && !call.group) sendToPeer(call.peer, { Cmd: 'CallState' });
}

// ---------- group calls ----------

const WAITING = new Set(['calling', 'ringing', 'accepted']);
const STATE_TEXT = {
  calling: 'calling…', ringing: 'ringing…', accepted: 'connecting…', joined: 'in the call',
  busy: 'busy', declined: 'declined', failed: 'not reached', left: 'left',
};

/** The numbers typed in the dial field: separated by commas or semicolons (not blanks: "+1 555 0100" is one number), each once. */
function parseNumbers(text) {
  return [...new Set(String(text).split(/[,;]/).map((n) => n.trim()).filter(Boolean))];
}

/** UserData of a group invitation: the participants, as an array or a JSON-array string. */
function participantsOf(userData) {
  if (Array.isArray(userData)) return userData.map(String);
  const parsed = parseResponse(userData);
  return Array.isArray(parsed) ? parsed.map(String) : [];
}

function groupContent(call) {
  const others = [...call.members.values()].filter((m) => m.state !== 'left').map((m) => m.uid);
  return JSON.stringify({
    Mode: call.video ? MODE_VIDEO : MODE_AUDIO, Conference: true, ChanId: call.chanId,
    UserData: [state.uid, ...others], SipData: '', VidCodec: ['H264', 'VP8'], AudCodec: ['Opus'],
  });
}

async function startGroupCall(numbers, video) {
  if (state.call) return;
  const others = numbers.filter((n) => n !== state.uid);
  if (others.length < numbers.length) notice('You cannot call yourself: left out');
  if (!others.length) return;
  const call = newCall({
    group: true, peer: others.join(', '), direction: 'out', video, chanId: randomChannelId(),
    members: new Map(), invitations: new Map(), accepted: true,
  });
  for (const n of others) setMember(call, n, { state: 'calling' });
  try {
    await joinGroup(call);
  } catch (e) {
    await endCall(`Cannot start media: ${describeError(e)}`, { notifyPeer: false, outcome: 'media error' });
    return;
  }
  if (state.call !== call) return;
  for (const n of others) invite(call, n);
}

function onGroupInvitation(invitation, content) {
  const caller = content.DisplayName || invitation.callerId;
  const video = content.Mode === MODE_VIDEO;
  const others = participantsOf(content.UserData).filter((u) => u !== state.uid && u !== invitation.callerId);
  const call = newCall({
    group: true, peer: invitation.callerId, label: caller, direction: 'in', video, chanId: content.ChanId,
    members: new Map(), invitations: new Map(),
  });
  call.invitation = invitation;
  $('incoming-peer').textContent = caller;
  $('incoming-kind').textContent = `Group ${video ? 'video' : 'audio'} call`
    + (others.length ? ` with ${others.join(', ')}` : '');
  $('accept-call').hidden = false;
  $('accept-audio').hidden = !video;
  show('incoming');
  startRingtone();
  invitation.on('RemoteInvitationCanceled', () => endCall(`Missed group call from ${caller}`,
    { notifyPeer: false, outcome: 'missed' }));
  invitation.on('RemoteInvitationFailure', (reason) => endCall(remoteFailureText(reason, caller),
    { notifyPeer: false, outcome: 'failed' }));
}

async function acceptGroupCall(call) {
  call.invitation.response = JSON.stringify({
    Mode: call.video ? MODE_VIDEO : MODE_AUDIO, Conference: true, UserData: '', SipData: '',
  });
  try {
    await call.invitation.accept();
    call.accepted = true;
    await joinGroup(call);
  } catch (e) {
    if (state.call === call) await endCall(`Could not join: ${describeError(e)}`, { notifyPeer: false, outcome: 'failed' });
  }
}

/** Joins the call's RTC channel (publishing at once) and its RTM channel, and shows the group screen. */
async function joinGroup(call) {
  const rtc = RTC.createClient();
  call.rtc = rtc;
  rtc.on('user-joined', (user) => { if (state.call === call) setMember(call, String(user.uid), { state: 'joined' }); });
  rtc.on('user-left', (user) => { if (state.call === call) memberLeft(call, String(user.uid)); });
  rtc.on('user-published', async (user, mediaType) => {
    if (state.call !== call) return;
    const uid = String(user.uid);
    setMember(call, uid, { state: 'joined', [mediaType === 'audio' ? 'muted' : 'cameraOff']: false });
    // one subscription at a time: a newcomer gets every member's tracks at once, and each
    // subscription is a renegotiation of its own
    const subscribed = (call.subscribing || Promise.resolve()).then(() => rtc.subscribe(user, mediaType));
    call.subscribing = subscribed.catch(() => {});
    try {
      await subscribed;
    } catch { return; /* left meanwhile */ }
    if (state.call !== call) return;
    if (mediaType === 'audio') user.audioTrack?.play();
    if (mediaType === 'video') {
      user.videoTrack?.play(tileOf(call, uid).querySelector('.media'));
      if (call.speaker !== uid) rtc.setRemoteVideoStreamType(uid, 1).catch(() => {});
    }
  });
  rtc.on('user-unpublished', (user, mediaType) => {
    if (mediaType === 'video' && state.call === call) tileOf(call, String(user.uid)).querySelector('.media').replaceChildren();
  });
  rtc.on('user-info-updated', (uid, what) => {
    if (state.call !== call) return;
    const [verb, kind] = String(what).split('-');
    setMember(call, String(uid), kind === 'audio' ? { muted: verb === 'mute' } : { cameraOff: verb === 'mute' });
  });
  rtc.on('active-speaker', (uid) => { if (state.call === call) setSpeaker(call, String(uid)); });
  rtc.on('connection-state-change', (cur) => {
    if (cur === 'DISCONNECTED' && state.call === call) notice('Media connection lost');
  });
  rtc.enableAudioVolumeIndicator();
  if (call.video) await rtc.enableDualStream();
  showGroup(call);
  await rtc.join(state.config.appId, call.chanId, $('login-token').value.trim() || null, state.uid);
  await publishTracks(call);
  if (state.call !== call) return;
  const channel = state.rtm.createChannel(call.chanId);
  channel.on('ChannelMessage', (message, from) => onGroupMessage(call, parseResponse(message?.text), from));
  channel.on('MemberJoined', (uid) => {
    if (state.call !== call) return;
    if (!call.members.has(uid)) setMember(call, uid, { state: 'accepted' });
    // the newcomer missed the 'Inviting' of the invitations this page still has out: tell them again
    for (const number of call.invitations.keys()) {
      if (number !== uid) tellGroup(call, { Cmd: 'Inviting', Number: number });
    }
  });
  try {
    await channel.join();
    call.rtmChannel = channel;
  } catch (e) {
    notice(`Group messages unavailable: ${describeError(e)}`); // media goes on without them
  }
}

function showGroup(call) {
  call.answeredAt = call.answeredAt || Date.now();
  $('group-title').textContent = call.direction === 'in' ? `Group call from ${call.label || call.peer}` : 'Group call';
  $('group-camera').hidden = !call.video;
  $('group-grid').classList.toggle('audio', !call.video); // name tiles only: smaller
  $('group-mute').setAttribute('aria-pressed', 'false');
  $('group-mute').textContent = 'Mute';
  $('group-camera').setAttribute('aria-pressed', 'false');
  $('group-camera').textContent = 'Camera off';
  $('add-number').value = '';
  tileOf(call, state.uid);
  renderParticipants(call);
  stopTone();
  notice('');
  show('group');
  clearInterval(call.timer);
  call.timer = setInterval(() => { $('group-timer').textContent = formatDuration((Date.now() - call.answeredAt) / 1000); }, 1000);
}

/** Invites `number` (an app user or a SIP extension) into the call's channel. */
function invite(call, number) {
  const invitation = state.rtm.createLocalInvitation(number);
  call.invitations.set(number, invitation);
  setMember(call, number, { state: 'calling' });
  invitation.content = groupContent(call);
  invitation.channelId = call.chanId;
  const ended = (memberState, text) => {
    call.invitations.delete(number);
    if (state.call !== call) return;
    if (call.members.get(number)?.state !== 'joined') setMember(call, number, { state: memberState });
    if (text) notice(text);
    tellGroup(call, { Cmd: 'InviteEnded', Number: number });
    setTimeout(() => dropIfNotJoined(call, number), 4000);
  };
  invitation.on('LocalInvitationReceivedByPeer', () => {
    if (call.members.get(number)?.state === 'calling') setMember(call, number, { state: 'ringing' });
  });
  invitation.on('LocalInvitationAccepted', () => {
    call.invitations.delete(number);
    if (state.call === call && call.members.get(number)?.state !== 'joined') setMember(call, number, { state: 'accepted' });
  });
  invitation.on('LocalInvitationRefused', (response) => ended(
    parseResponse(response).Cmd === 'Calling' ? 'busy' : 'declined', refusalText(response, number)));
  invitation.on('LocalInvitationCanceled', () => ended('left'));
  invitation.on('LocalInvitationFailure', (reason) => ended('failed', failureText(reason, number)));
  tellGroup(call, { Cmd: 'Inviting', Number: number });
  // send() returns an InvitationApiError (or, in other SDKs, a promise)
  Promise.resolve().then(() => invitation.send()).then((r) => {
    if (typeof r === 'string' && r !== 'OK') ended('failed', `${number}: ${r}`);
  }, (e) => ended('failed', `${number}: ${describeError(e)}`));
}

function addParticipant() {
  const call = state.call;
  if (!call?.group) return;
  for (const number of parseNumbers($('add-number').value)) {
    const m = call.members.get(number);
    if (number === state.uid || (m && (m.state === 'joined' || WAITING.has(m.state)))) {
      notice(`${number} is already in the call`);
      continue;
    }
    invite(call, number);
  }
  $('add-number').value = '';
}

/** Another participant invited someone (or gave up): show them as ringing meanwhile. */
function onGroupMessage(call, msg, from) {
  if (state.call !== call || typeof msg.Number !== 'string' || msg.Number === state.uid) return;
  const m = call.members.get(msg.Number);
  if (msg.Cmd === 'Inviting' && (!m || !WAITING.has(m.state) && m.state !== 'joined')) {
    setMember(call, msg.Number, { state: 'ringing', by: from });
  } else if (msg.Cmd === 'InviteEnded' && m && WAITING.has(m.state)) {
    dropIfNotJoined(call, msg.Number);
  }
}

function tellGroup(call, body) {
  call.rtmChannel?.sendMessage({ text: JSON.stringify(body) }).catch(() => { /* best effort */ });
}

function dropIfNotJoined(call, uid) {
  if (state.call !== call || call.members.get(uid)?.state === 'joined' || call.invitations.has(uid)) return;
  call.members.delete(uid);
  tileOf(call, uid, false)?.remove();
  renderParticipants(call);
  endIfAlone(call);
}

function memberLeft(call, uid) {
  setMember(call, uid, { state: 'left' });
  tileOf(call, uid, false)?.remove();
  if (call.speaker === uid) call.speaker = null;
  setTimeout(() => {
    if (state.call === call && call.members.get(uid)?.state === 'left') {
      call.members.delete(uid);
      renderParticipants(call);
    }
  }, 4000);
  endIfAlone(call);
}

/** Nobody else in the call or on the way: it is over for this page too. */
function endIfAlone(call) {
  if (state.call !== call) return;
  const someone = [...call.members.values()].some((m) => m.state === 'joined' || WAITING.has(m.state));
  if (!someone) endCall('Everyone else left the call', { notifyPeer: false, outcome: 'answered' });
}

function setMember(call, uid, fields) {
  if (uid === state.uid) return;
  const m = call.members.get(uid) || { uid, state: 'calling', muted: false, cameraOff: false };
  Object.assign(m, fields);
  call.members.set(uid, m);
  if (m.state === 'joined') tileOf(call, uid);
  renderParticipants(call);
}

/** The grid tile of `uid` (made when missing unless `create` is false). */
function tileOf(call, uid, create = true) {
  const grid = $('group-grid');
  let tile = [...grid.children].find((t) => t.dataset.uid === uid);
  if (!tile && create) {
    tile = document.createElement('div');
    tile.className = 'tile';
    tile.dataset.uid = uid;
    tile.setAttribute('aria-label', uid === state.uid ? 'Your video' : `Video of ${uid}`);
    const media = document.createElement('div');
    media.className = 'media';
    const name = document.createElement('span');
    name.className = 'name';
    name.textContent = uid === state.uid ? `${uid} (you)` : uid;
    tile.append(media, name);
    grid.append(tile);
    if (call.speaker === uid) tile.classList.add('speaker');
  }
  return tile;
}

/** The active speaker's tile is the large one; with dual stream only it gets the high layer. */
function setSpeaker(call, uid) {
  const previous = call.speaker;
  call.speaker = uid;
  for (const t of $('group-grid').children) t.classList.toggle('speaker', t.dataset.uid === uid);
  if (call.video) {
    if (previous && previous !== state.uid) call.rtc.setRemoteVideoStreamType(previous, 1).catch(() => {});
    if (uid !== state.uid) call.rtc.setRemoteVideoStreamType(uid, 0).catch(() => {});
  }
  renderParticipants(call);
}

function renderParticipants(call) {
  const list = $('participants');
  const me = { uid: state.uid, state: 'joined', muted: $('group-mute').getAttribute('aria-pressed') === 'true', cameraOff: false };
  const rows = [me, ...call.members.values()];
  list.replaceChildren(...rows.map((m) => {
    const li = document.createElement('li');
    li.dataset.uid = m.uid;
    li.dataset.state = m.state;
    li.dataset.muted = String(!!m.muted);
    const parts = [m.uid === state.uid ? `${m.uid} (you)` : m.uid, STATE_TEXT[m.state] || m.state];
    if (m.state === 'joined' && m.muted) parts.push('muted');
    if (m.state === 'joined' && call.video && m.cameraOff) parts.push('camera off');
    if (call.speaker === m.uid) parts.push('speaking');
    li.textContent = parts.join(' · ');
    return li;
  }));
  const inCall = rows.filter((m) => m.state === 'joined').length;
  $('group-count').textContent = `${inCall} in the call`;
}

function toggleGroupMute() {
  const call = state.call;
  const track = call?.tracks.audio;
  if (!track) return;
  const muted = $('group-mute').getAttribute('aria-pressed') !== 'true';
  track.setMuted(muted);
  $('group-mute').setAttribute('aria-pressed', String(muted));
  $('group-mute').textContent = muted ? 'Unmute' : 'Mute';
  $('group-mute').setAttribute('aria-label', muted ? 'Unmute microphone' : 'Mute microphone');
  renderParticipants(call);
}

function toggleGroupCamera() {
  const track = state.call?.tracks.video;
  if (!track) return;
  const off = $('group-camera').getAttribute('aria-pressed') !== 'true';
  track.setMuted(off);
  $('group-camera').setAttribute('aria-pressed', String(off));
  $('group-camera').textContent = off ? 'Camera on' : 'Camera off';
  $('group-camera').setAttribute('aria-label', off ? 'Turn camera on' : 'Turn camera off');
}

async function leaveGroupCall() {
  const call = state.call;
  if (!call?.group) return;
  await endCall(`You left the call · ${formatDuration((Date.now() - call.answeredAt) / 1000)}`,
    { notifyPeer: false, outcome: 'left' });
}

/** What leaving takes besides the media: our unanswered invitations and the RTM channel. No one else's call ends. */
async function leaveGroup(call) {
  for (const invitation of call.invitations.values()) {
    try { await invitation.cancel(); } catch { /* answered meanwhile */ }
  }
  call.invitations.clear();
  try { await call.rtmChannel?.leave(); } catch { /* gone with the connection */ }
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
  if (notifyPeer && call.accepted && !call.group) await sendToPeer(call.peer, { Cmd: 'EndCall' });
  if (call.group) await leaveGroup(call);
  for (const t of Object.values(call.tracks)) {
    try { t?.close?.(); } catch { /* already closed */ }
  }
  try { await call.rtc?.leave(); } catch { /* not joined */ }
  $('remote-video').replaceChildren();
  $('local-video').replaceChildren();
  $('group-grid').replaceChildren();
  $('participants').replaceChildren();
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
  $('add-form').addEventListener('submit', (e) => { e.preventDefault(); addParticipant(); });
  $('group-mute').addEventListener('click', toggleGroupMute);
  $('group-camera').addEventListener('click', toggleGroupCamera);
  $('leave-call').addEventListener('click', leaveGroupCall);
  window.addEventListener('beforeunload', () => { if (state.call?.accepted && !state.call.group) sendToPeer(state.call.peer, { Cmd: 'EndCall' }); });
  loadConfig();
  show('login');
  window.srproxyApp = { state }; // for automated tests and debugging
}

start();
