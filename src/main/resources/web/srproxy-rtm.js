// srproxy RTM web SDK: signalling (login, presence, peer messages, call invitations, channels) over the
// /rtm WebSocket of an srproxy server. An ES module with no build step; names follow the
// anyRTC/Agora RTM web SDKs. Protocol: docs/protocol.md, section "/rtm: signalling".
//
//   import { createInstance } from '/srproxy-rtm.js';
//   const client = createInstance('srproxy');           // or createInstance(appId, { url: 'wss://host/rtm' })
//                                                       // or { servers: ['wss://a/rtm', 'wss://b/rtm'] } (reconnects go to the next)
//   client.on('MessageFromPeer', (message, peerId) => console.log(peerId, message.text));
//   await client.login({ uid: '1001' });
//   const channel = client.createChannel('room');
//   channel.on('ChannelMessage', (message, memberId) => console.log(memberId, message.text));
//   await channel.join();

export const ConnectionState = Object.freeze({
  DISCONNECTED: 'DISCONNECTED', CONNECTING: 'CONNECTING', CONNECTED: 'CONNECTED',
  RECONNECTING: 'RECONNECTING', ABORTED: 'ABORTED',
});

export const ConnectionChangeReason = Object.freeze({
  LOGIN: 'LOGIN', LOGIN_SUCCESS: 'LOGIN_SUCCESS', LOGIN_FAILURE: 'LOGIN_FAILURE', LOGIN_TIMEOUT: 'LOGIN_TIMEOUT',
  INTERRUPTED: 'INTERRUPTED', LOGOUT: 'LOGOUT', BANNED_BY_SERVER: 'BANNED_BY_SERVER', REMOTE_LOGIN: 'REMOTE_LOGIN',
});

export const LocalInvitationState = Object.freeze({
  IDLE: 'IDLE', SENT_TO_REMOTE: 'SENT_TO_REMOTE', RECEIVED_BY_REMOTE: 'RECEIVED_BY_REMOTE',
  ACCEPTED_BY_REMOTE: 'ACCEPTED_BY_REMOTE', REFUSED_BY_REMOTE: 'REFUSED_BY_REMOTE', CANCELED: 'CANCELED',
  FAILURE: 'FAILURE',
});

export const RemoteInvitationState = Object.freeze({
  INVITATION_RECEIVED: 'INVITATION_RECEIVED', ACCEPT_SENT_TO_LOCAL: 'ACCEPT_SENT_TO_LOCAL', REFUSED: 'REFUSED',
  ACCEPTED: 'ACCEPTED', CANCELED: 'CANCELED', FAILURE: 'FAILURE',
});

/** What send(), cancel(), accept() and refuse() return. */
export const InvitationApiError = Object.freeze({
  OK: 'OK', INVALID_ARGUMENT: 'INVALID_ARGUMENT', NOT_STARTED: 'NOT_STARTED', ALREADY_END: 'ALREADY_END',
  ALREADY_ACCEPT: 'ALREADY_ACCEPT', ALREADY_SENT: 'ALREADY_SENT',
});

export const Limits = Object.freeze({
  MAX_UID_BYTES: 64, MAX_MESSAGE_BYTES: 32 * 1024, MAX_INVITATION_CONTENT_BYTES: 8 * 1024, MAX_CHANNEL_ID_BYTES: 64,
});

/** This SDK's version (ArRTM.VERSION in /sdk/ArRTM.js). */
export const VERSION = '0.2.0';

const PING_INTERVAL_MS = 10000;
const LOCAL_FINAL = new Set(['ACCEPTED_BY_REMOTE', 'REFUSED_BY_REMOTE', 'CANCELED', 'FAILURE']);
const REMOTE_FINAL = new Set(['REFUSED', 'ACCEPTED', 'CANCELED', 'FAILURE']);
const encoder = new TextEncoder();
const bytes = (s) => encoder.encode(s ?? '').length;

/** A failed request: `code` is the server's error name (PEER_OFFLINE, INVALID_ARGUMENT, ...). */
export class RtmError extends Error {
  constructor(code, message) {
    super(`${code}: ${message}`);
    this.name = 'RtmError';
    this.code = code;
  }
}

class Emitter {
  #handlers = new Map();

  on(event, handler) {
    if (!this.#handlers.has(event)) this.#handlers.set(event, new Set());
    this.#handlers.get(event).add(handler);
    return this;
  }

  off(event, handler) {
    this.#handlers.get(event)?.delete(handler);
    return this;
  }

  once(event, handler) {
    const wrapped = (...args) => { this.off(event, wrapped); handler(...args); };
    return this.on(event, wrapped);
  }

  emit(event, ...args) {
    for (const h of [...(this.#handlers.get(event) ?? [])]) {
      try { h(...args); } catch (e) { console.error(`srproxy-rtm: ${event} handler failed`, e); }
    }
  }
}

function randomId() {
  if (globalThis.crypto?.randomUUID) return crypto.randomUUID();
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
}

/** ws(s)://<the host that served this module>/rtm, or the page's host. */
function defaultUrl() {
  let base;
  try { base = new URL(import.meta.url); } catch { base = null; }
  if (!base || !base.protocol.startsWith('http')) base = new URL(globalThis.location.href);
  return `${base.protocol === 'https:' ? 'wss:' : 'ws:'}//${base.host}/rtm`;
}

/** anyRTC's private deployment settings {confPriCloudAddr: {ServerAdd, Port, Wss}} -> ws(s)://ServerAdd:Port/rtm, or null. */
function privateCloudUrl(params) {
  const addr = params && (params.confPriCloudAddr || params.ConfPriCloudAddr);
  if (!addr) return null;
  if (!addr.ServerAdd) throw new RtmError('INVALID_ARGUMENT', 'confPriCloudAddr needs ServerAdd (the srproxy host)');
  const host = String(addr.ServerAdd);
  const bracketed = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return `${addr.Wss ? 'wss' : 'ws'}://${bracketed}${addr.Port ? `:${addr.Port}` : ''}/rtm`;
}

/** The caller's side of a call invitation. Events: LocalInvitationReceivedByPeer, ...Accepted(response), ...Refused(response), ...Canceled, ...Failure(reason). */
export class LocalInvitation extends Emitter {
  #client;

  constructor(client, calleeId) {
    super();
    this.#client = client;
    this.invitationId = randomId();
    this.calleeId = calleeId;
    this.content = '';
    this.channelId = '';
    this.response = '';
    this.state = LocalInvitationState.IDLE;
  }

  /** Returns an InvitationApiError; the outcome comes as events. */
  send() { return this.#client._sendInvitation(this); }

  /** Returns an InvitationApiError; CANCELED comes as an event unless an answer crossed it. */
  cancel() { return this.#client._cancelInvitation(this); }
}

/** The callee's side. Set `response`, then accept() or refuse(). Events: RemoteInvitationAccepted, ...Refused, ...Canceled, ...Failure(reason). */
export class RemoteInvitation extends Emitter {
  #client;

  constructor(client, e) {
    super();
    this.#client = client;
    this.invitationId = e.invitationId;
    this.callerId = e.callerId;
    this.content = e.content ?? '';
    this.channelId = e.channelId ?? '';
    this.response = '';
    this.state = RemoteInvitationState.INVITATION_RECEIVED;
  }

  accept() { return this.#client._answerInvitation(this, true); }

  refuse() { return this.#client._answerInvitation(this, false); }
}

/**
 * One channel of a client (from client.createChannel(channelId)). Events: ChannelMessage({text,
 * messageType: 'TEXT'}, memberId), MemberJoined(memberId), MemberLeft(memberId),
 * MemberCountUpdated(memberCount). Promises reject with RtmError codes ALREADY_JOINED,
 * TOO_MANY_CHANNELS, CHANNEL_FULL, NOT_IN_CHANNEL, INVALID_ARGUMENT, NOT_LOGGED_IN.
 */
export class RtmChannel extends Emitter {
  #client;

  constructor(client, channelId) {
    super();
    this.#client = client;
    this.channelId = channelId;
  }

  /** Joins; the others get MemberJoined. Re-joined by the client after it logs in again on a lost link. */
  join() { return this.#client._joinChannel(this); }

  leave() { return this.#client._leaveChannel(this); }

  /** Resolves the members' uids (this client's included), in the order they joined. */
  getMembers() { return this.#client._channelMembers(this); }

  /** To every other member. */
  sendMessage(message) { return this.#client._sendChannelMessage(this, message); }
}

/**
 * One RTM user. Events: ConnectionStateChanged(newState, reason), MessageFromPeer({text}, peerId),
 * PeersOnlineStatusChanged({uid: 'ONLINE'|'OFFLINE'}), RemoteInvitationReceived(remoteInvitation).
 * Invitation events are emitted on the invitation and, with the invitation first, on the client.
 */
export class RtmClient extends Emitter {
  #appId;
  #url;
  #ws = null;
  #seq = 0;
  #pending = new Map();
  #locals = new Map();
  #remotes = new Map();
  #channels = new Map(); // channelId -> RtmChannel joined (kept while RECONNECTING, to join again)
  #ping = null;
  #credentials = null; // what to log in with again after a lost link
  #reconnect;
  #retry = null;
  /** Several srproxy nodes: the /rtm URLs tried in turn when reconnecting (the link's node may be gone). */
  #servers;
  #serverIndex = 0;

  constructor(appId, options = {}) {
    super();
    this.#appId = appId;
    this.#servers = Array.isArray(options.servers) && options.servers.length ? options.servers.map(String) : null;
    this.#url = this.#servers ? this.#servers[0] : (options.url ?? defaultUrl());
    this.#reconnect = options.reconnect !== false;
    this.connectionState = ConnectionState.DISCONNECTED;
    this.uid = null;
  }

  /** anyRTC's private deployment settings: {confPriCloudAddr: {ServerAdd, Port, Wss}} picks the srproxy; before login. */
  setParameters(params) {
    const url = privateCloudUrl(params);
    if (url) this.#url = url;
  }

  async login({ uid, token } = {}) {
    if (typeof uid === 'number') uid = String(uid); // anyRTC apps often keep numeric ids
    if (this.connectionState === ConnectionState.CONNECTING || this.connectionState === ConnectionState.CONNECTED) {
      throw new RtmError('ALREADY_LOGGED_IN', `this client is ${this.connectionState}`);
    }
    this.#setState(ConnectionState.CONNECTING, ConnectionChangeReason.LOGIN);
    try {
      await this.#open();
      await this.#request('login', { appId: this.#appId, uid, token: token ?? null });
    } catch (e) {
      this.#closeSocket();
      this.#setState(ConnectionState.DISCONNECTED, ConnectionChangeReason.LOGIN_FAILURE);
      throw e;
    }
    this.uid = uid;
    this.#credentials = { uid, token: token ?? null };
    this.#setState(ConnectionState.CONNECTED, ConnectionChangeReason.LOGIN_SUCCESS);
  }

  async logout() {
    if (this.connectionState === ConnectionState.RECONNECTING) {
      this.#stopReconnecting(ConnectionState.DISCONNECTED, ConnectionChangeReason.LOGOUT);
      return;
    }
    if (this.connectionState !== ConnectionState.CONNECTED) return;
    try { await this.#request('logout', {}); } catch { /* the session is gone either way */ }
    this.#sessionGone(ConnectionState.DISCONNECTED, ConnectionChangeReason.LOGOUT);
  }

  /** Resolves {hasPeerReceived: true}; rejects with RtmError code PEER_OFFLINE when the peer is not online. */
  async sendMessageToPeer(message, peerId) {
    await this.#request('sendMessageToPeer', { peerId, text: message?.text ?? '' });
    return { hasPeerReceived: true };
  }

  /** Resolves {uid: true|false}. */
  async queryPeersOnlineStatus(peerIds) {
    return (await this.#request('queryPeersOnlineStatus', { peerIds })).peers;
  }

  /** The current state of each peer arrives at once as PeersOnlineStatusChanged, then every change. */
  async subscribePeersOnlineStatus(peerIds) {
    await this.#request('subscribePeersOnlineStatus', { peerIds });
  }

  async unsubscribePeersOnlineStatus(peerIds) {
    await this.#request('unsubscribePeersOnlineStatus', { peerIds });
  }

  createLocalInvitation(calleeId) {
    return new LocalInvitation(this, String(calleeId));
  }

  /** A channel object; nothing is sent until join(). Ids: 1..64 bytes UTF-8 without control characters. */
  createChannel(channelId) {
    return new RtmChannel(this, String(channelId));
  }

  // ---- channel calls (used by the channel objects)

  async _joinChannel(channel) {
    const joined = this.#channels.get(channel.channelId);
    if (joined && joined !== channel) {
      throw new RtmError('ALREADY_JOINED', `channel '${channel.channelId}' is joined through another channel object`);
    }
    await this.#request('joinChannel', { channelId: channel.channelId });
    this.#channels.set(channel.channelId, channel);
  }

  async _leaveChannel(channel) {
    try {
      await this.#request('leaveChannel', { channelId: channel.channelId });
    } finally {
      // not joined again after a reconnection either way
      if (this.#channels.get(channel.channelId) === channel) this.#channels.delete(channel.channelId);
    }
  }

  async _channelMembers(channel) {
    return (await this.#request('getChannelMembers', { channelId: channel.channelId })).members;
  }

  async _sendChannelMessage(channel, message) {
    const text = message?.text ?? '';
    if (bytes(text) > Limits.MAX_MESSAGE_BYTES) {
      throw new RtmError('INVALID_ARGUMENT', `text is ${bytes(text)} bytes; at most ${Limits.MAX_MESSAGE_BYTES} bytes UTF-8`);
    }
    await this.#request('sendChannelMessage', { channelId: channel.channelId, text });
  }

  /** After a new login on a lost link: the server dropped the old session's channels; join them again. */
  #rejoinChannels() {
    for (const [channelId, channel] of this.#channels) {
      this.#request('joinChannel', { channelId }).catch((e) => {
        if (e.code === 'ALREADY_JOINED') return;
        if (this.#channels.get(channelId) === channel) this.#channels.delete(channelId);
        console.warn(`srproxy-rtm: could not join channel ${channelId} again`, e);
      });
    }
  }

  // ---- invitation calls (used by the invitation objects)

  _sendInvitation(inv) {
    if (bytes(inv.content) > Limits.MAX_INVITATION_CONTENT_BYTES || bytes(inv.channelId) > Limits.MAX_CHANNEL_ID_BYTES
        || !inv.calleeId || bytes(inv.calleeId) > Limits.MAX_UID_BYTES || inv.calleeId === this.uid) {
      return InvitationApiError.INVALID_ARGUMENT;
    }
    if (inv.state !== LocalInvitationState.IDLE) {
      return LOCAL_FINAL.has(inv.state) ? InvitationApiError.ALREADY_END : InvitationApiError.ALREADY_SENT;
    }
    inv.state = LocalInvitationState.SENT_TO_REMOTE;
    if (this.connectionState !== ConnectionState.CONNECTED) {
      inv.state = LocalInvitationState.FAILURE;
      queueMicrotask(() => this.#emitLocal(inv, 'LocalInvitationFailure', 'NOT_LOGGEDIN'));
      return InvitationApiError.OK;
    }
    this.#locals.set(inv.invitationId, inv);
    this.#request('invite', {
      invitationId: inv.invitationId, calleeId: inv.calleeId, content: inv.content, channelId: inv.channelId,
    }).catch((e) => {
      if (this.#locals.delete(inv.invitationId)) {
        inv.state = LocalInvitationState.FAILURE;
        this.#emitLocal(inv, 'LocalInvitationFailure', e.code === 'NOT_LOGGED_IN' ? 'NOT_LOGGEDIN' : 'PEER_NO_RESPONSE');
      }
    });
    return InvitationApiError.OK;
  }

  _cancelInvitation(inv) {
    if (inv.state === LocalInvitationState.IDLE) return InvitationApiError.NOT_STARTED;
    if (inv.state === LocalInvitationState.ACCEPTED_BY_REMOTE) return InvitationApiError.ALREADY_ACCEPT;
    if (LOCAL_FINAL.has(inv.state)) return InvitationApiError.ALREADY_END;
    this.#quietly('cancelInvitation', { invitationId: inv.invitationId });
    return InvitationApiError.OK;
  }

  _answerInvitation(inv, accept) {
    if (bytes(inv.response) > Limits.MAX_INVITATION_CONTENT_BYTES) return InvitationApiError.INVALID_ARGUMENT;
    if (inv.state === RemoteInvitationState.ACCEPT_SENT_TO_LOCAL || inv.state === RemoteInvitationState.ACCEPTED) {
      return InvitationApiError.ALREADY_ACCEPT;
    }
    if (REMOTE_FINAL.has(inv.state)) return InvitationApiError.ALREADY_END;
    if (accept) inv.state = RemoteInvitationState.ACCEPT_SENT_TO_LOCAL;
    this.#quietly(accept ? 'acceptInvitation' : 'refuseInvitation', { invitationId: inv.invitationId, response: inv.response });
    return InvitationApiError.OK;
  }

  // ---- the socket

  #open() {
    return new Promise((resolve, reject) => {
      let ws;
      try { ws = new WebSocket(this.#url); } catch (e) { reject(new RtmError('UNREACHABLE', `cannot open ${this.#url}: ${e}`)); return; }
      this.#ws = ws;
      ws.onopen = () => {
        this.#ping = setInterval(() => this.#quietly('ping', {}), PING_INTERVAL_MS);
        resolve();
      };
      ws.onmessage = (m) => this.#onFrame(m.data);
      ws.onclose = (c) => {
        if (this.#ws !== ws) return;
        this.#ws = null;
        clearInterval(this.#ping);
        const why = `closed ${c.code} ${c.reason}`;
        reject(new RtmError('UNREACHABLE', `cannot reach ${this.#url}: ${why}`));
        for (const [, p] of this.#pending) p.reject(new RtmError('NOT_LOGGED_IN', `link lost: ${why}`));
        this.#pending.clear();
        if (this.connectionState === ConnectionState.CONNECTED) this.#linkLost();
      };
    });
  }

  #closeSocket() {
    clearInterval(this.#ping);
    const ws = this.#ws;
    this.#ws = null;
    if (ws && ws.readyState <= 1) ws.close(1000, 'bye');
  }

  #request(cmd, fields) {
    if (cmd !== 'login' && cmd !== 'ping' && this.connectionState !== ConnectionState.CONNECTED) {
      return Promise.reject(new RtmError('NOT_LOGGED_IN', `${cmd} needs a logged-in client: log in first`));
    }
    const ws = this.#ws;
    if (!ws || ws.readyState !== 1) return Promise.reject(new RtmError('NOT_LOGGED_IN', 'not connected'));
    const id = ++this.#seq;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      ws.send(JSON.stringify({ id, cmd, ...fields }));
    });
  }

  #quietly(cmd, fields) {
    this.#request(cmd, fields).catch(() => {});
  }

  #onFrame(data) {
    let m;
    try { m = JSON.parse(data); } catch { console.warn('srproxy-rtm: unreadable frame', data); return; }
    if (m.event) { this.#onEvent(m); return; }
    const p = this.#pending.get(m.id);
    if (!p) return;
    this.#pending.delete(m.id);
    if (m.ok) p.resolve(m); else p.reject(new RtmError(m.error, m.message));
  }

  #onEvent(e) {
    switch (e.event) {
      case 'sessionEnded':
        // replaced by another login or removed by the server: final; silent too long: try again
        if (this.connectionState !== ConnectionState.CONNECTED) break;
        if (e.reason === ConnectionChangeReason.INTERRUPTED) {
          this.#closeSocket();
          this.#linkLost();
        } else {
          this.#sessionGone(ConnectionState.ABORTED, e.reason);
        }
        break;
      case 'messageFromPeer':
        this.emit('MessageFromPeer', { text: e.text, messageType: 'TEXT' }, e.peerId);
        break;
      case 'peersOnlineStatusChanged':
        this.emit('PeersOnlineStatusChanged', e.peers);
        break;
      case 'remoteInvitationReceived': {
        const inv = new RemoteInvitation(this, e);
        this.#remotes.set(inv.invitationId, inv);
        this.#quietly('ackInvitation', { invitationId: inv.invitationId });
        this.emit('RemoteInvitationReceived', inv);
        break;
      }
      case 'remoteInvitationAccepted': this.#endRemote(e.invitationId, 'ACCEPTED', 'RemoteInvitationAccepted'); break;
      case 'remoteInvitationRefused': this.#endRemote(e.invitationId, 'REFUSED', 'RemoteInvitationRefused'); break;
      case 'remoteInvitationCanceled': this.#endRemote(e.invitationId, 'CANCELED', 'RemoteInvitationCanceled'); break;
      case 'remoteInvitationFailure': this.#endRemote(e.invitationId, 'FAILURE', 'RemoteInvitationFailure', e.reason); break;
      case 'localInvitationReceivedByPeer': {
        const inv = this.#locals.get(e.invitationId);
        if (inv && inv.state === LocalInvitationState.SENT_TO_REMOTE) {
          inv.state = LocalInvitationState.RECEIVED_BY_REMOTE;
          this.#emitLocal(inv, 'LocalInvitationReceivedByPeer');
        }
        break;
      }
      case 'localInvitationAccepted':
        this.#quietly('ackAccept', { invitationId: e.invitationId });
        this.#endLocal(e.invitationId, 'ACCEPTED_BY_REMOTE', 'LocalInvitationAccepted', e.response);
        break;
      case 'localInvitationRefused': this.#endLocal(e.invitationId, 'REFUSED_BY_REMOTE', 'LocalInvitationRefused', e.response); break;
      case 'localInvitationCanceled': this.#endLocal(e.invitationId, 'CANCELED', 'LocalInvitationCanceled'); break;
      case 'localInvitationFailure': this.#endLocal(e.invitationId, 'FAILURE', 'LocalInvitationFailure', e.reason); break;
      case 'channelMessage':
        this.#channels.get(e.channelId)?.emit('ChannelMessage', { text: e.text, messageType: 'TEXT' }, e.memberId);
        break;
      case 'memberJoined': this.#channels.get(e.channelId)?.emit('MemberJoined', e.memberId); break;
      case 'memberLeft': this.#channels.get(e.channelId)?.emit('MemberLeft', e.memberId); break;
      case 'memberCountUpdated': this.#channels.get(e.channelId)?.emit('MemberCountUpdated', e.memberCount); break;
      default: console.warn('srproxy-rtm: unknown event', e.event);
    }
  }

  #endLocal(id, state, name, arg) {
    const inv = this.#locals.get(id);
    if (!inv) return;
    this.#locals.delete(id);
    if (name === 'LocalInvitationAccepted' || name === 'LocalInvitationRefused') inv.response = arg ?? '';
    inv.state = state;
    this.#emitLocal(inv, name, arg);
  }

  #endRemote(id, state, name, arg) {
    const inv = this.#remotes.get(id);
    if (!inv) return;
    this.#remotes.delete(id);
    inv.state = state;
    inv.emit(name, arg);
    this.emit(name, inv, arg);
  }

  #emitLocal(inv, name, arg) {
    inv.emit(name, arg);
    this.emit(name, inv, arg);
  }

  /**
   * The link broke while logged in: the server has logged this session out, so pending
   * invitations end; then log in again with the same uid and token, backing off, for about 30 s
   * (RECONNECTING), and say CONNECTED again or, at last, ABORTED.
   */
  #linkLost() {
    if (!this.#reconnect || !this.#credentials) {
      this.#sessionGone(ConnectionState.ABORTED, ConnectionChangeReason.INTERRUPTED);
      return;
    }
    this.#sessionGone(ConnectionState.RECONNECTING, ConnectionChangeReason.INTERRUPTED);
    this.#tryAgain(0);
  }

  #tryAgain(attempt) {
    const delays = [500, 1000, 2000, 4000, 8000, 8000, 8000];
    if (attempt >= delays.length) {
      this.#stopReconnecting(ConnectionState.ABORTED, ConnectionChangeReason.INTERRUPTED);
      return;
    }
    this.#retry = setTimeout(async () => {
      if (this.connectionState !== ConnectionState.RECONNECTING) return;
      if (this.#servers) { // the next node each time: the one this link was at may have died
        this.#serverIndex = (this.#serverIndex + 1) % this.#servers.length;
        this.#url = this.#servers[this.#serverIndex];
      }
      try {
        await this.#open();
        await this.#request('login', { appId: this.#appId, ...this.#credentials });
      } catch (e) {
        this.#closeSocket();
        const final = ['TOKEN_REJECTED', 'INVALID_APP_ID', 'NOT_ALLOWED'].includes(e.code);
        if (final) this.#stopReconnecting(ConnectionState.ABORTED, ConnectionChangeReason.LOGIN_FAILURE);
        else this.#tryAgain(attempt + 1);
        return;
      }
      if (this.connectionState !== ConnectionState.RECONNECTING) {
        this.#closeSocket(); // logged out meanwhile
        return;
      }
      this.uid = this.#credentials.uid;
      this.connectionState = ConnectionState.CONNECTED;
      // sent before anything the app asks on CONNECTED: the server takes one socket's requests in order
      this.#rejoinChannels();
      this.#setState(ConnectionState.CONNECTED, ConnectionChangeReason.LOGIN_SUCCESS);
    }, delays[attempt]);
  }

  #stopReconnecting(state, reason) {
    clearTimeout(this.#retry);
    this.#retry = null;
    this.#credentials = null;
    this.#channels.clear();
    this.#closeSocket();
    this.#setState(state, reason);
  }

  #sessionGone(state, reason) {
    this.uid = null;
    if (state !== ConnectionState.RECONNECTING) {
      this.#credentials = null;
      this.#channels.clear();
    }
    for (const inv of this.#locals.values()) {
      inv.state = LocalInvitationState.FAILURE;
      this.#emitLocal(inv, 'LocalInvitationFailure', 'NOT_LOGGEDIN');
    }
    this.#locals.clear();
    for (const inv of this.#remotes.values()) inv.state = RemoteInvitationState.FAILURE;
    this.#remotes.clear();
    this.#closeSocket();
    this.#setState(state, reason);
  }

  #setState(state, reason) {
    this.connectionState = state;
    this.emit('ConnectionStateChanged', state, reason);
  }
}

/**
 * The RTM web SDK entry point: one client per user. Options: { url } to reach another server;
 * { servers: [url, ...] } for several srproxy nodes: logs in at the first, reconnects at the next.
 */
export function createInstance(appId, options = {}) {
  return new RtmClient(appId, options);
}

export default { VERSION, createInstance, RtmChannel, ConnectionState, ConnectionChangeReason, LocalInvitationState, RemoteInvitationState, InvitationApiError, Limits, RtmError };
