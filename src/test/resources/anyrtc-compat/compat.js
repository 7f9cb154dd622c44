// Drives ArRTC / ArRTM (classic-script globals from srproxy) the way an anyRTC call app does:
// private-cloud settings, presence query, an invitation whose content names the RTC channel and the
// call mode (0 video, 1 audio), answer as video or audio, refuse, busy, cancel, stats polled every
// second; and group calls (invitations with Conference: true and the participants in UserData, an
// RTM channel beside the RTC one, dual stream with one large and several small videos). Written
// for srproxy's tests; every outcome is recorded for the test to read.
"use strict";

(function () {
  const [host, port] = window.SRPROXY.split(":");
  const APP_ID = "srproxy";

  const compat = {
    uid: null,
    state: "starting",   // idle, calling, ringing, incall
    mode: null,          // 0 video, 1 audio
    events: [],          // what happened, in order ("LocalInvitationRefused:{...}", ...)
    errors: [],          // anything that threw (the test wants none)
    devices: null,
    stats: null,         // the latest poll of every stats call
    rtc: null,
    rtm: null,
    local: { videoTrack: null, audioTrack: null },
    localInvitation: null,
    remoteInvitation: null,
    channelId: null,
    remoteVideoShown: false,
  };
  window.compat = compat;

  function note(what) { compat.events.push(what); }
  function fail(where, e) { compat.errors.push(`${where}: ${e && e.message ? e.message : e}`); }
  function setState(s) { compat.state = s; document.getElementById("state").textContent = s; }
  const guard = (where, fn) => async (...args) => { try { return await fn(...args); } catch (e) { fail(where, e); } };

  async function startMedia() {
    const cameras = await ArRTC.getCameras();
    const mics = await ArRTC.getMicrophones();
    if (cameras.length) {
      compat.local.videoTrack = await ArRTC.createCameraVideoTrack({
        cameraId: cameras[0].deviceId,
        encoderConfig: { width: 320, height: 240, frameRate: 15, bitrateMax: 300 },
      });
    }
    if (mics.length) compat.local.audioTrack = await ArRTC.createMicrophoneAudioTrack({ microphoneId: mics[0].deviceId });
  }

  /** Both sides once the call is answered: audio calls close the camera, then publish what is left (null skipped). */
  async function publishFor(mode) {
    await startMedia();
    if (mode === 1 && compat.local.videoTrack) {
      compat.local.videoTrack.close();
      compat.local.videoTrack = null;
    }
    if (compat.local.videoTrack) compat.local.videoTrack.play("local-video", { fit: "contain" });
    await compat.rtc.setClientRole("host");
    await compat.rtc.publish(Object.values(compat.local)); // [video or null, audio], as anyRTC apps pass it
    compat.mode = mode;
    setState("incall");
  }

  async function endCall(why) {
    if (compat.ending) return; // the peer's EndCall and its user-left both end the call
    compat.ending = true;
    try { await endCallOnce(why); } finally { compat.ending = false; }
  }

  async function endCallOnce(why) {
    for (const k of Object.keys(compat.local)) {
      if (compat.local[k]) { compat.local[k].close(); compat.local[k] = null; }
    }
    await compat.rtc.leave();
    compat.localInvitation = null;
    compat.remoteInvitation = null;
    compat.remoteVideoShown = false;
    document.getElementById("remote-video").innerHTML = "";
    document.getElementById("local-video").innerHTML = "";
    note(`ended:${why}`);
    setState("idle");
  }

  async function pollStats() {
    if (compat.state !== "incall") return;
    const peer = compat.peerId;
    compat.stats = {
      call: await compat.rtc.getRTCStats(),
      localAudio: await compat.rtc.getLocalAudioStats(),
      localVideo: await compat.rtc.getLocalVideoStats(),
      remoteAudio: (await compat.rtc.getRemoteAudioStats())[peer],
      remoteVideo: (await compat.rtc.getRemoteVideoStats())[peer],
    };
  }

  /** sdkWide: the private-cloud address set on ArRTC for every client, else on the client (as ARCall does). */
  function initRtc(sdkWide) {
    const cloud = { ConfPriCloudAddr: { ServerAdd: host, Port: Number(port), Wss: false } };
    if (sdkWide) ArRTC.setParameters(cloud);
    compat.rtc = ArRTC.createClient({ mode: "live", codec: "h264" });
    if (!sdkWide) compat.rtc.setParameters(cloud);
    compat.rtc.on("user-published", guard("user-published", async (user, mediaType) => {
      if (compat.conference) return groupPublished(user, mediaType);
      await compat.rtc.subscribe(user, mediaType);
      note(`user-published:${user.uid}:${mediaType}`);
      if (mediaType === "audio") user.audioTrack.play();
      else { user.videoTrack.play("remote-video", { fit: "contain" }); compat.remoteVideoShown = true; }
    }));
    compat.rtc.on("user-unpublished", (user, mediaType) => note(`user-unpublished:${user.uid}:${mediaType}`));
    compat.rtc.on("user-left", guard("user-left", async (user, reason) => {
      note(`user-left:${user.uid}`);
      if (compat.conference) return groupUserLeft(user, reason);
      if (compat.state === "incall" && user.uid === compat.peerId) await endCall("peer-left");
    }));
    compat.rtc.on("connection-state-change", (cur) => note(`rtc:${cur}`));
  }

  function watchLocal(inv) {
    inv.on("LocalInvitationReceivedByPeer", () => note("LocalInvitationReceivedByPeer"));
    inv.on("LocalInvitationAccepted", guard("LocalInvitationAccepted", async (response) => {
      note(`LocalInvitationAccepted:${response}`);
      await publishFor(JSON.parse(response).Mode);
    }));
    inv.on("LocalInvitationRefused", guard("LocalInvitationRefused", async (response) => {
      note(`LocalInvitationRefused:${JSON.parse(response || "{}").Cmd || "refused"}`);
      await endCall("refused");
    }));
    inv.on("LocalInvitationCanceled", guard("LocalInvitationCanceled", async () => {
      note("LocalInvitationCanceled");
      await endCall("canceled");
    }));
    inv.on("LocalInvitationFailure", guard("LocalInvitationFailure", async (reason) => {
      note(`LocalInvitationFailure:${reason}`);
      await endCall("failure");
    }));
  }

  function watchRemote(inv) {
    inv.on("RemoteInvitationAccepted", guard("RemoteInvitationAccepted", async () => {
      note("RemoteInvitationAccepted");
      await compat.rtc.join(APP_ID, compat.channelId, null, compat.uid);
      if (compat.conference) return startGroupMedia();
      await publishFor(JSON.parse(inv.response).Mode);
    }));
    inv.on("RemoteInvitationRefused", () => { note("RemoteInvitationRefused"); setState("idle"); });
    inv.on("RemoteInvitationCanceled", () => { note("RemoteInvitationCanceled"); compat.remoteInvitation = null; setState("idle"); });
    inv.on("RemoteInvitationFailure", (reason) => { note(`RemoteInvitationFailure:${reason}`); setState("idle"); });
  }

  async function initRtm(uid) {
    compat.rtm = ArRTM.createInstance(APP_ID);
    compat.rtm.setParameters({ confPriCloudAddr: { ServerAdd: host, Port: Number(port), Wss: false } });
    compat.rtm.on("ConnectionStateChanged", (state, reason) => note(`rtm:${state}:${reason}`));
    compat.rtm.on("MessageFromPeer", guard("MessageFromPeer", async (message, peerId) => {
      note(`MessageFromPeer:${peerId}:${message.text}`);
      const cmd = JSON.parse(message.text).Cmd;
      if (cmd === "SwitchAudio" && compat.local.videoTrack) { compat.local.videoTrack.close(); compat.local.videoTrack = null; compat.mode = 1; }
      if (cmd === "EndCall" && peerId === compat.peerId && compat.state === "incall") await endCall("peer-ended");
    }));
    compat.rtm.on("RemoteInvitationReceived", guard("RemoteInvitationReceived", async (inv) => {
      note(`RemoteInvitationReceived:${inv.callerId}`);
      if (compat.state !== "idle") { // busy: refuse with anyRTC apps' "Calling" response
        inv.response = JSON.stringify({ refuseId: compat.uid, Reason: "calling", Cmd: "Calling" });
        inv.refuse();
        return;
      }
      const content = JSON.parse(inv.content);
      compat.remoteInvitation = inv;
      compat.peerId = inv.callerId;
      compat.channelId = content.ChanId;
      compat.offeredMode = content.Mode;
      compat.conference = !!content.Conference;
      watchRemote(inv);
      if (compat.conference) { // a group call: the invitee joins the RTM channel while it rings
        note(`conference:${content.UserData.join(",")}`);
        await joinRtmChannel();
      }
      setState("ringing");
    }));
    await compat.rtm.login({ uid });
  }

  // ---- what the test (the person) does

  compat.login = guard("login", async (uid, sdkWide) => {
    compat.uid = uid;
    compat.devices = (await ArRTC.getDevices()).map((d) => d.kind);
    ArRTC.onCameraChanged = (info) => note(`camera:${info.state}`);
    ArRTC.onMicrophoneChanged = (info) => note(`microphone:${info.state}`);
    initRtc(!!sdkWide);
    await initRtm(uid);
    setInterval(() => pollStats().catch((e) => fail("stats", e)), 1000);
    setState("idle");
  });

  /** mode 0: video call, 1: audio call. */
  compat.call = guard("call", async (peerId, mode) => {
    const online = await compat.rtm.queryPeersOnlineStatus([peerId]);
    if (!online[peerId]) { note(`offline:${peerId}`); return; }
    compat.peerId = peerId;
    compat.channelId = String(Math.floor(1e8 + Math.random() * 9e8));
    await compat.rtc.join(APP_ID, compat.channelId, null, compat.uid);
    const inv = compat.rtm.createLocalInvitation(peerId);
    inv.content = JSON.stringify({ Mode: mode, Conference: false, ChanId: compat.channelId, UserData: "", SipData: "",
      VidCodec: ["H264"], AudCodec: ["Opus"] });
    watchLocal(inv);
    compat.localInvitation = inv;
    setState("calling");
    const r = inv.send();
    if (r !== "OK" && r !== undefined) note(`send:${r}`);
  });

  compat.accept = guard("accept", async (asAudio) => {
    const inv = compat.remoteInvitation;
    if (compat.conference) {
      note(`members-on-accept:${(await compat.rtmChannel.getMembers()).sort().join(",")}`);
      inv.response = JSON.stringify({ Mode: 0, Conference: true, refuseId: compat.uid, UserData: "", SipData: "" });
      inv.accept();
      return;
    }
    const mode = asAudio ? 1 : compat.offeredMode;
    inv.response = JSON.stringify({ Mode: mode, Conference: false, UserData: "", SipData: "" });
    inv.accept();
  });

  compat.refuse = guard("refuse", async () => {
    compat.remoteInvitation.response = JSON.stringify({ Cmd: "Refuse" });
    compat.remoteInvitation.refuse();
  });

  compat.cancel = guard("cancel", async () => { compat.localInvitation.cancel(); });

  compat.switchToAudio = guard("switchToAudio", async () => {
    await compat.rtm.sendMessageToPeer({ text: JSON.stringify({ Cmd: "SwitchAudio" }) }, compat.peerId);
    if (compat.local.videoTrack) { compat.local.videoTrack.close(); compat.local.videoTrack = null; }
    compat.mode = 1;
  });

  /** Tells the peer with anyRTC apps' {"Cmd":"EndCall"} (SIP gateways need it), then leaves. */
  /** The settings panel of anyRTC apps: resolution and bitrate, then the devices chosen again. */
  compat.changeSettings = guard("changeSettings", async () => {
    await compat.local.videoTrack.setEncoderConfiguration({ width: 160, height: 120, frameRate: 10, bitrateMax: 200 });
    await compat.local.videoTrack.setDevice((await ArRTC.getCameras())[0].deviceId);
    await compat.local.audioTrack.setDevice((await ArRTC.getMicrophones())[0].deviceId);
    note("settings-changed");
  });

  compat.hangUp = guard("hangUp", async () => {
    const peer = compat.peerId;
    await endCall("hung-up");
    await compat.rtm.sendMessageToPeer({ text: JSON.stringify({ Cmd: "EndCall" }) }, peer).catch((e) => note(`EndCall:${e.code || e}`));
  });

  /** Frames decoded from the remote video since the last call (the video keeps coming). */
  compat.remoteVideoFrames = () => {
    const v = document.querySelector("#remote-video video");
    if (!v || !v.getVideoPlaybackQuality) return 0;
    const total = v.getVideoPlaybackQuality().totalVideoFrames;
    const fresh = total - (compat._framesSeen || 0);
    compat._framesSeen = total;
    return fresh;
  };

  /** The first remote user's audio as a MediaStreamTrack (for the tone probe), or null. */
  compat.remoteAudio = () => {
    const user = compat.rtc && compat.rtc.remoteUsers.find((u) => u.audioTrack);
    return user ? user.audioTrack.getMediaStreamTrack() : null;
  };

  // ---- group calls

  const big = { uid: null }; // whose video is large (high layer); the others are small (low layer)

  function videoBox(uid) {
    let box = document.getElementById(`v-${uid}`);
    if (!box) {
      box = document.createElement("div");
      box.id = `v-${uid}`;
      box.className = "member";
      box.style.cssText = "width:160px;height:120px;display:inline-block";
      document.getElementById("members").appendChild(box);
    }
    return box;
  }

  async function joinRtmChannel() {
    compat.rtmChannel = compat.rtm.createChannel(compat.channelId);
    compat.rtmChannel.on("ChannelMessage", (message, memberId) => note(`ChannelMessage:${memberId}:${message.text}`));
    compat.rtmChannel.on("MemberJoined", (memberId) => note(`MemberJoined:${memberId}`));
    compat.rtmChannel.on("MemberLeft", guard("MemberLeft", async (memberId) => {
      note(`MemberLeft:${memberId}`);
      document.getElementById(`v-${memberId}`)?.remove();
      if (big.uid === memberId) big.uid = compat.uid;
      // alone in the channel: the group call is over
      if (compat.state === "incall" && (await compat.rtmChannel.getMembers()).length < 2) await leaveGroup("alone");
    }));
    await compat.rtmChannel.join();
  }

  /** After joining the RTC channel: dual stream, camera and microphone, host role, publish [video, audio]. */
  async function startGroupMedia() {
    for (const k of Object.keys(compat.local)) {
      if (compat.local[k]) { compat.local[k].close(); compat.local[k] = null; }
    }
    if (!compat.dualAfterPublish) { // as ARCall: asked for after the join, before publishing, not awaited
      compat.rtc.enableDualStream().then(() => note("dual-stream")).catch((e) => fail("enableDualStream", e));
    }
    const cameras = await ArRTC.getCameras();
    compat.local.videoTrack = await ArRTC.createCameraVideoTrack({ cameraId: cameras[0].deviceId,
      encoderConfig: { width: 640, height: 480, frameRate: 5, bitrateMax: 1130 } });
    // the test's four pages share two busy cores: keep the size (the test reads it) rather than the frame rate
    compat.local.videoTrack.getMediaStreamTrack().contentHint = "detail";
    compat.local.audioTrack = await ArRTC.createMicrophoneAudioTrack({ microphoneId: (await ArRTC.getMicrophones())[0].deviceId });
    for (const [k, track] of Object.entries(compat.local)) {
      // a device that goes away: unpublish it, as ARCall does
      track.on("track-ended", guard("track-ended", async () => {
        note(`track-ended:${track.trackMediaType}`);
        await compat.rtc.unpublish(track);
        if (k === "videoTrack") document.getElementById(`v-${compat.uid}`)?.replaceChildren();
      }));
    }
    await compat.rtc.setClientRole("host");
    await compat.rtc.publish(Object.values(compat.local));
    if (compat.dualAfterPublish) { await compat.rtc.enableDualStream(); note("dual-stream"); }
    big.uid = compat.uid;
    compat.local.videoTrack.play(videoBox(compat.uid), { fit: "contain" });
    compat.mode = 0;
    setState("incall");
  }

  async function groupPublished(user, mediaType) {
    await compat.rtc.subscribe(user, mediaType);
    note(`user-published:${user.uid}:${mediaType}`);
    if (mediaType === "audio") { user.audioTrack.play(); return; }
    // small videos take the low layer, the large one the high layer
    await compat.rtc.setRemoteVideoStreamType(user.uid, big.uid === user.uid ? 0 : 1);
    user.videoTrack.play(videoBox(user.uid), { fit: "contain" });
  }

  async function groupUserLeft(user, reason) {
    note(`group-user-left:${user.uid}:${reason}`);
    document.getElementById(`v-${user.uid}`)?.remove();
  }

  async function leaveGroup(why) {
    for (const k of Object.keys(compat.local)) {
      if (compat.local[k]) { compat.local[k].close(); compat.local[k] = null; }
    }
    await compat.rtc.leave();
    if (compat.rtmChannel) { await compat.rtmChannel.leave(); compat.rtmChannel = null; }
    document.getElementById("members").innerHTML = "";
    compat.conference = false;
    compat.remoteInvitation = null;
    note(`ended:${why}`);
    setState("idle");
  }

  /** Invites one user into the group call: the participants so far (RTM channel members and those invited) in UserData. */
  async function inviteToGroup(peerId) {
    const inv = compat.rtm.createLocalInvitation(peerId);
    compat.invited.add(peerId);
    const members = await compat.rtmChannel.getMembers();
    const userData = [...new Set([compat.uid, ...members, ...compat.invited])];
    inv.content = JSON.stringify({ Mode: 0, Conference: true, ChanId: compat.channelId, UserData: userData, SipData: "",
      VidCodec: ["H264"], AudCodec: ["Opus"] });
    inv.on("LocalInvitationReceivedByPeer", () => note(`group-received:${peerId}`));
    inv.on("LocalInvitationAccepted", (response) => note(`group-accepted:${JSON.parse(response).refuseId}`));
    inv.on("LocalInvitationRefused", (response) => { compat.invited.delete(peerId); note(`group-refused:${peerId}:${response}`); });
    inv.on("LocalInvitationFailure", (reason) => { compat.invited.delete(peerId); note(`group-failure:${peerId}:${reason}`); });
    inv.send();
  }

  /** Starts a group call with the online ones of peerIds. dualAfterPublish: enableDualStream after publishing (else before). */
  compat.groupCall = guard("groupCall", async (peerIds) => {
    const status = await compat.rtm.queryPeersOnlineStatus(peerIds);
    const online = peerIds.filter((p) => status[p]);
    if (!online.length) { note("all-offline"); return; }
    compat.conference = true;
    compat.invited = new Set(online); // each invitation names every participant
    compat.channelId = String(Math.floor(1e8 + Math.random() * 9e8));
    await joinRtmChannel();
    await compat.rtc.join(APP_ID, compat.channelId, null, compat.uid);
    for (const p of online) await inviteToGroup(p);
    await startGroupMedia();
  });

  /** During a group call: invites one more user (after checking it is new and online). */
  compat.inviteMore = guard("inviteMore", async (peerId) => {
    if (!compat.invited) compat.invited = new Set();
    const members = await compat.rtmChannel.getMembers();
    if (members.includes(peerId) || peerId === compat.uid) { note(`already-in:${peerId}`); return; }
    if (!(await compat.rtm.queryPeersOnlineStatus([peerId]))[peerId]) { note(`offline:${peerId}`); return; }
    await inviteToGroup(peerId);
  });

  compat.sendChannelMessage = guard("sendChannelMessage", async (text) => {
    await compat.rtmChannel.sendMessage({ text });
    note(`sent:${text}`);
  });

  compat.members = guard("members", async () => {
    note(`members:${(await compat.rtmChannel.getMembers()).sort().join(",")}`);
  });

  /** Makes uid's video the large one (high layer) and the previous large one small (low layer), as a click on a small video does. */
  compat.showLarge = guard("showLarge", async (uid) => {
    const user = compat.rtc.remoteUsers.find((u) => u.uid === uid);
    const previous = compat.rtc.remoteUsers.find((u) => u.uid === big.uid);
    if (user) await compat.rtc.setRemoteVideoStreamType(uid, 0);
    if (previous && previous !== user) await compat.rtc.setRemoteVideoStreamType(previous.uid, 1);
    big.uid = uid;
    note(`large:${uid}`);
  });

  compat.setDualAfterPublish = async (on) => { compat.dualAfterPublish = !!on; };

  compat.disableDualStream = guard("disableDualStream", async () => {
    await compat.rtc.disableDualStream();
    note("dual-stream-off");
  });

  compat.enableDualStream = guard("enableDualStream", async () => {
    await compat.rtc.enableDualStream();
    note("dual-stream");
  });

  /** The device of a local track goes away: "stop" stops its MediaStreamTrack, "unplug" fires the browser's "ended". */
  compat.loseDevice = guard("loseDevice", async (kind, how) => {
    const track = compat.local[kind === "video" ? "videoTrack" : "audioTrack"].getMediaStreamTrack();
    if (how === "stop") track.stop(); else track.dispatchEvent(new Event("ended"));
  });

  compat.leaveGroup = guard("leaveGroup", async () => leaveGroup("left"));

  /** The width of uid's video as decoded in the page (0: none yet). */
  compat.videoWidthOf = (uid) => {
    const v = document.querySelector(`#v-${uid} video`);
    return v ? v.videoWidth : 0;
  };

  /** What the page's video senders sent so far (a test's failure message), filled in on each call. */
  compat.outboundVideo = () => {
    const pc = compat.rtc && compat.rtc._pc;
    if (pc) pc.getStats().then((r) => { const out = []; r.forEach((x) => { if (x.type === "outbound-rtp" && x.kind === "video") out.push(`${x.mid}/${x.rid || "-"}:${x.bytesSent}B:${x.frameWidth || 0}w`); }); compat._outbound = out.join(" "); });
    return `${compat._outbound || "?"} transceivers ${pc ? pc.getTransceivers().map((t) => `${t.mid}:${t.direction}:${t.sender.track ? t.sender.track.readyState : "-"}`).join(" ") : "-"}`;
  };

  /** uid's audio as a MediaStreamTrack (for the tone probe), or null. */
  compat.remoteAudioOf = (uid) => {
    const user = compat.rtc && compat.rtc.remoteUsers.find((u) => u.uid === uid && u.audioTrack);
    return user ? user.audioTrack.getMediaStreamTrack() : null;
  };

  note(`sdk:${ArRTC.VERSION}:${ArRTM.VERSION}`);
  setState("loaded");
})();
