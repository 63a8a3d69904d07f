#!/usr/bin/python3
"""The peerc media-call benchmark (bench/media-call.c) on aiortc.

Two RTCPeerConnections in one process and one asyncio loop call each other
over loopback.  Each sends a 640x480 VP8 video track at 30 fps and a mono
48 kHz sine (Opus); consumers call recv() on the remote tracks and count
what was decoded.  Same options and the same JSON line as the C program:

    /usr/bin/python3 media_call_aiortc.py [--seconds S] [--warmup S]
        [--timeout S] [--width W] [--height H] [--fps F]

The video is peerc's built-in test pattern redrawn with numpy, pixel for
pixel (scrolling colour bars, a bouncing grey square, the frame number in
digits and as a 32-cell code band), so every stack encodes the same
pictures; drawing it is part of the measured CPU, as peerc's own source is.
The sine is peerc's tone: peak 0.25 of full scale, 440 Hz from the offerer,
880 Hz from the answerer, sent as 20 ms frames (aiortc's AUDIO_PTIME).

The clock starts (t0) at the first addTransceiver; pcs and tracks exist
before it.  Once both sides have decoded a frame, the call runs --warmup
seconds, then the --seconds window is measured: cpu_percent is process CPU
(getrusage user + sys, every thread: the loop, aiortc's encoder executor
and its decoder threads) over the window's wall time; 100 = one core.
video_kbps/audio_kbps are RTCRtpSender.getStats() bytesSent over the
window (RTP payload bytes, as in every stack), target_kbps is
the VP8 encoder's target_bitrate (a private attribute).

aiortc 1.4 cannot call itself with audio and video on one BUNDLE transport:
its offer numbers the extensions of each m-line from 1, so id 2 is
abs-send-time for video and ssrc-audio-level for audio, and the shared
transport parses every packet with one map; the first audio packet raises
struct.error and ends the DTLS transport (aiortc issues #745, #778).  The
offer that b receives therefore leaves out the audio-level extension (one
a=extmap line of the audio m-line); everything else, BUNDLE included, is as
aiortc made it.

Run it with Debian's interpreter (/usr/bin/python3), which sees
python3-aiortc.  aioice leaves loopback out of its host candidates and has
no option to choose interfaces, so get_host_addresses is replaced to offer
127.0.0.1 only: no packet leaves loopback.
"""

import argparse
import asyncio
import fractions
import json
import resource
import sys
import time

import aioice.ice
import numpy as np
from av import AudioFrame, VideoFrame
from aiortc import (MediaStreamTrack, RTCConfiguration, RTCPeerConnection,
                    RTCRtpSender, RTCSessionDescription)
from aiortc.mediastreams import MediaStreamError

aioice.ice.get_host_addresses = lambda use_ipv4, use_ipv6: ["127.0.0.1"] if use_ipv4 else []

STACK = "aiortc"
VIDEO_CLOCK = 90000
AUDIO_RATE = 48000
AUDIO_PTIME = 0.020


def now_ms():
    return time.monotonic() * 1e3


def cpu_ms():
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return (ru.ru_utime + ru.ru_stime) * 1e3


# ------------------------------------------------------------ the picture
#
# lib/media/testsrc-video.c, redrawn with numpy.

FONT = [
    [0x0e, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0e], [0x04, 0x0c, 0x04, 0x04, 0x04, 0x04, 0x0e],
    [0x0e, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1f], [0x1f, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0e],
    [0x02, 0x06, 0x0a, 0x12, 0x1f, 0x02, 0x02], [0x1f, 0x10, 0x1e, 0x01, 0x01, 0x11, 0x0e],
    [0x06, 0x08, 0x10, 0x1e, 0x11, 0x11, 0x0e], [0x1f, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08],
    [0x0e, 0x11, 0x11, 0x0e, 0x11, 0x11, 0x0e], [0x0e, 0x11, 0x11, 0x0f, 0x01, 0x02, 0x0c],
]
BARS = np.array([[235, 128, 128], [210, 16, 146], [170, 166, 16], [145, 54, 34],
                 [106, 202, 222], [81, 90, 240], [41, 240, 110], [16, 128, 128]], np.uint8)
Y_BLACK, Y_WHITE = 16, 235


def crc8(v):
    crc = 0xff
    for i in (2, 1, 0):
        crc ^= (v >> (8 * i)) & 0xff
        for _ in range(8):
            crc = ((crc << 1) ^ 0x07) & 0xff if crc & 0x80 else (crc << 1) & 0xff
    return crc ^ 0x55


def bounce(t, rng):
    if rng == 0:
        return 0
    p = t % (2 * rng)
    return p if p < rng else 2 * rng - p


class Pattern:
    """I420 frames of peerc's test pattern, drawn into one reused buffer."""

    def __init__(self, w, h):
        self.w, self.h = w, h
        self.cw, self.ch = (w + 1) // 2, (h + 1) // 2
        self.buf = np.zeros(w * h + 2 * self.cw * self.ch, np.uint8)
        self.y = self.buf[:w * h].reshape(h, w)
        self.u = self.buf[w * h:w * h + self.cw * self.ch].reshape(self.ch, self.cw)
        self.v = self.buf[w * h + self.cw * self.ch:].reshape(self.ch, self.cw)
        idx = (np.arange(2 * w) * 8 // w) % 8
        self.bars = BARS[idx]                    # (2w, 3): bars of x, x in 0..2w
        self.band = max(h // 16, 8) & ~1
        self.box = (h // 6) & ~1
        self.scale = h // 60 or 1
        s = self.scale
        self.glyphs = [np.kron(np.array([[(row >> (4 - c)) & 1 for c in range(5)] for row in g],
                                        bool), np.ones((s, s), bool)) for g in FONT]

    def neutral(self, x, y, rw, rh):
        cx, cy = x // 2, y // 2
        cx1, cy1 = (x + rw + 1) // 2, (y + rh + 1) // 2
        self.u[cy:cy1, cx:cx1] = 128
        self.v[cy:cy1, cx:cx1] = 128

    def draw(self, n):
        w, h, top = self.w, self.h, self.band
        shift = (n * 4) % w                      # bars scroll 4 pixels a frame
        self.y[top:] = self.bars[shift:shift + w, 0]
        c = self.bars[shift:shift + 2 * self.cw:2]
        self.u[top // 2:] = c[:, 1]
        self.v[top // 2:] = c[:, 2]
        box = self.box
        bx = bounce(n * 5, w - box)
        by = top + bounce(n * 3, h - top - box)
        self.y[by:by + box, bx:bx + box] = 128
        self.neutral(bx, by, box, box)
        # digits
        text = str(n)
        s = self.scale
        x0, y0 = 2 * s, top + 2 * s
        bw, bh = len(text) * 6 * s + 2 * s, 9 * s
        if x0 + bw <= w and y0 + bh <= h:
            self.y[y0:y0 + bh, x0:x0 + bw] = Y_BLACK
            self.neutral(x0, y0, bw, bh)
            for d, ch in enumerate(text):
                gx, gy = x0 + s + d * 6 * s, y0 + s
                self.y[gy:gy + 7 * s, gx:gx + 5 * s][self.glyphs[ord(ch) - 48]] = Y_WHITE
        # code band: 24-bit number and its CRC-8, MSB first
        number = n & 0xffffff
        word = (number << 8) | crc8(number)
        cell = w // 32
        self.y[:top] = 128
        for i in range(32):
            self.y[:top, i * cell:(i + 1) * cell] = Y_WHITE if (word >> (31 - i)) & 1 else Y_BLACK
        self.u[:top // 2] = 128
        self.v[:top // 2] = 128
        return self.buf


class PatternTrack(MediaStreamTrack):
    kind = "video"

    def __init__(self, w, h, fps):
        super().__init__()
        self.pattern = Pattern(w, h)
        self.w, self.h, self.fps = w, h, fps
        self.n = 0
        self.start = None

    async def recv(self):
        if self.readyState != "live":
            raise MediaStreamError
        if self.start is None:
            self.start = time.monotonic()
        else:
            wait = self.start + self.n / self.fps - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
        buf = self.pattern.draw(self.n)
        frame = VideoFrame.from_ndarray(buf.reshape(self.h * 3 // 2, self.w), format="yuv420p")
        frame.pts = self.n * VIDEO_CLOCK // self.fps
        frame.time_base = fractions.Fraction(1, VIDEO_CLOCK)
        self.n += 1
        return frame


class ToneTrack(MediaStreamTrack):
    kind = "audio"

    def __init__(self, hz):
        super().__init__()
        # One second holds a whole number of cycles of an integer frequency.
        t = np.arange(AUDIO_RATE) * (2 * np.pi * hz / AUDIO_RATE)
        self.second = np.rint(0.25 * 32767 * np.sin(t)).astype(np.int16)
        self.per_frame = int(AUDIO_RATE * AUDIO_PTIME)
        self.n = 0
        self.start = None

    async def recv(self):
        if self.readyState != "live":
            raise MediaStreamError
        if self.start is None:
            self.start = time.monotonic()
        else:
            wait = self.start + self.n * AUDIO_PTIME - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
        off = (self.n * self.per_frame) % AUDIO_RATE
        frame = AudioFrame(format="s16", layout="mono", samples=self.per_frame)
        frame.planes[0].update(self.second[off:off + self.per_frame].tobytes())
        frame.pts = self.n * self.per_frame
        frame.sample_rate = AUDIO_RATE
        frame.time_base = fractions.Fraction(1, AUDIO_RATE)
        self.n += 1
        return frame


# ---------------------------------------------------------------- a call

class Side:
    def __init__(self, name, args, hz):
        self.name = name
        self.pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        self.video = PatternTrack(args.width, args.height, args.fps)
        self.audio = ToneTrack(hz)
        self.video_sender = self.audio_sender = None
        self.frames = 0
        self.samples = 0
        self.width = self.height = 0
        self.first_frame_ms = None
        self.tasks = []
        self.error = None

        @self.pc.on("track")
        def on_track(track):
            self.tasks.append(asyncio.ensure_future(self.consume(track)))

        @self.pc.on("connectionstatechange")
        def on_state():
            print("# %s: connection %s after %.1f ms"
                  % (self.name, self.pc.connectionState, now_ms() - T0[0]), file=sys.stderr)
            if self.pc.connectionState == "failed":
                self.error = "connection failed"

    async def consume(self, track):
        try:
            while True:
                frame = await track.recv()
                if track.kind == "video":
                    if self.frames == 0:
                        self.first_frame_ms = now_ms() - T0[0]
                    self.frames += 1
                    self.width, self.height = frame.width, frame.height
                else:
                    self.samples += frame.samples
        except MediaStreamError:
            pass


T0 = [0.0]


def prefer(transceiver, mime):
    caps = RTCRtpSender.getCapabilities(transceiver.kind).codecs
    transceiver.setCodecPreferences([c for c in caps if c.mimeType.lower() in (mime, transceiver.kind + "/rtx")])


def without_audio_level(desc):
    """The offer without its ssrc-audio-level extension (see the docstring)."""
    lines = [l for l in desc.sdp.splitlines()
             if not (l.startswith("a=extmap:") and l.endswith(" urn:ietf:params:rtp-hdrext:ssrc-audio-level"))]
    return RTCSessionDescription(sdp="\r\n".join(lines) + "\r\n", type=desc.type)


async def sender_stats(sender):
    out = {"bytes": 0, "packets": 0}
    if sender is None:
        return out
    for s in (await sender.getStats()).values():
        if s.type == "outbound-rtp":
            out = {"bytes": s.bytesSent, "packets": s.packetsSent}
    return out


async def receiver_stats(side):
    lost = 0
    for t in side.pc.getTransceivers():
        if t.kind != "video":
            continue
        for s in (await t.receiver.getStats()).values():
            if s.type == "inbound-rtp":
                lost = s.packetsLost
    return lost


def target_kbps(sender):
    enc = getattr(sender, "_RTCRtpSender__encoder", None) if sender else None
    try:
        return round(enc.target_bitrate / 1e3, 1)
    except AttributeError:
        return None


def codec_of(pc, kind):
    """The first payload type of the m-line of kind in the remote answer."""
    sdp = pc.remoteDescription.sdp if pc.remoteDescription else ""
    pt = None
    for line in sdp.splitlines():
        if line.startswith("m=" + kind):
            pt = line.split()[3]
        elif pt and line.startswith("a=rtpmap:%s " % pt):
            return kind + "/" + line.split()[1].split("/")[0]
    return ""


async def snapshot(sides):
    snap = {"t": now_ms(), "cpu": cpu_ms(), "sides": []}
    for s in sides:
        snap["sides"].append({
            "frames": s.frames, "samples": s.samples,
            "video": await sender_stats(s.video_sender),
            "audio": await sender_stats(s.audio_sender),
            "lost": await receiver_stats(s),
        })
    snap["t1"] = now_ms()
    return snap


def direction(sides, frm, s0, s1):
    to = 1 - frm
    wall = (s1["t"] - s0["t"]) / 1e3
    r = sides[to]
    frames = s1["sides"][to]["frames"] - s0["sides"][to]["frames"]
    kbps = lambda k: round((s1["sides"][frm][k]["bytes"] - s0["sides"][frm][k]["bytes"]) * 8 / 1e3 / wall, 1) if wall > 0 else 0
    return {
        "first_frame_ms": round(r.first_frame_ms, 1) if r.first_frame_ms is not None else None,
        "frames": frames,
        "fps": round(frames / wall, 2) if wall > 0 else 0,
        "resolution": "%dx%d" % (r.width, r.height),
        "audio_s": round((s1["sides"][to]["samples"] - s0["sides"][to]["samples"]) / AUDIO_RATE, 3),
        "video_kbps": kbps("video"),
        "audio_kbps": kbps("audio"),
        "video_codec": codec_of(sides[frm].pc, "video"),
        "audio_codec": codec_of(sides[frm].pc, "audio"),
        "target_kbps": target_kbps(sides[frm].video_sender),
        "packets_lost": s1["sides"][to]["lost"],
    }


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--warmup", type=float, default=3)
    ap.add_argument("--timeout", type=float, default=30)
    ap.add_argument("--width", type=int, default=640)
    ap.add_argument("--height", type=int, default=480)
    ap.add_argument("--fps", type=int, default=30)
    args = ap.parse_args()
    import aiortc
    print("aiortc: %s, python %s, numpy %s" % (aiortc.__version__, sys.version.split()[0], np.__version__),
          file=sys.stderr)

    a, b = Side("a", args, 440), Side("b", args, 880)
    sides = [a, b]
    T0[0] = now_ms()
    tv = a.pc.addTransceiver(a.video, direction="sendrecv")
    ta = a.pc.addTransceiver(a.audio, direction="sendrecv")
    prefer(tv, "video/vp8")
    prefer(ta, "audio/opus")
    a.video_sender, a.audio_sender = tv.sender, ta.sender
    error = None
    try:
        await a.pc.setLocalDescription(await a.pc.createOffer())
        await b.pc.setRemoteDescription(without_audio_level(a.pc.localDescription))
        b.video_sender = b.pc.addTrack(b.video)
        b.audio_sender = b.pc.addTrack(b.audio)
        await b.pc.setLocalDescription(await b.pc.createAnswer())
        await a.pc.setRemoteDescription(b.pc.localDescription)
    except Exception as e:  # no figure
        error = "negotiation: %s" % (e or type(e).__name__)
    while not error and not (a.frames and b.frames) and now_ms() - T0[0] < args.timeout * 1e3:
        error = a.error or b.error
        await asyncio.sleep(0.005)
    complete = not error and bool(a.frames and b.frames)
    if complete:
        await asyncio.sleep(args.warmup)
        s0 = await snapshot(sides)
        await asyncio.sleep(args.seconds)
        s1 = await snapshot(sides)
        error = a.error or b.error
        complete = not error
    else:
        s0 = s1 = await snapshot(sides)
        error = error or "no decoded frame both ways within the timeout"
    wall = s1["t"] - s0["t"]
    out = dict(stack=STACK, test="media-call", width=args.width, height=args.height, fps=args.fps,
               window_s=round(wall / 1e3, 3), warmup_s=args.warmup,
               cpu_percent=round(100 * (s1["cpu"] - s0["cpu"]) / wall, 1) if wall > 0 else 0,
               a_to_b=direction(sides, 0, s0, s1), b_to_a=direction(sides, 1, s0, s1),
               complete=complete)
    if error:
        out["error"] = error
    print(json.dumps(out, separators=(",", ":")), flush=True)
    for s in sides:
        await s.pc.close()
        for t in s.tasks:
            t.cancel()
    return 0 if complete else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
