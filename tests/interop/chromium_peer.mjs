#!/usr/bin/env node
// Interop test: headless Chromium (Debian's /usr/bin/chromium, driven by
// playwright-core) <-> peerc-peer over a data channel, and with --media an
// audio+video call as well.
//
// Serves chromium-page.html on 127.0.0.1 (random port), relays signalling
// between the page (exposeFunction / evaluate) and peerc-peer (JSON lines on
// its stdin/stdout).  The page opens (--role offerer) or receives (answerer)
// the "echo" channel, sends random binary and text messages and checks the
// echoes (order, type, bytes, SHA-256).  Chromium runs with its default
// WebRTC behaviour: mDNS host candidates, no loopback.
//
// --media: Chromium runs with its fake camera and microphone
// (--use-fake-device-for-media-stream: a 640x480 moving pattern and a
// periodic beep) and sends both; peerc-peer --media sends its 640x480 test
// pattern and a 660 Hz tone in stream "peerc-stream".  The page decodes
// peerc's tracks (frame numbers read back from a canvas, tone frequency via
// WebAudio) and after --media-seconds reports getStats(); then the driver
// hangs up and checks peerc-peer's {"type":"peerc-report"} line (what its
// sinks decoded, stream ids, per-transceiver RTP stats).
//
//   node chromium_peer.mjs --peer path/to/peerc-peer --role offerer|answerer
//        [--count 200] [--max-size 60000] [--seed N] [--log FILE]
//        [--timeout 50] [--chromium-arg FLAG]... [--media [--media-seconds 6]]
//
// stdout is TAP; diagnostics are "# " lines.  peerc-peer's stderr, the page's
// console and the signalling are written to --log, and copied as "# " lines
// when a check fails (or PEERC_INTEROP_VERBOSE is set).

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const CHROMIUM = process.env.PEERC_INTEROP_CHROMIUM || '/usr/bin/chromium';
const BASE_FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];
// fake capture devices, no permission prompt, remote audio may play
const MEDIA_FLAGS = [
  '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream',
  '--autoplay-policy=no-user-gesture-required',
];
const PEERC_TONE_HZ = 660;

// ------------------------------------------------------------------ TAP
const tap = {
  n: 0,
  failed: 0,
  planned: false,
  ok(cond, name, detail) {
    if (this.planned) { // terminated: the stream is closed, keep it valid
      this.diag(`(after plan) ${cond ? 'ok' : 'not ok'} - ${name}`);
      return cond;
    }
    this.n++;
    process.stdout.write(`${cond ? '' : 'not '}ok ${this.n} - ${name}\n`);
    if (!cond) {
      this.failed++;
      if (detail) this.diag(detail);
    }
    return cond;
  },
  diag(text) {
    for (const line of String(text).split('\n')) process.stdout.write(`# ${line}\n`);
  },
  done() {
    if (!this.planned) process.stdout.write(`1..${this.n}\n`);
    this.planned = true;
    return this.failed ? 1 : 0;
  },
};

// ------------------------------------------------------------------ args
function parseArgs(argv) {
  const a = {
    peer: null, role: null, count: null, maxSize: null, seed: null, log: null,
    timeout: 50, echoTimeout: 20, peerTimeout: 55, chromiumArgs: [], localAddresses: null,
    maxLogLines: 400, media: false, mediaSeconds: 6,
  };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const v = () => {
      if (i + 1 >= argv.length) throw new Error(`${k} needs a value`);
      return argv[++i];
    };
    switch (k) {
      case '--peer': a.peer = v(); break;
      case '--role': a.role = v(); break;
      case '--count': a.count = parseInt(v(), 10); break;
      case '--max-size': a.maxSize = parseInt(v(), 10); break;
      case '--seed': a.seed = parseInt(v(), 10); break;
      case '--log': a.log = v(); break;
      case '--timeout': a.timeout = parseInt(v(), 10); break;
      case '--echo-timeout': a.echoTimeout = parseInt(v(), 10); break;
      case '--peer-timeout': a.peerTimeout = parseInt(v(), 10); break;
      case '--chromium-arg': a.chromiumArgs.push(v()); break;
      case '--local-addresses': a.localAddresses = v(); break;
      case '--media': a.media = true; break;
      case '--media-seconds': a.mediaSeconds = parseFloat(v()); break;
      default: throw new Error(`unknown argument ${k}`);
    }
  }
  if (!a.peer || !['offerer', 'answerer'].includes(a.role))
    throw new Error('usage: chromium_peer.mjs --peer PATH --role offerer|answerer');
  // with media the echo test is a short side show
  if (a.count == null) a.count = a.media ? 30 : 200;
  if (a.maxSize == null) a.maxSize = a.media ? 16000 : 60000;
  if (a.seed == null)
    a.seed = parseInt(process.env.PEERC_INTEROP_SEED || String(Math.floor(Math.random() * 2 ** 31)), 10);
  return a;
}

// ------------------------------------------------------------------ state
let args;
let logStream = null;
const peerStderr = [];
const pageConsole = [];
let child = null;
let childExit = null; // Promise<number|string>
let context = null;
let server = null;
let userDataDir = null;
let cleaningUp = false;
let peercReport = null;
let peercReportSeen = null; // resolve()
const peercReportPromise = new Promise((r) => { peercReportSeen = r; });
let pageReport = null;

function logLine(text) {
  if (logStream) logStream.write(text + '\n');
}

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: timeout after ${ms} ms`)), ms); }),
  ]).finally(() => clearTimeout(timer));
}

// ------------------------------------------------------------------ signalling relay
const toPeerQueue = [];
function toPeer(msg) {
  const line = JSON.stringify(msg);
  logLine(`[chromium -> peerc] ${line}`);
  if (child && child.stdin.writable) child.stdin.write(line + '\n');
  else toPeerQueue.push(line);
}

let page = null;
let pageChain = Promise.resolve();
function toPage(msg) {
  pageChain = pageChain
    .then(() => page.evaluate((m) => window.onSignal(m), msg))
    .catch((e) => logLine(`[relay] page.evaluate(onSignal) failed: ${e}`));
}

function startPeer() {
  const role = args.role === 'offerer' ? '--answer' : '--offer';
  const cmd = [role, '--timeout', String(args.peerTimeout)];
  if (args.media) cmd.push('--media', '--tone', String(PEERC_TONE_HZ));
  if (args.localAddresses) cmd.push('--local-addresses', args.localAddresses);
  tap.diag(`starting: ${args.peer} ${cmd.join(' ')}`);
  child = spawn(args.peer, cmd, { stdio: ['pipe', 'pipe', 'pipe'] });
  childExit = new Promise((resolve) => {
    child.on('exit', (code, signal) => resolve(code != null ? code : `signal ${signal}`));
    child.on('error', (e) => resolve(`spawn error: ${e.message}`));
  });
  child.stdin.on('error', (e) => logLine(`[relay] peerc-peer stdin: ${e.message}`));
  readline.createInterface({ input: child.stderr }).on('line', (line) => {
    peerStderr.push(line);
    logLine(line);
  });
  readline.createInterface({ input: child.stdout, crlfDelay: Infinity }).on('line', (line) => {
    logLine(`[peerc -> chromium] ${line}`);
    let msg;
    try {
      msg = JSON.parse(line);
    } catch (e) {
      tap.diag(`peerc-peer wrote a non-JSON line (${e.message}): ${line.slice(0, 200)}`);
      return;
    }
    if (msg.type === 'peerc-report') {
      peercReport = msg;
      peercReportSeen(msg);
      return;
    }
    toPage(msg);
  });
  for (const line of toPeerQueue.splice(0)) child.stdin.write(line + '\n');
}

// ------------------------------------------------------------------ cleanup
async function cleanup() {
  if (cleaningUp) return;
  cleaningUp = true;
  if (child && child.exitCode == null && child.signalCode == null) child.kill('SIGKILL');
  if (context) {
    try { await withTimeout(context.close(), 5000, 'browser close'); } catch (e) { logLine(String(e)); }
  }
  if (server) server.close();
  if (userDataDir) fs.rmSync(userDataDir, { recursive: true, force: true });
  if (logStream) await new Promise((r) => logStream.end(r));
}

function dumpLogs() {
  tap.diag(`---- page console (${pageConsole.length} lines) ----`);
  for (const l of pageConsole.slice(-100)) tap.diag(l);
  tap.diag(`---- peerc-peer stderr (${peerStderr.length} lines) ----`);
  for (const l of peerStderr.slice(-args.maxLogLines)) tap.diag(l);
}

// ------------------------------------------------------------------ main
async function run() {
  const pageHtml = fs.readFileSync(path.join(here, 'chromium-page.html'));
  server = http.createServer((req, res) => {
    if (req.url === '/' || req.url.startsWith('/?')) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(pageHtml);
    } else if (req.url === '/favicon.ico') {
      res.writeHead(204);
      res.end();
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const url = `http://127.0.0.1:${server.address().port}/`;

  let chromium;
  try {
    ({ chromium } = await import('playwright-core'));
  } catch (e) {
    process.stdout.write(`not ok 1 - playwright-core not installed in ${here}/node_modules (npm ci): ${e.message}\n1..1\n`);
    tap.planned = true;
    process.exitCode = 1;
    return;
  }

  userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'peerc-chromium-'));
  const flags = BASE_FLAGS.concat(args.media ? MEDIA_FLAGS : [], args.chromiumArgs);
  tap.diag(`chromium ${CHROMIUM} ${flags.join(' ')}`);
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: flags,
      timeout: 20000,
      // our own handlers below report, kill peerc-peer and close the browser
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
    });
    page = context.pages()[0] || (await context.newPage());
    page.on('console', (m) => { const t = `[console.${m.type()}] ${m.text()}`; pageConsole.push(t); logLine(t); });
    page.on('pageerror', (e) => { const t = `[pageerror] ${e}`; pageConsole.push(t); logLine(t); });
    await page.exposeFunction('sendToPeer', (msg) => { toPeer(msg); return true; });
    await page.goto(url, { timeout: 10000 });
  } catch (e) {
    tap.ok(false, 'chromium started and page loaded', String(e));
    return;
  }
  const ua = await page.evaluate(() => navigator.userAgent);
  const version = (/Chrome\/([\d.]+)/.exec(ua) || [null, '?'])[1];
  tap.ok(true, `chromium ${version} started, page loaded from ${url}`);

  const cfg = {
    role: args.role, seed: args.seed, count: args.count, maxSize: args.maxSize,
    echoTimeoutMs: args.echoTimeout * 1000, media: args.media, mediaSeconds: args.mediaSeconds,
  };
  tap.diag(`seed ${args.seed}, ${args.count} messages up to ${args.maxSize} bytes; chromium is ${args.role}`);
  const setupOk = await page.evaluate((c) => window.setup(c), cfg);
  if (!tap.ok(setupOk, args.media ? 'getUserMedia (fake camera and microphone) and RTCPeerConnection in the page'
    : 'RTCPeerConnection created in the page')) {
    const r = await page.evaluate(() => window.__setupError || null).catch(() => null);
    if (r) tap.diag(r);
    return;
  }
  startPeer();

  let rep;
  try {
    rep = await withTimeout(page.evaluate((c) => window.runTest(c), cfg), (args.timeout - 8) * 1000, 'page test');
  } catch (e) {
    tap.ok(false, 'page test finished', String(e));
    return;
  }
  pageReport = rep;
  report(rep);
  if (args.media && rep.connection === 'connected') reportMedia(rep.media || {});
}

function report(rep) {
  if (rep.exception) tap.diag(`page exception: ${rep.exception}`);
  for (const e of rep.errors || []) tap.diag(`page error: ${e}`);
  tap.diag(`chromium candidates: ${(rep.localCandidates || []).join(' | ') || 'none'}`);
  tap.diag(`peerc candidates: ${(rep.remoteCandidates || []).join(' | ') || 'none'}`);
  const mlines = (sdp) => (sdp || '').split(/\r?\n/).filter((l) => l.startsWith('m=')).join('; ');
  if (!tap.ok(rep.negotiated, `offer/answer exchanged (chromium is ${args.role})`,
    `signaling: ${rep.finalStates && rep.finalStates.signaling}`)) return;
  tap.diag(`peerc ${args.role === 'offerer' ? 'answer' : 'offer'} m-lines: ${mlines(rep.remoteSdp)}`);
  if (!tap.ok(rep.connection === 'connected', 'chromium connection state connected',
    `connection: ${rep.connection}; states seen: ${(rep.states || []).join(' ')}`)) return;
  tap.diag(`connected after ${Math.round(rep.connectedAfterMs)} ms`);
  if (!tap.ok(rep.open, "data channel 'echo' open", `channel state: ${rep.dcState}`)) return;
  tap.ok(rep.label === 'echo', `channel label is 'echo' (got ${JSON.stringify(rep.label)})`);
  tap.diag(`${rep.received}/${rep.expected} echoes, ${rep.totalBytes} bytes each way in ${(rep.elapsedMs / 1000).toFixed(2)} s`);
  tap.ok(rep.received === rep.expected, `all ${rep.expected} echoes received`,
    `received ${rep.received} of ${rep.expected}; states: ${(rep.states || []).join(' ')}`);
  tap.ok(rep.nMismatches === 0, 'echoes complete, in order, same type',
    (rep.mismatches || []).join('\n') + (rep.nMismatches > 20 ? '\n...' : ''));
  tap.ok(rep.sentHash && rep.sentHash === rep.gotHash, `SHA-256 of echoed bytes matches (${(rep.sentHash || '').slice(0, 16)})`,
    `sent ${rep.sentHash}\ngot  ${rep.gotHash}`);
  tap.ok(rep.textCount > 0 && rep.textAsText, `${rep.textCount} text messages (non-ASCII included) echoed as text`);
  if (rep.pair) tap.diag(`chromium selected pair: local ${rep.pair.local} -> remote ${rep.pair.remote}; ${rep.pair.dtls}`);
}

function fmt(o) {
  return Object.entries(o || {}).map(([k, v]) => `${k}=${typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(3) : v}`).join(' ');
}

// Chromium's side of the call, from the page's report.
function reportMedia(m) {
  const tracks = m.tracks || [];
  const kinds = tracks.map((t) => t.kind).sort().join(',');
  tap.ok(kinds === 'audio,video', `chromium got peerc's audio and video tracks (${kinds || 'none'})`);
  for (const kind of ['video', 'audio']) {
    const t = tracks.find((x) => x.kind === kind);
    const streams = t ? t.streams : [];
    tap.ok(streams.includes('peerc-stream'), `chromium's ${kind} track event carries stream 'peerc-stream'`,
      `event.streams: ${JSON.stringify(streams)}`);
  }
  const st = m.stats || { inbound: {}, outbound: {} };
  const iv = st.inbound.video || {}, ia = st.inbound.audio || {};
  const ov = st.outbound.video || {}, oa = st.outbound.audio || {};
  tap.diag(`chromium inbound video: ${fmt(iv)}`);
  tap.diag(`chromium inbound audio: ${fmt(ia)}`);
  tap.diag(`chromium outbound video: ${fmt(ov)}`);
  tap.diag(`chromium outbound audio: ${fmt(oa)}`);
  if (st.outbound.videoRemote) tap.diag(`chromium remote-inbound video: ${fmt(st.outbound.videoRemote)}`);
  if (m.firstPictureAfterConnectedMs != null)
    tap.diag(`chromium: first picture from peerc presented ${Math.round(m.firstPictureAfterConnectedMs)} ms after connected`);
  tap.ok((iv.framesDecoded || 0) >= 60, `chromium decoded ${iv.framesDecoded || 0} pictures from peerc (>= 60)`);
  tap.ok(iv.frameWidth === 640 && iv.frameHeight === 480,
    `chromium decodes peerc's pictures at 640x480 (${iv.frameWidth}x${iv.frameHeight})`);
  tap.ok(iv.codec === 'video/VP8' && ia.codec === 'audio/opus',
    `chromium receives VP8 and Opus (${iv.codec}, ${ia.codec})`);
  tap.ok((ia.packetsReceived || 0) >= 100 && (ia.totalSamplesReceived || 0) > 0,
    `chromium received ${ia.packetsReceived || 0} audio packets (>= 100), ${ia.totalSamplesReceived || 0} samples`);
  tap.ok((ia.audioLevel || 0) > 0.01 && (ia.totalAudioEnergy || 0) > 0,
    `chromium's inbound audio is above silence (audioLevel ${ia.audioLevel}, totalAudioEnergy ${ia.totalAudioEnergy})`);
  tap.ok((ov.framesEncoded || 0) >= 60, `chromium encoded ${ov.framesEncoded || 0} pictures of its fake camera`);
  const v = m.video || {};
  tap.diag(`chromium canvas read-back: ${v.presented} pictures presented (${JSON.stringify(v.sizes)}), ` +
    `${v.numbered} numbered ${v.first}..${v.last}, ${v.unreadable} unreadable, ${v.backwards} out of order` +
    `${(v.errors || []).length ? '; errors: ' + v.errors.join('; ') : ''}`);
  tap.ok(v.numbered >= 60 && v.backwards === 0,
    `peerc's frame numbers read back from ${v.numbered || 0} presented pictures, only increasing`,
    `${v.numbered} numbered, ${v.unreadable} unreadable, ${v.backwards} went back`);
  const a = m.audio || {};
  const freqs = (a.freqs || []).slice().sort((x, y) => x - y);
  const median = freqs.length ? freqs[Math.floor(freqs.length / 2)] : null;
  tap.diag(`chromium WebAudio: ${freqs.length} frequency estimates, median ${median ? median.toFixed(1) : '-'} Hz, ` +
    `max RMS ${(a.rmsMax || 0).toFixed(3)}${(a.errors || []).length ? '; errors: ' + a.errors.join('; ') : ''}`);
  tap.ok(median != null && Math.abs(median - PEERC_TONE_HZ) <= PEERC_TONE_HZ * 0.02,
    `chromium hears peerc's ${PEERC_TONE_HZ} Hz tone (${median ? median.toFixed(1) : 'none'} Hz)`);
}

// peerc's side of the call, from its report line.
function checkPeercReport(r, m) {
  const summary = Object.fromEntries(Object.entries(r).filter(([k]) => k !== 'transceivers' && k !== 'tracks'));
  tap.diag(`peerc report: ${JSON.stringify(summary)}`);
  for (const t of r.tracks || []) tap.diag(`peerc track: ${JSON.stringify(t)}`);
  for (const t of r.transceivers || []) tap.diag(`peerc transceiver: ${JSON.stringify(t)}`);
  const frames = r.video_frames_decoded || 0;
  tap.ok(frames >= 60, `peerc decoded ${frames} pictures from chromium's fake camera (>= 60)`);
  tap.ok(r.video_width === 640 && r.video_height === 480,
    `peerc decoded chromium's pictures at 640x480 (${r.video_width}x${r.video_height})`);
  const audioTrack = (r.tracks || []).find((t) => t.kind === 'audio') || {};
  // The fake microphone beeps (short bursts): judge the loudest 20 ms.
  tap.ok((r.audio_samples || 0) > 0 && (audioTrack.max_frame_rms || 0) > 0.01,
    `peerc received audio from chromium (${r.audio_samples || 0} samples, loudest 20 ms RMS ` +
    `${(audioTrack.max_frame_rms || 0).toFixed(3)}, last 0.5 s RMS ${(r.audio_rms || 0).toFixed(3)})`);
  const sid = m.localStreamId;
  tap.ok(sid && JSON.stringify(r.remote_stream_ids) === JSON.stringify([sid]),
    `peerc saw chromium's stream id ${sid}`, `peerc saw ${JSON.stringify(r.remote_stream_ids)}`);
  const byKind = {};
  for (const t of r.transceivers || []) byKind[t.kind] = t;
  const tv = byKind.video || {}, ta = byKind.audio || {};
  tap.ok(tv.codec === 'video/VP8' && ta.codec === 'audio/opus',
    `peerc negotiated VP8 and Opus (${tv.codec}, ${ta.codec})`);
  tap.ok(tv.packets_sent > 0 && tv.packets_received > 0 && ta.packets_sent > 0 && ta.packets_received > 0,
    `peerc RTP both ways: video ${tv.packets_sent}/${tv.packets_received}, audio ${ta.packets_sent}/${ta.packets_received} packets sent/received`);
  tap.ok((tv.frames_encoded || 0) >= 60, `peerc encoded ${tv.frames_encoded} pictures`);
  if (r.first_frame_after_connected_ms >= 0)
    tap.diag(`peerc: first picture ${Math.round(r.first_frame_after_connected_ms)} ms after connected, ${(r.video_fps || 0).toFixed(1)} fps decoded`);
}

async function hangUp() {
  if (!child) return;
  toPeer({ type: 'hang-up' });
  const m = pageReport && pageReport.media;
  if (args.media && m && m.stats) {
    let r = peercReport;
    if (!r) {
      try { r = await withTimeout(peercReportPromise, 10000, 'peerc-report'); } catch (e) { r = null; }
    }
    if (tap.ok(r != null, 'peerc-peer reported what it received')) checkPeercReport(r, m);
  }
  let code;
  try {
    code = await withTimeout(childExit, 10000, 'peerc-peer exit');
  } catch (e) {
    tap.diag('peerc-peer did not exit 10 s after hang-up; killing it');
    child.kill('SIGKILL');
    code = await childExit;
  }
  tap.ok(code === 0, 'peerc-peer exits 0 after hang-up', `exit status ${code}`);
  for (const l of peerStderr) if (l.includes('stats:')) tap.diag(l);
}

async function main() {
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`${e.message}\n`);
    process.exit(64);
  }
  if (!fs.existsSync(CHROMIUM)) {
    process.stdout.write(`not ok 1 - ${CHROMIUM} not installed (scripts/check installs it)\n1..1\n`);
    return 1;
  }
  if (!fs.existsSync(args.peer)) {
    process.stdout.write(`not ok 1 - ${args.peer} not built\n1..1\n`);
    return 1;
  }
  if (args.log) logStream = fs.createWriteStream(args.log);

  // Watchdog: never outlive the budget, whatever hangs.
  const watchdog = setTimeout(async () => {
    tap.ok(false, `test finished within ${args.timeout} s`);
    dumpLogs();
    const rc = tap.done();
    setTimeout(() => process.exit(rc || 1), 4000).unref();
    await cleanup();
    process.exit(rc || 1);
  }, args.timeout * 1000);
  for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP']) {
    process.on(sig, async () => {
      if (child) child.kill('SIGKILL');
      if (!tap.planned) {
        tap.ok(false, `terminated by ${sig}`);
        dumpLogs();
        tap.done();
      }
      await cleanup();
      process.exit(1);
    });
  }
  process.on('exit', () => { if (child && child.exitCode == null) child.kill('SIGKILL'); });

  try {
    await run();
  } catch (e) {
    tap.ok(false, `unexpected exception: ${e}`, e.stack);
  }
  if (!tap.planned) {
    try {
      await hangUp();
    } catch (e) {
      tap.ok(false, `hang-up: ${e}`);
    }
    if (page) {
      try { await withTimeout(page.evaluate(() => window.closePc()), 3000, 'close pc'); } catch (e) { /* ignore */ }
    }
    if (tap.failed || process.env.PEERC_INTEROP_VERBOSE) dumpLogs();
  }
  clearTimeout(watchdog);
  const rc = tap.planned ? 0 : tap.done();
  await cleanup();
  return rc;
}

main().then((rc) => process.exit(rc));
