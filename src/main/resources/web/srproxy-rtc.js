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

/** A media track shown or heard in the page. Event (local tracks): "track-ended" when the device stops. */
class Track extends Emitter {
  constructor(mediaStreamTrack, kind) {
    super();
    this._track = mediaStreamTrack;
    this.trackMediaType = kind;
    this._element = null;
  }
  getMediaStreamTrack() { return this._track; }
  getTrackId() { return this._track ? this._track.id : null; }
  get isPlaying() { return !!this._element; }
  /**
   * Plays into a new <audio>/<video> element inside `element` (an id or element; default body).
   * config.fit (video): "cover" (default, as anyRTC), "contain" or "fill"; config.mirror flips it.
   */
  play(element, config = {}) {
    this.stop();
    const tag = this.trackMediaType === "audio" ? "audio" : "video";
    const el = document.createElement(tag);
    el.autoplay = true;
    el.playsInline = true;
    if (tag === "video") {
      el.muted = true;
      el.style.width = "100%";
      el.style.height = "100%";
      el.style.objectFit = config.fit || "cover";
      if (config.mirror) el.style.transform = "rotateY(180deg)";
    }
    el.srcObject = new MediaStream([this._track]);
    containerOf(element).appendChild(el);
    el.play().catch(() => {});
    this._element = el;
    return el;
  }

  /** Shows `track` (a new MediaStreamTrack of this device) where the old one played. */
  _swapTrack(track) {
    this._track = track;
    if (this._element) this._element.srcObject = new MediaStream([track]);
  }
  stop() {
    if (this._element) { this._element.srcObject = null; this._element.remove(); this._element = null; }
  }
}

/** A microphone or camera track of this page. */
class LocalTrack extends Track {
  constructor(mediaStreamTrack, kind, config = {}) {
    super(mediaStreamTrack, kind);
    this._client = null;
    this.muted = false;
    this._config = config;        // what the track was made with: deviceId, encoderConfig, audio switches
    this._closed = false;
    this._watchEnded(mediaStreamTrack);
  }

  /**
   * "track-ended" (once per device track, as anyRTC): the browser ended it (device unplugged or
   * failed, permission revoked), or the app stopped getMediaStreamTrack() itself, which fires no
   * "ended" event, so stop() is watched too. Not for close() or a setDevice switch. The track stays
   * published: apps unpublish or close it (ARCall unpublishes).
   */
  _watchEnded(track) {
    let fired = false;
    const ended = () => {
      if (fired || track !== this._track || this._closed) return;
      fired = true;
      this.emit("track-ended");
    };
    track.addEventListener("ended", ended);
    const stop = track.stop;
    track.stop = function () { stop.call(this); ended(); };
  }

  /** The sender's bitrate cap (bps) from encoderConfig.bitrateMax (Kbps, as anyRTC), or null. */
  _maxBitrate() {
    const max = this._config.encoderConfig && this._config.encoderConfig.bitrateMax;
    return max > 0 ? Math.round(max * 1000) : null;
  }

  /** Switches to another microphone or camera (a deviceId from getMicrophones/getCameras); keeps sending. */
  async setDevice(deviceId) {
    if (this._closed) throw new Error("srproxy-rtc: the track is closed");
    const constraints = this.trackMediaType === "audio"
      ? { audio: audioConstraints({ ...this._config, microphoneId: deviceId }, true) }
      : { video: videoConstraints({ ...this._config, cameraId: deviceId }, true) };
    const stream = await navigator.mediaDevices.getUserMedia(constraints);
    const track = this.trackMediaType === "audio" ? stream.getAudioTracks()[0] : stream.getVideoTracks()[0];
    track.enabled = this._track.enabled;
    const old = this._track;
    const sender = this._client?._tx[this.trackMediaType]?.sender;
    if (sender) await sender.replaceTrack(track);
    this._swapTrack(track);
    this._watchEnded(track);
    old.stop();
    if (this.trackMediaType === "audio") this._config.microphoneId = deviceId; else this._config.cameraId = deviceId;
  }

  /** Video only: new {width, height, frameRate, bitrateMax} (or a preset such as "480p"), applied while sending. */
  async setEncoderConfiguration(config) {
    if (this.trackMediaType !== "video") throw new Error("srproxy-rtc: setEncoderConfiguration is for video tracks");
    const enc = { ...(this._config.encoderConfig || {}), ...encoderConfigOf(config) };
    this._config.encoderConfig = enc;
    await this._track.applyConstraints(videoConstraints(this._config));
    if (this._client) await this._client._applyBitrate(this);
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
  /** Stops the device and, when published, unpublishes the track (anyRTC: closing ends the track). */
  close() {
    if (this._closed) return;
    this._closed = true;
    const client = this._client;
    if (client) client.unpublish(this).catch(() => {});
    this.stop();
    this._track.stop();
  }
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

/** The low layer's bitrate cap (bps) with dual stream. */
const LOW_LAYER_MAX_BITRATE = 200000;

/** Redirects one join follows from node to node (a channel lives on one node; more means the nodes disagree). */
const MAX_REDIRECTS = 3;

const STATES = { DISCONNECTED: "DISCONNECTED", CONNECTING: "CONNECTING", CONNECTED: "CONNECTED", DISCONNECTING: "DISCONNECTING" };

class Client extends Emitter {
  constructor(config = {}) {
    super();
    this.mode = config.mode || "rtc";
    this.codec = (config.codec || "vp8").toLowerCase();
    this._url = config.url || null;   // else setParameters, ArRTC.setParameters, the SDK's own host, the page's
    this.role = this.mode === "live" ? "audience" : "host";
    this._rates = new Map();          // stats key -> {bytes, packets, lost, frames, at}: rates are deltas between calls
    // several srproxy nodes: join tries them in turn until one opens (docs/cluster.md)
    this._servers = Array.isArray(config.servers) && config.servers.length ? config.servers.map(String) : null;
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
    this._videoTx = { plain: null, dual: null }; // the video transceivers made so far, one per kind of publishing
    this._volumeIndicator = false;
    this._activeSpeaker = undefined;
  }

  /**
   * Publishes video as two layers (simulcast): the camera's resolution and a quarter of it (half
   * the width and height) at a lower bitrate; receivers pick one with setRemoteVideoStreamType.
   * Before or after join and publish, as anyRTC (after: by renegotiating, see _moveVideo).
   */
  async enableDualStream() {
    if (this._dualStream) return;
    this._dualStream = true;
    await this._moveVideo();
  }

  /** Back to one video layer (receivers that chose the low one get the only one). */
  async disableDualStream() {
    if (!this._dualStream) return;
    this._dualStream = false;
    await this._moveVideo();
  }

  _videoInit(dual) {
    const init = { direction: this._multistream ? "sendonly" : "sendrecv" };
    // high layer first: the server answers the first rid as layer 0 (high), the second as 1 (low)
    if (dual) init.sendEncodings = [{ rid: "h" }, { rid: "l", scaleResolutionDownBy: 2, maxBitrate: LOW_LAYER_MAX_BITRATE }];
    return init;
  }

  /**
   * After the join, (dis)abling dual stream moves the published video to another m-line: the
   * browser fixes a sender's simulcast encodings when its m-line is made. The two layers get a new
   * m-line of their own, and one layer goes back to the plain one (made once, then re-used);
   * the one left is offered inactive, and srproxy takes the m-line the client sends on as its video
   * (docs/protocol.md, "Dual stream"). The switch of transceivers is synchronous, so a publish
   * made meanwhile lands on the new one.
   */
  async _moveVideo() {
    if (!this._pc || !this._multistream) return;
    await this._joinSettled;
    const pc = this._pc;
    const old = this._tx.video;
    if (!pc || !old) return;
    const want = this._dualStream ? "dual" : "plain";
    let tx = this._videoTx[want];
    if (tx === old) return;
    if (!tx) {
      tx = pc.addTransceiver("video", this._videoInit(this._dualStream));
      this._preferVideoCodec(tx);
      this._videoTx[want] = tx;
    } else {
      tx.direction = "sendonly";
    }
    old.direction = "inactive";
    // a simulcast m-line answered inactive loses its layers in Chromium: dual stream again gets a new one
    if (old === this._videoTx.dual) this._videoTx.dual = null;
    this._tx.video = tx;
    const track = this.localTracks.find((t) => t.trackMediaType === "video");
    await tx.sender.replaceTrack(track ? track.getMediaStreamTrack() : null);
    await old.sender.replaceTrack(null);
    this._dirty = true;
    await this._negotiate();
    // the bitrate caps once the m-line is negotiated (its encodings are final then)
    const published = this.localTracks.find((t) => t.trackMediaType === "video");
    if (published && this._tx.video === tx) await this._applyBitrate(published);
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

  /** The /rtc WebSocket URL: config.url, else this client's or the SDK's private-cloud address, else where the SDK came from. */
  _signalUrl() {
    return this._url || privateCloudUrl(this._cloud) || privateCloudUrl(sdkCloud) || defaultUrl();
  }

  /** anyRTC's private deployment settings: {ConfPriCloudAddr: {ServerAdd, Port, Wss}} picks the srproxy to use. */
  setParameters(params) {
    const addr = cloudAddrOf(params);
    if (addr) this._cloud = addr;
  }

  /**
   * "host" publishes, "audience" only receives (the default in "live" mode, as anyRTC); becoming
   * audience unpublishes this client's tracks.
   */
  async setClientRole(role) {
    if (role !== "host" && role !== "audience") throw new Error(`srproxy-rtc: role must be "host" or "audience", not ${role}`);
    if (role === "audience" && this.localTracks.length) await this.unpublish();
    this.role = role;
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
    let settle;
    this._joinSettled = new Promise((resolve) => { settle = resolve; });
    try {
      const pc = new RTCPeerConnection({ bundlePolicy: "max-bundle", rtcpMuxPolicy: "require" });
      this._pc = pc;
      const dir = this._multistream ? "sendonly" : "sendrecv";
      this._tx.audio = pc.addTransceiver("audio", { direction: dir });
      const dual = this._dualStream && this._multistream;
      this._tx.video = pc.addTransceiver("video", this._videoInit(dual));
      this._videoTx = { plain: dual ? null : this._tx.video, dual: dual ? this._tx.video : null };
      this._preferVideoCodec(this._tx.video);
      pc.addEventListener("connectionstatechange", () => {
        if (pc !== this._pc) return;
        if (pc.connectionState === "connected") this._setState(STATES.CONNECTED, "connected");
        if (pc.connectionState === "failed") this._fail("ICE_OR_DTLS_FAILED");
      });
      const offer = await pc.createOffer();
      await pc.setLocalDescription(offer);
      const joined = await this._joinSomewhere({ type: "join", appId, channel, uid, token: token || null,
        sdp: pc.localDescription.sdp, multistream: this._multistream, codecSwitch: true });
      await pc.setRemoteDescription({ type: "answer", sdp: joined.sdp });
      settle();
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
      settle();
      this._teardown();
      this._setState(STATES.DISCONNECTED, "JOIN_FAILED");
      throw e;
    }
  }

  /** Opens /rtc at the first of the servers that answers and joins; follows (at most MAX_REDIRECTS) redirects to the channel's node. */
  async _joinSomewhere(join) {
    let urls = this._servers || [this._signalUrl()];
    for (let redirects = 0; ; redirects++) {
      let ws = null;
      let lastError = null;
      for (const url of urls) {
        try {
          ws = await this._open(url);
          break;
        } catch (e) { lastError = e; }
      }
      if (!ws) throw lastError;
      const reply = await new Promise((resolve, reject) => {
        this._pending = { resolve, reject };
        this._send(join);
      });
      if (reply.type !== "redirect") return reply;
      this._ws = null; // not a failure: the channel lives on another node
      ws.close();
      if (redirects >= MAX_REDIRECTS) throw Object.assign(new Error("srproxy-rtc: too many redirects"), { code: "too-many-redirects" });
      urls = [reply.url];
    }
  }

  async _open(url) {
    const ws = new WebSocket(url);
    this._ws = ws;
    await new Promise((resolve, reject) => {
      ws.onopen = resolve;
      ws.onerror = () => reject(new Error(`srproxy-rtc: cannot open ${url} (refused: is this page's origin in [rtm] allowed_origins?)`));
    });
    ws.onmessage = (e) => this._onMessage(JSON.parse(e.data));
    ws.onclose = () => { if (this._ws === ws) this._fail("SIGNALLING_CLOSED"); };
    return ws;
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
      case "redirect":
        this._pending?.resolve(msg); this._pending = null; break;
      case "answer":
        this._pendingOffer?.resolve(msg); this._pendingOffer = null; break;
      case "renegotiate":
        // another member speaks msg.audioCodec (a SIP leg's PCMU, PCMA or G.722): re-offer, and the
        // server's answer moves our audio to it, so it is forwarded instead of transcoded
        // (after the join's own answer is applied: a "renegotiate" can overtake it)
        this._dirty = true;
        (this._joinSettled || Promise.resolve()).then(() => this._negotiate())
          .catch((e) => this.emit("exception", { code: e.code || "NEGOTIATION_FAILED", msg: e.message }));
        break;
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

  /** Sends local tracks (one audio, one video) to the channel; null and undefined entries are skipped, as anyRTC does. */
  async publish(tracks) {
    if (this.role === "audience") throw new Error('srproxy-rtc: an audience cannot publish: setClientRole("host") first');
    for (const t of [].concat(tracks)) {
      if (!t) continue;
      if (t._closed) throw new Error("srproxy-rtc: cannot publish a closed track");
      const tx = this._tx[t.trackMediaType];
      if (!this._pc || !tx) throw new Error("srproxy-rtc: join before publishing");
      await tx.sender.replaceTrack(t.getMediaStreamTrack());
      t._client = this;
      if (!this.localTracks.includes(t)) this.localTracks.push(t);
      const now = this._tx[t.trackMediaType];
      if (now && now !== tx) { // dual stream moved the video meanwhile
        await now.sender.replaceTrack(t.getMediaStreamTrack());
        await tx.sender.replaceTrack(null);
      }
      await this._applyBitrate(t);
      this._send({ type: "publish", mediaType: t.trackMediaType });
    }
  }

  /** Caps the video sender at the track's encoderConfig.bitrateMax (RTCRtpSender maxBitrate); the low layer at most at its own cap. */
  async _applyBitrate(track) {
    const sender = this._tx[track.trackMediaType]?.sender;
    if (!sender || track.trackMediaType !== "video" || !sender.getParameters) return;
    const params = sender.getParameters();
    if (!params.encodings || !params.encodings.length) params.encodings = [{}];
    const max = track._maxBitrate();
    params.encodings.forEach((e, i) => {
      const cap = i === 0 ? max : Math.min(max || LOW_LAYER_MAX_BITRATE, LOW_LAYER_MAX_BITRATE);
      if (cap) e.maxBitrate = cap; else delete e.maxBitrate;
    });
    try { await sender.setParameters(params); } catch (e) { console.warn("srproxy-rtc: cannot cap the video bitrate", e); }
  }

  async unpublish(tracks) {
    const list = tracks === undefined ? [...this.localTracks] : [].concat(tracks).filter((t) => t);
    for (const t of list) {
      if (!this.localTracks.includes(t)) continue;
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
    this._videoTx = { plain: null, dual: null };
    this._rates.clear();
    this._activeSpeaker = undefined;
  }

  async _rtpStats() {
    const out = { audio: {}, video: {}, outAudio: {}, outVideo: {}, pair: {}, byMid: {}, inbound: [],
      remoteInAudio: {}, remoteInVideo: {}, sourceAudio: {}, sourceVideo: {} };
    if (!this._pc) return out;
    const report = await this._pc.getStats();
    report.forEach((s) => {
      if (s.type === "inbound-rtp") { out[s.kind] = s; out.inbound.push(s); if (s.mid !== undefined) out.byMid[s.mid] = s; }
      if (s.type === "outbound-rtp" && s.kind === "audio") out.outAudio = s;
      // video: the published m-line's stream (with dual stream its high layer, not the low one or an idle m-line's)
      if (s.type === "outbound-rtp" && s.kind === "video" && (s.mid === undefined || s.mid === this._tx.video?.mid)
          && (!out.outVideo.kind || out.outVideo.rid === "l")) out.outVideo = s;
      if (s.type === "remote-inbound-rtp") out[s.kind === "audio" ? "remoteInAudio" : "remoteInVideo"] = s;
      if (s.type === "media-source") out[s.kind === "audio" ? "sourceAudio" : "sourceVideo"] = s;
      if (s.type === "candidate-pair" && s.nominated) out.pair = s;
    });
    out.codecs = report;
    for (const kind of ["audio", "video"]) {
      const codec = out[kind].codecId && report.get(out[kind].codecId);
      out[kind].codecName = codec ? codec.mimeType.split("/")[1] : undefined;
    }
    return out;
  }

  /**
   * Rates of one stats key since the previous call for that key (anyRTC computes them per second;
   * apps poll about once a second): bitrate in bps, frames per second, packet loss in percent.
   */
  _rate(key, now, { bytes = 0, packets = 0, lost = 0, frames = 0 }) {
    const prev = this._rates.get(key);
    this._rates.set(key, { bytes, packets, lost, frames, at: now });
    if (!prev || now <= prev.at || bytes < prev.bytes) return { bitrate: 0, frameRate: 0, lossRate: 0 };
    const seconds = (now - prev.at) / 1000;
    const dLost = Math.max(0, lost - prev.lost);
    const dPackets = Math.max(0, packets - prev.packets);
    return {
      bitrate: Math.round(((bytes - prev.bytes) * 8) / seconds),
      frameRate: Math.round((Math.max(0, frames - prev.frames) / seconds) * 10) / 10,
      lossRate: dLost + dPackets > 0 ? (100 * dLost) / (dLost + dPackets) : 0,
    };
  }

  /** Call statistics (async here, since the browser's getStats is), with anyRTC's names. */
  async getRTCStats() {
    const s = await this._rtpStats();
    const now = Date.now();
    const recvBytes = s.inbound.reduce((n, x) => n + (x.bytesReceived || 0), 0);
    const sendBytes = (s.outAudio.bytesSent || 0) + (s.outVideo.bytesSent || 0);
    const recv = this._rate("rtc:recv", now, { bytes: recvBytes });
    const send = this._rate("rtc:send", now, { bytes: sendBytes });
    return {
      Duration: this._joinedAt ? Math.round((now - this._joinedAt) / 1000) : 0,
      RecvBytes: recvBytes,
      SendBytes: sendBytes,
      RecvBitrate: recv.bitrate,
      SendBitrate: send.bitrate,
      RecvPackets: s.inbound.reduce((n, x) => n + (x.packetsReceived || 0), 0),
      SendPackets: (s.outAudio.packetsSent || 0) + (s.outVideo.packetsSent || 0),
      RTT: s.pair.currentRoundTripTime ? s.pair.currentRoundTripTime * 1000 : 0,
      OutgoingAvailableBandwidth: s.pair.availableOutgoingBitrate ? s.pair.availableOutgoingBitrate / 1000 : 0,
      UserCount: this.remoteUsers.length + (this._pc ? 1 : 0),
    };
  }

  /** The published microphone's sending statistics (anyRTC's LocalAudioTrackStats names); {} when none. */
  async getLocalAudioStats() {
    if (!this.localTracks.some((t) => t.trackMediaType === "audio")) return {};
    const s = await this._rtpStats();
    const o = s.outAudio;
    const lost = s.remoteInAudio.packetsLost || 0;
    const r = this._rate("local:audio", Date.now(), { bytes: o.bytesSent, packets: o.packetsSent, lost });
    const codec = o.codecId && s.codecs.get(o.codecId);
    return {
      codecType: codec ? codec.mimeType.split("/")[1] : "opus",
      sendBytes: o.bytesSent || 0, sendPackets: o.packetsSent || 0, sendPacketsLost: lost,
      sendBitrate: r.bitrate, packetLossRate: r.lossRate, currentPacketLossRate: r.lossRate,
      sendVolumeLevel: Math.round((s.sourceAudio.audioLevel || 0) * 32767),
      rtt: s.remoteInAudio.roundTripTime ? s.remoteInAudio.roundTripTime * 1000 : 0,
      jitter: s.remoteInAudio.jitter ? s.remoteInAudio.jitter * 1000 : 0,
    };
  }

  /** The published camera's sending statistics (anyRTC's LocalVideoTrackStats names); {} when none. */
  async getLocalVideoStats() {
    const track = this.localTracks.find((t) => t.trackMediaType === "video");
    if (!track) return {};
    const s = await this._rtpStats();
    const o = s.outVideo;
    const lost = s.remoteInVideo.packetsLost || 0;
    const r = this._rate("local:video", Date.now(), { bytes: o.bytesSent, packets: o.packetsSent, lost, frames: o.framesSent });
    const settings = track.getMediaStreamTrack().getSettings ? track.getMediaStreamTrack().getSettings() : {};
    const codec = o.codecId && s.codecs.get(o.codecId);
    return {
      codecType: codec ? codec.mimeType.split("/")[1] : this.codec.toUpperCase(),
      captureResolutionWidth: s.sourceVideo.width || settings.width || 0,
      captureResolutionHeight: s.sourceVideo.height || settings.height || 0,
      captureFrameRate: s.sourceVideo.framesPerSecond || settings.frameRate || 0,
      sendResolutionWidth: o.frameWidth || 0, sendResolutionHeight: o.frameHeight || 0,
      sendFrameRate: o.framesPerSecond || r.frameRate,
      sendBytes: o.bytesSent || 0, sendPackets: o.packetsSent || 0, sendPacketsLost: lost,
      sendBitrate: r.bitrate, targetSendBitrate: o.targetBitrate || track._maxBitrate() || 0,
      packetLossRate: r.lossRate, currentPacketLossRate: r.lossRate,
      encodeDelay: o.framesEncoded ? Math.round(((o.totalEncodeTime || 0) / o.framesEncoded) * 1000) : 0,
      totalDuration: this._joinedAt ? Math.round((Date.now() - this._joinedAt) / 1000) : 0,
      totalFreezeTime: 0,
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
      const r = this._rate(`remote:audio:${u.uid}`, Date.now(),
        { bytes: s.bytesReceived, packets: s.packetsReceived, lost: s.packetsLost });
      return [u.uid, { receivePackets: s.packetsReceived || 0, receiveBytes: s.bytesReceived || 0,
        receivePacketsLost: s.packetsLost || 0, receiveLevel: s.audioLevel || 0, codecType: "opus",
        receiveBitrate: r.bitrate, packetLossRate: r.lossRate,
        receiveDelay: s.jitterBufferDelay && s.jitterBufferEmittedCount ? (s.jitterBufferDelay / s.jitterBufferEmittedCount) * 1000 : 0,
        totalDuration: this._joinedAt ? Math.round((Date.now() - this._joinedAt) / 1000) : 0 }];
    }));
  }

  /** Per remote uid: what arrived of its video. */
  async getRemoteVideoStats() {
    const all = await this._rtpStats();
    return Object.fromEntries(this.remoteUsers.map((u) => {
      const s = this._inboundOf(all, u.uid, "video");
      const codec = s.codecId && all.codecs?.get(s.codecId);
      const r = this._rate(`remote:video:${u.uid}`, Date.now(),
        { bytes: s.bytesReceived, packets: s.packetsReceived, lost: s.packetsLost, frames: s.framesDecoded });
      return [u.uid, { receivePackets: s.packetsReceived || 0, receiveBytes: s.bytesReceived || 0,
        receiveBitrate: r.bitrate, packetLossRate: r.lossRate,
        receiveFrameRate: s.framesPerSecond || r.frameRate, decodeFrameRate: r.frameRate, renderFrameRate: s.framesPerSecond || r.frameRate,
        totalDuration: this._joinedAt ? Math.round((Date.now() - this._joinedAt) / 1000) : 0, totalFreezeTime: s.totalFreezesDuration || 0,
        receivePacketsLost: s.packetsLost || 0, receiveFrames: s.framesReceived || 0,
        decodeFrames: s.framesDecoded || 0, receiveResolutionWidth: s.frameWidth || 0,
        receiveResolutionHeight: s.frameHeight || 0, codecType: codec ? codec.mimeType.split("/")[1] : s.codecName }];
    }));
  }
}

// ---- where the SDK connects: anyRTC's private-cloud settings, else the host the SDK was loaded from

let sdkCloud = null;

/** {ConfPriCloudAddr: {ServerAdd, Port, Wss}} (anyRTC's RTC key; the RTM spelling is accepted too) -> the address. */
function cloudAddrOf(params) {
  const addr = params && (params.ConfPriCloudAddr || params.confPriCloudAddr);
  if (!addr) return null;
  if (!addr.ServerAdd) throw new Error("srproxy-rtc: ConfPriCloudAddr needs ServerAdd (the srproxy host)");
  return { host: String(addr.ServerAdd), port: addr.Port, wss: !!addr.Wss };
}

function privateCloudUrl(addr) {
  if (!addr) return null;
  const host = addr.host.includes(":") && !addr.host.startsWith("[") ? `[${addr.host}]` : addr.host;
  return `${addr.wss ? "wss" : "ws"}://${host}${addr.port ? `:${addr.port}` : ""}/rtc`;
}

/** ws(s)://<the host that served this SDK>/rtc, or the page's host. */
function defaultUrl() {
  let base;
  try { base = new URL(import.meta.url); } catch (e) { base = null; }
  if (!base || !base.protocol.startsWith("http")) base = new URL(location.href);
  return `${base.protocol === "https:" ? "wss" : "ws"}://${base.host}/rtc`;
}

/** For every client made afterwards without its own: {ConfPriCloudAddr: {ServerAdd, Port, Wss}}. */
export function setParameters(params) {
  const addr = cloudAddrOf(params);
  if (addr) sdkCloud = addr;
}

// ---- devices (anyRTC's names)

/** Every camera, microphone and speaker (MediaDeviceInfo[]); labels are empty until the page may use them. */
export async function getDevices() {
  return navigator.mediaDevices.enumerateDevices();
}

export async function getMicrophones() {
  return (await getDevices()).filter((d) => d.kind === "audioinput");
}

export async function getCameras() {
  return (await getDevices()).filter((d) => d.kind === "videoinput");
}

export async function getPlaybackDevices() {
  return (await getDevices()).filter((d) => d.kind === "audiooutput");
}

/**
 * Calls SrproxyRTC.onCameraChanged / onMicrophoneChanged / onPlaybackDeviceChanged (set by the app,
 * as on anyRTC's ArRTC) with {device, state: "ACTIVE"|"INACTIVE", initAt, updateAt} when a device
 * comes or goes.
 */
function watchDevices() {
  const md = typeof navigator !== "undefined" && navigator.mediaDevices;
  if (!md || !md.addEventListener) return;
  const known = new Map(); // kind:deviceId -> {device, initAt}
  const key = (d) => `${d.kind}:${d.deviceId}`;
  const hooks = { videoinput: "onCameraChanged", audioinput: "onMicrophoneChanged", audiooutput: "onPlaybackDeviceChanged" };
  md.enumerateDevices().then((list) => { for (const d of list) known.set(key(d), { device: d, initAt: Date.now() }); }).catch(() => {});
  md.addEventListener("devicechange", async () => {
    let list;
    try { list = await md.enumerateDevices(); } catch (e) { return; }
    const now = Date.now();
    const seen = new Set(list.map(key));
    const changes = [];
    for (const d of list) {
      if (!known.has(key(d))) { known.set(key(d), { device: d, initAt: now }); changes.push({ device: d, state: "ACTIVE", initAt: now, updateAt: now }); }
    }
    for (const [k, v] of [...known]) {
      if (!seen.has(k)) { known.delete(k); changes.push({ device: v.device, state: "INACTIVE", initAt: v.initAt, updateAt: now }); }
    }
    for (const info of changes) {
      const hook = SrproxyRTC[hooks[info.device.kind]];
      if (typeof hook === "function") {
        try { hook(info); } catch (e) { console.error("srproxy-rtc: device change handler failed", e); }
      }
    }
  });
}

// ---- tracks

const PRESETS = { "120p": [160, 120, 15], "180p": [320, 180, 15], "240p": [320, 240, 15], "360p": [640, 360, 15],
  "480p": [640, 480, 15], "720p": [1280, 720, 15], "1080p": [1920, 1080, 15] };

/** encoderConfig as an object: anyRTC also takes presets like "480p" or "720p_1". */
function encoderConfigOf(config) {
  if (!config) return {};
  if (typeof config === "string") {
    const p = PRESETS[config.split("_")[0]];
    if (!p) throw new Error(`srproxy-rtc: unknown encoder preset ${config}`);
    return { width: p[0], height: p[1], frameRate: p[2] };
  }
  return config;
}

/** `exact`: the device must be that one (setDevice); else it is a preference, as when a track is made. */
function audioConstraints(config, exact = false) {
  return {
    echoCancellation: config.AEC !== false,
    noiseSuppression: config.ANS !== false,
    autoGainControl: config.AGC !== false,
    ...(config.microphoneId ? { deviceId: exact ? { exact: config.microphoneId } : config.microphoneId } : {}),
  };
}

function videoConstraints(config, exact = false) {
  const enc = encoderConfigOf(config.encoderConfig);
  return {
    width: enc.width || 640, height: enc.height || 480, frameRate: enc.frameRate || 15,
    ...(config.cameraId ? { deviceId: exact ? { exact: config.cameraId } : config.cameraId } : {}),
  };
}

/** A client for one channel membership. */
export function createClient(config) {
  return new Client(config);
}

/** The microphone; config {microphoneId, AEC, ANS, AGC} (default on: echo cancellation, noise suppression, gain control). */
export async function createMicrophoneAudioTrack(config = {}) {
  const cfg = { ...config };
  const stream = await navigator.mediaDevices.getUserMedia({ audio: audioConstraints(cfg) });
  return new LocalTrack(stream.getAudioTracks()[0], "audio", cfg);
}

/** The camera; config {cameraId, encoderConfig: {width, height, frameRate, bitrateMax (Kbps)} or a preset like "480p"}. */
export async function createCameraVideoTrack(config = {}) {
  const cfg = { ...config, encoderConfig: encoderConfigOf(config.encoderConfig) };
  const stream = await navigator.mediaDevices.getUserMedia({ video: videoConstraints(cfg) });
  return new LocalTrack(stream.getVideoTracks()[0], "video", cfg);
}

export async function createMicrophoneAndCameraTracks(audioConfig, videoConfig) {
  return [await createMicrophoneAudioTrack(audioConfig), await createCameraVideoTrack(videoConfig)];
}

/** The SDK object (the global ArRTC of /sdk/ArRTC.js); apps may set onCameraChanged, onMicrophoneChanged on it. */
const SrproxyRTC = { createClient, createMicrophoneAudioTrack, createCameraVideoTrack, createMicrophoneAndCameraTracks,
  setParameters, getDevices, getMicrophones, getCameras, getPlaybackDevices,
  onCameraChanged: undefined, onMicrophoneChanged: undefined, onPlaybackDeviceChanged: undefined, VERSION: "0.2.0" };
watchDevices();
export default SrproxyRTC;
