// srproxy-rtc.js: the browser SDK for srproxy's RTC service (ES module, no build step).
// Names follow the anyRTC/Agora web RTC SDKs where they fit:
//   const client = SrproxyRTC.createClient({ mode: "rtc", codec: "vp8" });
//   client.on("user-published", async (user, mediaType) => {
//     await client.subscribe(user, mediaType);
//     if (mediaType === "audio") user.audioTrack.play(); else user.videoTrack.play("remote");
//   });
//   await client.join(appId, channel, token, uid);
//   const mic = await SrproxyRTC.createMicrophoneAudioTrack();
//   await client.publish([mic]);
// Protocol: docs/protocol.md, "/rtc: media channels". The client joins "multistream": each remote
// user's audio and video arrive on m-lines of their own, which the SDK adds (or re-uses) by making
// a new offer when the app subscribes, and idles when the user unpublishes or leaves.

class Emitter {
  constructor() { this._handlers = new Map(); }
  on(event, fn) {
    if (!this._handlers.has(event)) this._handlers.set(event, new Set());
    this._handlers.get(event).add(fn);
  }
  off(event, fn) { this._handlers.get(event)?.delete(fn); }
  removeAllListeners(event) { event ? this._handlers.delete(event) : this._handlers.clear(); }
  emit(event, ...args) {
    for (const fn of [...(this._handlers.get(event) || [])]) {
      try { fn(...args); } catch (e) { console.error(`srproxy-rtc: "${event}" handler failed`, e); }
    }
  }
}

function containerOf(element) {
  if (!element) return document.body;
  if (typeof element === "string") {
    const found = document.getElementById(element);
    if (!found) throw new Error(`srproxy-rtc: no element with id "${element}"`);
    return found;
  }
  return element;
}

/** A media track shown or heard in the page. */
class Track {
  constructor(mediaStreamTrack, kind) {
    this._track = mediaStreamTrack;
    this.trackMediaType = kind;
    this._element = null;
  }
  getMediaStreamTrack() { return this._track; }
  getTrackId() { return this._track ? this._track.id : null; }
  get isPlaying() { return !!this._element; }
  /** Plays into a new <audio>/<video> element inside `element` (an id or element; default body). */
  play(element) {
    this.stop();
    const tag = this.trackMediaType === "audio" ? "audio" : "video";
    const el = document.createElement(tag);
    el.autoplay = true;
    el.playsInline = true;
    if (tag === "video") { el.muted = true; el.style.width = "100%"; }
    el.srcObject = new MediaStream([this._track]);
    containerOf(element).appendChild(el);
    el.play().catch(() => {});
    this._element = el;
    return el;
  }
  stop() {
    if (this._element) { this._element.srcObject = null; this._element.remove(); this._element = null; }
  }
}

/** A microphone or camera track of this page. */
class LocalTrack extends Track {
  constructor(mediaStreamTrack, kind) {
    super(mediaStreamTrack, kind);
    this._client = null;
    this.muted = false;
  }
  /** Mutes (sends silence / black) and tells the other members. */
  async setMuted(muted) {
    this.muted = !!muted;
    this._track.enabled = !this.muted;
    if (this._client) this._client._send({ type: "mute", mediaType: this.trackMediaType, muted: this.muted });
  }
  async setEnabled(enabled) { return this.setMuted(!enabled); }
  /**
   * Sends DTMF tones ("0"-"9", "*", "#", "A"-"D"; "," pauses 2 s) as RFC 4733 telephone-events on
   * this published audio track; tones still queued play first. Default 100 ms a tone, 70 ms apart.
   */
  sendDtmf(tones, { duration = 100, gap = 70 } = {}) {
    const dtmf = this.trackMediaType === "audio" ? this._client?._tx.audio?.sender.dtmf : null;
    if (!dtmf) throw new Error("srproxy-rtc: publish this audio track before sending tones");
    if (!dtmf.canInsertDTMF) throw new Error("srproxy-rtc: the connection does not carry tones (no telephone-event negotiated)");
    dtmf.insertDTMF(dtmf.toneBuffer + String(tones), duration, gap);
  }
  close() { this.stop(); this._track.stop(); }
}

class RemoteTrack extends Track {}

/** Another member of the channel. */
class RemoteUser {
  constructor(uid) {
    this.uid = uid;
    this.hasAudio = false;
    this.hasVideo = false;
    this.audioTrack = undefined;
    this.videoTrack = undefined;
  }
}

const STATES = { DISCONNECTED: "DISCONNECTED", CONNECTING: "CONNECTING", CONNECTED: "CONNECTED", DISCONNECTING: "DISCONNECTING" };

class Client extends Emitter {
  constructor(config = {}) {
    super();
    this.mode = config.mode || "rtc";
    this.codec = (config.codec || "vp8").toLowerCase();
    this._url = config.url || `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/rtc`;
    this.connectionState = STATES.DISCONNECTED;
    this.remoteUsers = [];
    this.localTracks = [];
    this.channelName = undefined;
    this.uid = undefined;
    this._ws = null;
    this._pc = null;
    this._tx = {};
    this._pending = null;
    this._joinedAt = 0;
    this._multistream = config.multistream !== false;
    this._subs = [];          // {uid, kind, tx, track}: what this page receives, one m-line each
    this._idle = [];          // transceivers of m-lines no longer used, re-used by the next subscription
    this._negotiation = Promise.resolve();
    this._dirty = false;
    this._pendingOffer = null;
    this._dualStream = false;
    this._volumeIndicator = false;
    this._activeSpeaker = undefined;
  }

  /**
   * Publishes video as two layers (simulcast): the camera's resolution and a quarter of it (half
   * the width and height) at a lower bitrate; receivers pick one with setRemoteVideoStreamType.
   * Call before join (the browser fixes a sender's encodings when the connection is made).
   */
  async enableDualStream() {
    if (this._pc) throw new Error("srproxy-rtc: call enableDualStream before join");
    this._dualStream = true;
  }

  async disableDualStream() {
    if (this._pc) throw new Error("srproxy-rtc: call disableDualStream before join");
    this._dualStream = false;
  }

  /** Which of `uid`'s video layers this page receives: 0 high (the default), 1 low (needs the sender's enableDualStream). */
  async setRemoteVideoStreamType(uid, streamType) {
    if (streamType !== 0 && streamType !== 1) throw new Error("srproxy-rtc: streamType is 0 (high) or 1 (low)");
    if (!this._ws) throw new Error("srproxy-rtc: join first");
    this._send({ type: "setRemoteVideoStreamType", uid: String(uid), streamType });
  }

  /**
   * Every 2 s, emits "volume-indicator" with [{uid, level}] (level 0..100, louder = higher) for
   * every member including this one, and "active-speaker" (uid) when the loudest speaker changes.
   */
  enableAudioVolumeIndicator() {
    this._volumeIndicator = true;
    if (this._ws && this.uid !== undefined) this._send({ type: "enableAudioVolumeIndicator" });
  }

  _setState(state, reason) {
    if (state === this.connectionState) return;
    const prev = this.connectionState;
    this.connectionState = state;
    this.emit("connection-state-change", state, prev, reason);
  }

  _send(msg) {
    if (this._ws && this._ws.readyState === WebSocket.OPEN) this._ws.send(JSON.stringify(msg));
  }

  _user(uid) {
    let u = this.remoteUsers.find((x) => x.uid === uid);
    if (!u) { u = new RemoteUser(uid); this.remoteUsers.push(u); }
    return u;
  }

  /** Joins `channel`; resolves with the uid. `token`: the login token for `uid`, required when the server sets app_cert. */
  async join(appId, channel, token, uid) {
    if (this.connectionState !== STATES.DISCONNECTED) throw new Error("srproxy-rtc: already joined or joining");
    if (uid === undefined || uid === null || uid === "") uid = String(Math.floor(Math.random() * 1e9));
    uid = String(uid);
    this._setState(STATES.CONNECTING, "join");
    try {
      const pc = new RTCPeerConnection({ bundlePolicy: "max-bundle", rtcpMuxPolicy: "require" });
      this._pc = pc;
      const dir = this._multistream ? "sendonly" : "sendrecv";
      this._tx.audio = pc.addTransceiver("audio", { direction: dir });
      const video = { direction: dir };
      if (this._dualStream && this._multistream) {
        // high layer first: the server answers the first rid as layer 0 (high), the second as 1 (low)
        video.sendEncodings = [{ rid: "h" }, { rid: "l", scaleResolutionDownBy: 2, maxBitrate: 200000 }];
      }
      this._tx.video = pc.addTransceiver("video", video);
      this._preferVideoCodec(this._tx.video);
      pc.addEventListener("connectionstatechange", () => {
        if (pc !== this._pc) return;
        if (pc.connectionState === "connected") this._setState(STATES.CONNECTED, "connected");
        if (pc.connectionState === "failed") this._fail("ICE_OR_DTLS_FAILED");
      });
      const offer = await pc.createOffer();
      await pc.setLocalDescription(offer);
      const ws = new WebSocket(this._url);
      this._ws = ws;
      await new Promise((resolve, reject) => {
        ws.onopen = resolve;
        ws.onerror = () => reject(new Error(`srproxy-rtc: cannot open ${this._url}`));
      });
      ws.onmessage = (e) => this._onMessage(JSON.parse(e.data));
      ws.onclose = () => { if (this._ws === ws) this._fail("SIGNALLING_CLOSED"); };
      const joined = await new Promise((resolve, reject) => {
        this._pending = { resolve, reject };
        this._send({ type: "join", appId, channel, uid, token: token || null, sdp: pc.localDescription.sdp,
          multistream: this._multistream });
      });
      await pc.setRemoteDescription({ type: "answer", sdp: joined.sdp });
      this.channelName = channel;
      this.uid = uid;
      this._joinedAt = Date.now();
      if (this._volumeIndicator) this._send({ type: "enableAudioVolumeIndicator" });
      for (const u of joined.users) {
        const user = this._user(u.uid);
        this.emit("user-joined", user);
        if (u.audio) { user.hasAudio = true; this.emit("user-published", user, "audio"); }
        if (u.video) { user.hasVideo = true; this.emit("user-published", user, "video"); }
      }
      return uid;
    } catch (e) {
      this._teardown();
      this._setState(STATES.DISCONNECTED, "JOIN_FAILED");
      throw e;
    }
  }

  _preferVideoCodec(tx) {
    if (!tx.setCodecPreferences || !RTCRtpReceiver.getCapabilities) return;
    const all = RTCRtpReceiver.getCapabilities("video").codecs;
    const want = this.codec === "h264" ? "video/h264" : "video/vp8";
    const first = all.filter((c) => c.mimeType.toLowerCase() === want);
    if (first.length) tx.setCodecPreferences(first);
  }

  _onMessage(msg) {
    switch (msg.type) {
      case "joined":
        this._pending?.resolve(msg); this._pending = null; break;
      case "answer":
        this._pendingOffer?.resolve(msg); this._pendingOffer = null; break;
      case "error":
        if (this._pending && msg.request === "join") {
          this._pending.reject(Object.assign(new Error(`srproxy-rtc: ${msg.code}: ${msg.message}`), { code: msg.code }));
          this._pending = null;
        } else if (this._pendingOffer && msg.request === "offer") {
          this._pendingOffer.reject(Object.assign(new Error(`srproxy-rtc: ${msg.code}: ${msg.message}`), { code: msg.code }));
          this._pendingOffer = null;
        } else {
          this.emit("exception", { code: msg.code, msg: msg.message });
        }
        break;
      case "user-joined":
        this.emit("user-joined", this._user(msg.uid)); break;
      case "user-left": {
        const user = this._user(msg.uid);
        this.remoteUsers = this.remoteUsers.filter((u) => u !== user);
        this._dropSubscriptions(user.uid);
        // Agora's reasons: "Quit" (left or closed), "ServerTimeOut" (connection lost)
        this.emit("user-left", user, msg.reason === "leave" || msg.reason === "closed" ? "Quit" : "ServerTimeOut");
        break;
      }
      case "user-published": {
        const user = this._user(msg.uid);
        if (msg.mediaType === "audio") user.hasAudio = true; else user.hasVideo = true;
        this.emit("user-published", user, msg.mediaType);
        break;
      }
      case "user-unpublished": {
        const user = this._user(msg.uid);
        if (msg.mediaType === "audio") user.hasAudio = false; else user.hasVideo = false;
        this._dropSubscriptions(user.uid, msg.mediaType);
        this.emit("user-unpublished", user, msg.mediaType);
        break;
      }
      case "user-mute":
        this.emit("user-info-updated", msg.uid, `${msg.muted ? "mute" : "unmute"}-${msg.mediaType}`); break;
      case "volume-indicator": {
        this.emit("volume-indicator", msg.levels.map((l) => ({ uid: l.uid, level: l.level })));
        if (msg.activeSpeaker && msg.activeSpeaker !== this._activeSpeaker) {
          this._activeSpeaker = msg.activeSpeaker;
          this.emit("active-speaker", msg.activeSpeaker);
        }
        break;
      }
      case "connection-state":
        if (msg.state === "CONNECTED") this._setState(STATES.CONNECTED, msg.reason);
        if (msg.state === "FAILED" || msg.state === "DISCONNECTED") this._fail(msg.reason);
        break;
      default:
        break;
    }
  }

  _fail(reason) {
    if (this.connectionState === STATES.DISCONNECTED) return;
    this._teardown();
    this._setState(STATES.DISCONNECTED, reason);
  }

  /** Makes the remote user's track of `mediaType` available as user.audioTrack / user.videoTrack. */
  async subscribe(user, mediaType) {
    if (mediaType !== "audio" && mediaType !== "video") throw new Error(`srproxy-rtc: unknown media type ${mediaType}`);
    if (!this._pc) throw new Error("srproxy-rtc: join before subscribing");
    if (!this._multistream) {
      const track = new RemoteTrack(this._tx[mediaType].receiver.track, mediaType);
      if (mediaType === "audio") user.audioTrack = track; else user.videoTrack = track;
      return track;
    }
    let sub = this._subs.find((x) => x.uid === user.uid && x.kind === mediaType);
    if (!sub) {
      const reuse = this._idle.findIndex((t) => t.receiver.track.kind === mediaType);
      let tx;
      if (reuse >= 0) {
        tx = this._idle.splice(reuse, 1)[0];
        tx.direction = "recvonly";
      } else {
        tx = this._pc.addTransceiver(mediaType, { direction: "recvonly" });
        if (mediaType === "video") this._preferVideoCodec(tx);
      }
      sub = { uid: user.uid, kind: mediaType, tx, track: new RemoteTrack(tx.receiver.track, mediaType) };
      this._subs.push(sub);
      this._dirty = true;
    }
    await this._negotiate();
    if (!this._subs.includes(sub)) throw new Error(`srproxy-rtc: ${user.uid} stopped publishing ${mediaType}`);
    if (mediaType === "audio") user.audioTrack = sub.track; else user.videoTrack = sub.track;
    return sub.track;
  }

  async unsubscribe(user, mediaType) {
    const key = mediaType === "audio" ? "audioTrack" : "videoTrack";
    if (!mediaType || mediaType === "audio") { user.audioTrack?.stop(); user.audioTrack = undefined; }
    if (!mediaType || mediaType === "video") { user.videoTrack?.stop(); user.videoTrack = undefined; }
    if (this._multistream && this._dropSubscriptions(user.uid, mediaType)) await this._negotiate();
    return key;
  }

  /** Idles the m-lines carrying `uid`'s media (of `kind`, or all); true when any did. */
  _dropSubscriptions(uid, kind) {
    const gone = this._subs.filter((x) => x.uid === uid && (!kind || x.kind === kind));
    if (!gone.length) return false;
    this._subs = this._subs.filter((x) => !gone.includes(x));
    for (const sub of gone) {
      sub.track.stop();
      if (this._pc) { sub.tx.direction = "inactive"; this._idle.push(sub.tx); }
    }
    this._dirty = true;
    if (this._multistream && this._pc) this._negotiate().catch((e) => this.emit("exception", { code: e.code || "NEGOTIATION_FAILED", msg: e.message }));
    return true;
  }

  /**
   * Offers the current subscriptions to the server and applies its answer; one negotiation at a
   * time, and changes made meanwhile go in the next one.
   */
  _negotiate() {
    this._negotiation = this._negotiation.catch(() => {}).then(() => this._offerOnce());
    return this._negotiation;
  }

  async _offerOnce() {
    while (this._pc && this._dirty) await this._offer(this._pc);
  }

  async _offer(pc) {
    this._dirty = false;
    const offer = await pc.createOffer();
    await pc.setLocalDescription(offer);
    // a transceiver added while the offer was made has no m-line yet: it goes in the next offer
    const ready = this._subs.filter((x) => x.tx.mid !== null);
    if (ready.length < this._subs.length) this._dirty = true;
    const subscriptions = ready.map((x) => ({ mid: x.tx.mid, uid: x.uid, mediaType: x.kind }));
    let answer;
    try {
      answer = await new Promise((resolve, reject) => {
        this._pendingOffer = { resolve, reject };
        this._send({ type: "offer", sdp: pc.localDescription.sdp, subscriptions });
      });
    } catch (e) {
      if (this._pc === pc) await pc.setLocalDescription({ type: "rollback" });
      throw e;
    }
    if (this._pc === pc) await pc.setRemoteDescription({ type: "answer", sdp: answer.sdp });
  }

  /** Sends local tracks (one audio, one video) to the channel. */
  async publish(tracks) {
    for (const t of [].concat(tracks)) {
      const tx = this._tx[t.trackMediaType];
      if (!this._pc || !tx) throw new Error("srproxy-rtc: join before publishing");
      await tx.sender.replaceTrack(t.getMediaStreamTrack());
      t._client = this;
      if (!this.localTracks.includes(t)) this.localTracks.push(t);
      this._send({ type: "publish", mediaType: t.trackMediaType });
    }
  }

  async unpublish(tracks) {
    const list = tracks === undefined ? [...this.localTracks] : [].concat(tracks);
    for (const t of list) {
      if (this._pc) await this._tx[t.trackMediaType].sender.replaceTrack(null);
      t._client = null;
      this.localTracks = this.localTracks.filter((x) => x !== t);
      this._send({ type: "unpublish", mediaType: t.trackMediaType });
    }
  }

  async leave() {
    if (this.connectionState === STATES.DISCONNECTED) return;
    this._setState(STATES.DISCONNECTING, "LEAVE");
    this._send({ type: "leave" });
    this._teardown();
    this._setState(STATES.DISCONNECTED, "LEAVE");
  }

  _teardown() {
    const ws = this._ws;
    this._ws = null;
    if (ws) { try { ws.close(); } catch (e) { /* closing */ } }
    if (this._pc) { this._pc.close(); this._pc = null; }
    if (this._pending) { this._pending.reject(new Error("srproxy-rtc: connection closed")); this._pending = null; }
    if (this._pendingOffer) { this._pendingOffer.reject(new Error("srproxy-rtc: connection closed")); this._pendingOffer = null; }
    this._subs = [];
    this._idle = [];
    this._dirty = false;
    for (const u of this.remoteUsers) { u.audioTrack?.stop(); u.videoTrack?.stop(); }
    this.remoteUsers = [];
    this.localTracks = [];
    this._tx = {};
    this._activeSpeaker = undefined;
  }

  async _rtpStats() {
    const out = { audio: {}, video: {}, outAudio: {}, outVideo: {}, pair: {}, byMid: {}, inbound: [] };
    if (!this._pc) return out;
    const report = await this._pc.getStats();
    report.forEach((s) => {
      if (s.type === "inbound-rtp") { out[s.kind] = s; out.inbound.push(s); if (s.mid !== undefined) out.byMid[s.mid] = s; }
      if (s.type === "outbound-rtp") out[s.kind === "audio" ? "outAudio" : "outVideo"] = s;
      if (s.type === "candidate-pair" && s.nominated) out.pair = s;
    });
    out.codecs = report;
    for (const kind of ["audio", "video"]) {
      const codec = out[kind].codecId && report.get(out[kind].codecId);
      out[kind].codecName = codec ? codec.mimeType.split("/")[1] : undefined;
    }
    return out;
  }

  /** Call statistics (async here, since the browser's getStats is). */
  async getRTCStats() {
    const s = await this._rtpStats();
    return {
      Duration: this._joinedAt ? Math.round((Date.now() - this._joinedAt) / 1000) : 0,
      RecvBytes: s.inbound.reduce((n, x) => n + (x.bytesReceived || 0), 0),
      SendBytes: (s.outAudio.bytesSent || 0) + (s.outVideo.bytesSent || 0),
      RecvPackets: s.inbound.reduce((n, x) => n + (x.packetsReceived || 0), 0),
      SendPackets: (s.outAudio.packetsSent || 0) + (s.outVideo.packetsSent || 0),
      RTT: s.pair.currentRoundTripTime ? s.pair.currentRoundTripTime * 1000 : 0,
      UserCount: this.remoteUsers.length + (this._pc ? 1 : 0),
    };
  }

  /** The inbound-rtp stats of `uid`'s `kind` (its own m-line when multistream). */
  _inboundOf(all, uid, kind) {
    if (!this._multistream) return all[kind];
    const sub = this._subs.find((x) => x.uid === uid && x.kind === kind);
    return (sub && all.byMid[sub.tx.mid]) || {};
  }

  /** Per remote uid: what arrived of its audio. */
  async getRemoteAudioStats() {
    const all = await this._rtpStats();
    return Object.fromEntries(this.remoteUsers.map((u) => {
      const s = this._inboundOf(all, u.uid, "audio");
      return [u.uid, { receivePackets: s.packetsReceived || 0, receiveBytes: s.bytesReceived || 0,
        receivePacketsLost: s.packetsLost || 0, receiveLevel: s.audioLevel || 0, codecType: "opus" }];
    }));
  }

  /** Per remote uid: what arrived of its video. */
  async getRemoteVideoStats() {
    const all = await this._rtpStats();
    return Object.fromEntries(this.remoteUsers.map((u) => {
      const s = this._inboundOf(all, u.uid, "video");
      const codec = s.codecId && all.codecs?.get(s.codecId);
      return [u.uid, { receivePackets: s.packetsReceived || 0, receiveBytes: s.bytesReceived || 0,
        receivePacketsLost: s.packetsLost || 0, receiveFrames: s.framesReceived || 0,
        decodeFrames: s.framesDecoded || 0, receiveResolutionWidth: s.frameWidth || 0,
        receiveResolutionHeight: s.frameHeight || 0, codecType: codec ? codec.mimeType.split("/")[1] : s.codecName }];
    }));
  }
}

/** A client for one channel membership. */
export function createClient(config) {
  return new Client(config);
}

/** The microphone; config {AEC, ANS, AGC} (default on) switch echo cancellation, noise suppression, gain control. */
export async function createMicrophoneAudioTrack(config = {}) {
  const stream = await navigator.mediaDevices.getUserMedia({
    audio: {
      echoCancellation: config.AEC !== false,
      noiseSuppression: config.ANS !== false,
      autoGainControl: config.AGC !== false,
      ...(config.microphoneId ? { deviceId: config.microphoneId } : {}),
    },
  });
  return new LocalTrack(stream.getAudioTracks()[0], "audio");
}

/** The camera; config {cameraId, encoderConfig: {width, height, frameRate}}. */
export async function createCameraVideoTrack(config = {}) {
  const enc = config.encoderConfig || {};
  const stream = await navigator.mediaDevices.getUserMedia({
    video: {
      width: enc.width || 640, height: enc.height || 480, frameRate: enc.frameRate || 15,
      ...(config.cameraId ? { deviceId: config.cameraId } : {}),
    },
  });
  return new LocalTrack(stream.getVideoTracks()[0], "video");
}

export async function createMicrophoneAndCameraTracks(audioConfig, videoConfig) {
  return [await createMicrophoneAudioTrack(audioConfig), await createCameraVideoTrack(videoConfig)];
}

const SrproxyRTC = { createClient, createMicrophoneAudioTrack, createCameraVideoTrack, createMicrophoneAndCameraTracks, VERSION: "0.1.0" };
export default SrproxyRTC;
