// media-call.mjs: the peerc media-call benchmark (bench/media-call.c) on
// Google's libwebrtc through @roamhq/wrtc, in the same layout: two
// RTCPeerConnections in one process call each other over loopback, each
// sending 640x480 VP8 video at 30 fps and a mono 48 kHz sine (Opus), and
// counting what the other's frames decode to.  Same options and the same
// JSON line as the C program:
//
//   node media-call.mjs [--seconds S] [--warmup S] [--timeout S]
//        [--width W] [--height H] [--fps F] [--stack NAME] [--max-kbps N]
//
// --max-kbps caps each side's video at N kbit/s with b=AS in the video
// section of the description handed to the other side (bench/run's
// "wrtc-500k": about what peerc and aiortc send of this pattern; without
// it libwebrtc sends over twice as much).
//
// Media goes in and out through wrtc's nonstandard API: RTCVideoSource
// .onFrame() takes I420 frames, RTCAudioSource.onData() 10 ms of 16-bit
// PCM; RTCVideoSink and RTCAudioSink hand out what was decoded (as copies
// in JS buffers).  The pictures are peerc's built-in test pattern redrawn
// here pixel for pixel (scrolling colour bars, a bouncing grey square, the
// frame number in digits and as a 32-cell code band), so every stack
// encodes the same content; drawing it is part of the measured CPU, as
// peerc's own source is.  The sine is peerc's tone: peak 0.25 of full
// scale, 440 Hz from the offerer, 880 Hz from the answerer.  Frames are
// pushed from timers on the main thread at their due times.
//
// The clock starts (t0) at the first addTrack; pcs, sources and tracks
// exist before it.  Once both sides have decoded a frame, the call runs
// --warmup seconds, then the --seconds window is measured: cpu_percent is
// process.cpuUsage() (user + sys of every thread) over the window's wall
// time; 100 = one core.  Bitrates are getStats() outbound-rtp bytesSent
// over the window (RTP payload bytes); the codec, encoder and decoder
// implementation, the bandwidth estimate (candidate-pair
// availableOutgoingBitrate; M106 has no targetBitrate), the encoded
// resolution and the quality limitation reason come from getStats() too.
//
// libwebrtc ignores loopback interfaces when there are others: bench/run
// starts this in a private network namespace (see bench/README.md).
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);

const opt = { seconds: 10, warmup: 3, timeout: 30, width: 640, height: 480, fps: 30, stack: 'wrtc', maxKbps: 0 };
{
    const a = process.argv.slice(2);
    for (let i = 0; i < a.length; i += 2) {
        const k = a[i], v = a[i + 1];
        if (v === undefined) usage();
        switch (k) {
        case '--seconds': opt.seconds = Number(v); break;
        case '--warmup': opt.warmup = Number(v); break;
        case '--timeout': opt.timeout = Number(v); break;
        case '--width': opt.width = Number(v); break;
        case '--height': opt.height = Number(v); break;
        case '--fps': opt.fps = Number(v); break;
        case '--stack': opt.stack = v; break;
        case '--max-kbps': opt.maxKbps = Number(v); break;
        default: usage();
        }
    }
}

function usage() {
    process.stderr.write('usage: node media-call.mjs [--seconds S] [--warmup S] [--timeout S] ' +
        '[--width W] [--height H] [--fps F] [--stack NAME] [--max-kbps N]\n');
    process.exit(2);
}

const nowMs = () => Number(process.hrtime.bigint()) / 1e6;
const cpuMs = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e3;
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const AUDIO_RATE = 48000;

// ------------------------------------------------------------ the picture
//
// lib/media/testsrc-video.c, redrawn into one reused I420 buffer.

const FONT = [
    [0x0e, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0e], [0x04, 0x0c, 0x04, 0x04, 0x04, 0x04, 0x0e],
    [0x0e, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1f], [0x1f, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0e],
    [0x02, 0x06, 0x0a, 0x12, 0x1f, 0x02, 0x02], [0x1f, 0x10, 0x1e, 0x01, 0x01, 0x11, 0x0e],
    [0x06, 0x08, 0x10, 0x1e, 0x11, 0x11, 0x0e], [0x1f, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08],
    [0x0e, 0x11, 0x11, 0x0e, 0x11, 0x11, 0x0e], [0x0e, 0x11, 0x11, 0x0f, 0x01, 0x02, 0x0c],
];
const BARS = [[235, 128, 128], [210, 16, 146], [170, 166, 16], [145, 54, 34],
    [106, 202, 222], [81, 90, 240], [41, 240, 110], [16, 128, 128]];
const Y_BLACK = 16, Y_WHITE = 235;

function crc8(v) {
    let crc = 0xff;
    for (let i = 2; i >= 0; i--) {
        crc ^= (v >>> (8 * i)) & 0xff;
        for (let b = 0; b < 8; b++) crc = crc & 0x80 ? ((crc << 1) ^ 0x07) & 0xff : (crc << 1) & 0xff;
    }
    return crc ^ 0x55;
}

function bounce(t, range) {
    if (range === 0) return 0;
    const p = t % (2 * range);
    return p < range ? p : 2 * range - p;
}

export class Pattern {
    constructor(w, h) {
        this.w = w; this.h = h;
        this.cw = (w + 1) >> 1; this.ch = (h + 1) >> 1;
        this.data = new Uint8ClampedArray(w * h + 2 * this.cw * this.ch);
        this.y = this.data.subarray(0, w * h);
        this.u = this.data.subarray(w * h, w * h + this.cw * this.ch);
        this.v = this.data.subarray(w * h + this.cw * this.ch);
        // Bars of x for x in 0..2w: a scrolled row is a window of these.
        this.barY = new Uint8Array(2 * w);
        this.barU = new Uint8Array(2 * w);
        this.barV = new Uint8Array(2 * w);
        for (let x = 0; x < 2 * w; x++) {
            const c = BARS[Math.floor(x * 8 / w) % 8];
            this.barY[x] = c[0]; this.barU[x] = c[1]; this.barV[x] = c[2];
        }
        this.rowU = new Uint8Array(this.cw);
        this.rowV = new Uint8Array(this.cw);
        this.band = Math.max(Math.floor(h / 16), 8) & ~1;
        this.box = Math.floor(h / 6) & ~1;
        this.scale = Math.floor(h / 60) || 1;
    }

    fill(plane, stride, x, y, w, h, value) {
        for (let r = 0; r < h; r++) plane.fill(value, (y + r) * stride + x, (y + r) * stride + x + w);
    }

    neutral(x, y, rw, rh) {
        const cx = x >> 1, cy = y >> 1, cx1 = (x + rw + 1) >> 1, cy1 = (y + rh + 1) >> 1;
        this.fill(this.u, this.cw, cx, cy, cx1 - cx, cy1 - cy, 128);
        this.fill(this.v, this.cw, cx, cy, cx1 - cx, cy1 - cy, 128);
    }

    draw(n) {
        const { w, h, cw, ch, band: top, box, scale: s } = this;
        const shift = (n * 4) % w; // bars scroll 4 pixels a frame
        const row = this.barY.subarray(shift, shift + w);
        for (let y = top; y < h; y++) this.y.set(row, y * w);
        for (let x = 0; x < cw; x++) {
            this.rowU[x] = this.barU[2 * x + shift];
            this.rowV[x] = this.barV[2 * x + shift];
        }
        for (let y = top >> 1; y < ch; y++) {
            this.u.set(this.rowU, y * cw);
            this.v.set(this.rowV, y * cw);
        }
        const bx = bounce(n * 5, w - box), by = top + bounce(n * 3, h - top - box);
        this.fill(this.y, w, bx, by, box, box, 128);
        this.neutral(bx, by, box, box);
        // digits
        const text = String(n);
        const x0 = 2 * s, y0 = top + 2 * s, bw = text.length * 6 * s + 2 * s, bh = 9 * s;
        if (x0 + bw <= w && y0 + bh <= h) {
            this.fill(this.y, w, x0, y0, bw, bh, Y_BLACK);
            this.neutral(x0, y0, bw, bh);
            for (let d = 0; d < text.length; d++) {
                const g = FONT[text.charCodeAt(d) - 48];
                const gx = x0 + s + d * 6 * s, gy = y0 + s;
                for (let r = 0; r < 7; r++)
                    for (let c = 0; c < 5; c++)
                        if (g[r] & (0x10 >> c)) this.fill(this.y, w, gx + c * s, gy + r * s, s, s, Y_WHITE);
            }
        }
        // code band: 24-bit number and its CRC-8, MSB first
        const number = n & 0xffffff;
        const cell = Math.floor(w / 32);
        this.fill(this.y, w, 0, 0, w, top, 128);
        for (let i = 0; i < 32; i++) {
            const bit = i < 24 ? (number >>> (23 - i)) & 1 : (crc8(number) >>> (31 - i)) & 1;
            this.fill(this.y, w, i * cell, 0, cell, top, bit ? Y_WHITE : Y_BLACK);
        }
        this.fill(this.u, cw, 0, 0, cw, top >> 1, 128);
        this.fill(this.v, cw, 0, 0, cw, top >> 1, 128);
        return this.data;
    }
}

// ---------------------------------------------------------------- a call

function stats(report) {
    const out = { video: {}, audio: {}, inVideo: {}, codecs: {}, bwe: undefined };
    report.forEach((s) => {
        if (s.type === 'codec') out.codecs[s.id] = s.mimeType;
        if (s.type === 'candidate-pair' && s.nominated && s.availableOutgoingBitrate !== undefined)
            out.bwe = s.availableOutgoingBitrate;
    });
    report.forEach((s) => {
        const kind = s.kind || s.mediaType;
        if (s.type === 'outbound-rtp') out[kind] = s;
        else if (s.type === 'inbound-rtp' && kind === 'video') out.inVideo = s;
    });
    return out;
}

class Side {
    constructor(wrtc, name, hz, t0) {
        const { RTCVideoSource, RTCAudioSource, RTCVideoSink, RTCAudioSink } = wrtc.nonstandard;
        this.name = name;
        this.pc = new wrtc.RTCPeerConnection({ iceServers: [] });
        this.videoSource = new RTCVideoSource();
        this.audioSource = new RTCAudioSource();
        this.videoTrack = this.videoSource.createTrack();
        this.audioTrack = this.audioSource.createTrack();
        this.stream = new wrtc.MediaStream([this.videoTrack, this.audioTrack]);
        this.pattern = new Pattern(opt.width, opt.height);
        // One second holds a whole number of cycles of an integer frequency.
        this.second = new Int16Array(AUDIO_RATE);
        for (let i = 0; i < AUDIO_RATE; i++)
            this.second[i] = Math.round(0.25 * 32767 * Math.sin(2 * Math.PI * hz * i / AUDIO_RATE));
        this.frames = 0; this.samples = 0; this.width = 0; this.height = 0;
        this.firstFrameMs = null;
        this.error = null;
        this.sinks = [];
        this.pc.ontrack = (e) => {
            if (e.track.kind === 'video') {
                const sink = new RTCVideoSink(e.track);
                sink.onframe = ({ frame }) => {
                    if (this.frames++ === 0) this.firstFrameMs = nowMs() - t0();
                    this.width = frame.width; this.height = frame.height;
                };
                this.sinks.push(sink);
            } else {
                const sink = new RTCAudioSink(e.track);
                sink.ondata = (d) => { this.samples += d.numberOfFrames; };
                this.sinks.push(sink);
            }
        };
        this.pc.onconnectionstatechange = () => {
            process.stderr.write(`# ${name}: connection ${this.pc.connectionState} after ${(nowMs() - t0()).toFixed(1)} ms\n`);
            if (this.pc.connectionState === 'failed') this.error = 'connection failed';
        };
        // Candidates trickle; the other side holds them until it has our
        // description.
        this.pending = [];
        this.remoteSet = false;
        this.pc.onicecandidate = (e) => {
            if (e.candidate && this.other) this.other.addCandidate(e.candidate);
        };
    }

    addCandidate(c) {
        if (this.remoteSet) this.pc.addIceCandidate(c).catch(() => {});
        else this.pending.push(c);
    }

    async setRemote(desc) {
        await this.pc.setRemoteDescription(desc);
        this.remoteSet = true;
        for (const c of this.pending.splice(0)) this.pc.addIceCandidate(c).catch(() => {});
    }

    // Push every video and audio frame that is due, then wait for the next.
    start() {
        const tStart = nowMs(), per = 1000 / opt.fps, chunk = AUDIO_RATE / 100;
        let nVideo = 0, nAudio = 0;
        const audio = new Int16Array(chunk);
        const tick = () => {
            if (this.stopped) return;
            const t = nowMs() - tStart;
            while (nVideo * per <= t) {
                this.videoSource.onFrame({ width: opt.width, height: opt.height, data: this.pattern.draw(nVideo) });
                nVideo++;
            }
            while (nAudio * 10 <= t) {
                const off = (nAudio * chunk) % AUDIO_RATE;
                audio.set(this.second.subarray(off, off + chunk));
                this.audioSource.onData({ samples: audio, sampleRate: AUDIO_RATE, bitsPerSample: 16,
                    channelCount: 1, numberOfFrames: chunk });
                nAudio++;
            }
            this.timer = setTimeout(tick, Math.max(0, Math.min(nVideo * per, nAudio * 10) - (nowMs() - tStart)));
        };
        tick();
    }

    stop() {
        this.stopped = true;
        clearTimeout(this.timer);
        for (const s of this.sinks) s.stop();
        this.videoTrack.stop();
        this.audioTrack.stop();
        this.pc.close();
    }
}

// --max-kbps: b=AS in the video m-section of the description the other
// side receives, which caps what that side sends (RTCRtpSender
// .setParameters() rejects every change in wrtc 0.10 with InvalidStateError).
function capped(desc) {
    if (!(opt.maxKbps > 0)) return desc;
    const out = [];
    let video = false;
    for (const line of desc.sdp.split('\r\n')) {
        if (line.startsWith('m=')) video = line.startsWith('m=video');
        if (video && line.startsWith('b=')) continue;
        out.push(line);
        if (video && line.startsWith('c=')) out.push(`b=AS:${opt.maxKbps}`);
    }
    return { type: desc.type, sdp: out.join('\r\n') };
}

async function snapshot(sides) {
    const snap = { t: nowMs(), cpu: cpuMs(), sides: [] };
    for (const s of sides)
        snap.sides.push({ frames: s.frames, samples: s.samples, st: stats(await s.pc.getStats()) });
    return snap;
}

function direction(sides, from, s0, s1) {
    const to = 1 - from, wall = (s1.t - s0.t) / 1e3, r = sides[to];
    const frames = s1.sides[to].frames - s0.sides[to].frames;
    const a = s0.sides[from].st, b = s1.sides[from].st, inb = s1.sides[to].st.inVideo;
    const kbps = (k) => wall > 0 ? +(((b[k].bytesSent || 0) - (a[k].bytesSent || 0)) * 8 / 1e3 / wall).toFixed(1) : 0;
    const num = (x) => (x === undefined ? null : x);
    return {
        first_frame_ms: r.firstFrameMs === null ? null : +r.firstFrameMs.toFixed(1),
        frames,
        fps: wall > 0 ? +(frames / wall).toFixed(2) : 0,
        resolution: `${r.width}x${r.height}`,
        audio_s: +((s1.sides[to].samples - s0.sides[to].samples) / AUDIO_RATE).toFixed(3),
        video_kbps: kbps('video'),
        audio_kbps: kbps('audio'),
        video_codec: b.codecs[b.video.codecId] || '',
        audio_codec: b.codecs[b.audio.codecId] || '',
        target_kbps: b.video.targetBitrate === undefined ? null : +(b.video.targetBitrate / 1e3).toFixed(1),
        bwe_kbps: b.bwe === undefined ? null : +(b.bwe / 1e3).toFixed(1),
        frames_encoded: num(b.video.framesEncoded) === null ? null : b.video.framesEncoded - (a.video.framesEncoded || 0),
        key_frames_encoded: num(b.video.keyFramesEncoded) === null ? null : b.video.keyFramesEncoded - (a.video.keyFramesEncoded || 0),
        encoded_resolution: `${b.video.frameWidth || 0}x${b.video.frameHeight || 0}`,
        encoder: num(b.video.encoderImplementation),
        quality_limitation: num(b.video.qualityLimitationReason),
        decoder: num(inb.decoderImplementation),
        frames_decoded_total: num(inb.framesDecoded),
        packets_lost: num(inb.packetsLost),
        nack: num(inb.nackCount),
        pli: num(inb.pliCount),
        frames_dropped: num(inb.framesDropped),
    };
}

async function main() {
    const wrtc = require('@roamhq/wrtc');
    const version = require('@roamhq/wrtc/package.json').version;
    process.stderr.write(`${opt.stack}: @roamhq/wrtc ${version} (libwebrtc M106), node ${process.version}\n`);
    let t0 = 0;
    const a = new Side(wrtc, 'a', 440, () => t0), b = new Side(wrtc, 'b', 880, () => t0);
    a.other = b; b.other = a;
    const sides = [a, b];
    a.start(); b.start();
    let error = null;
    t0 = nowMs();
    try {
        a.pc.addTrack(a.videoTrack, a.stream);
        a.pc.addTrack(a.audioTrack, a.stream);
        // What createOffer/createAnswer return, not localDescription: once
        // candidates are gathered, libwebrtc's localDescription sometimes
        // fails to parse on the other side ("Failed to parse the connection
        // data. The address type is mismatching.": one call in ten in one
        // run of bench/run here).
        const offer = await a.pc.createOffer();
        await a.pc.setLocalDescription(offer);
        await b.setRemote(capped(offer));
        b.pc.addTrack(b.videoTrack, b.stream);
        b.pc.addTrack(b.audioTrack, b.stream);
        const answer = await b.pc.createAnswer();
        await b.pc.setLocalDescription(answer);
        await a.setRemote(capped(answer));
    } catch (e) {
        error = 'negotiation: ' + (e.message || e.name || String(e));
    }
    while (!error && !(a.frames && b.frames) && nowMs() - t0 < opt.timeout * 1e3) {
        error = a.error || b.error;
        await sleep(5);
    }
    let complete = !error && a.frames > 0 && b.frames > 0;
    let s0, s1;
    if (complete) {
        await sleep(opt.warmup * 1e3);
        s0 = await snapshot(sides);
        await sleep(opt.seconds * 1e3);
        s1 = await snapshot(sides);
        error = a.error || b.error;
        complete = !error;
    } else {
        s0 = s1 = await snapshot(sides);
        if (!error) {
            const st = s1.sides[0].st;
            error = 'no decoded frame both ways within the timeout' +
                ` (a sent ${st.video.bytesSent || 0} video bytes, b decoded ${b.frames}; b sent ` +
                `${s1.sides[1].st.video.bytesSent || 0}, a decoded ${a.frames})`;
        }
    }
    const wall = s1.t - s0.t;
    const out = {
        stack: opt.stack, test: 'media-call', width: opt.width, height: opt.height, fps: opt.fps,
        window_s: +(wall / 1e3).toFixed(3), warmup_s: opt.warmup,
        cpu_percent: wall > 0 ? +(100 * (s1.cpu - s0.cpu) / wall).toFixed(1) : 0,
        a_to_b: direction(sides, 0, s0, s1), b_to_a: direction(sides, 1, s0, s1), complete,
    };
    if (error) out.error = error;
    process.stdout.write(JSON.stringify(out) + '\n');
    a.stop(); b.stop();
    // Native threads may keep the loop alive.
    setTimeout(() => process.exit(complete ? 0 : 1), 200);
}

// Run as a program; imported (to check the pattern), do nothing.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
