// Ringback (caller) and ringtone (callee) made with WebAudio, so no sound files are needed.
let context;
let timer;
let oscillators = [];

function audio() {
  context = context || new AudioContext();
  return context;
}

function beep(freqs, ms) {
  const ctx = audio();
  const gain = ctx.createGain();
  gain.gain.value = 0.08;
  gain.connect(ctx.destination);
  for (const f of freqs) {
    const osc = ctx.createOscillator();
    osc.frequency.value = f;
    osc.connect(gain);
    osc.start();
    osc.stop(ctx.currentTime + ms / 1000);
    oscillators.push(osc);
  }
}

function cadence(freqs, onMs, periodMs) {
  stopTone();
  beep(freqs, onMs);
  timer = setInterval(() => beep(freqs, onMs), periodMs);
}

/** 425 Hz, 1 s on 4 s off (ITU-T E.180 ringing tone). */
export function startRingback() {
  cadence([425], 1000, 5000);
}

/** Two-tone ring for an incoming call. */
export function startRingtone() {
  cadence([440, 480], 1500, 3000);
}

export function stopTone() {
  clearInterval(timer);
  timer = undefined;
  for (const o of oscillators) {
    try { o.stop(); } catch { /* already stopped */ }
  }
  oscillators = [];
}
