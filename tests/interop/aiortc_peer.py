#!/usr/bin/python3
"""Interop test: aiortc (Debian python3-aiortc) <-> peerc-peer over a data channel,
and with --media an audio+video call as well.

Spawns peerc-peer with pipes and speaks its JSON-lines signalling.  aiortc
plays --role offerer (creates the "echo" channel) or answerer (receives the
channel peerc-peer creates), sends random binary and text messages, checks
that every echo comes back complete, in order, with the same type, and that
the SHA-256 over all bytes matches, then sends hang-up.

--media: both sides also send video and audio.  peerc-peer (--media) sends
its 640x480 test pattern and a 660 Hz tone in stream "peerc-stream"; aiortc
sends 640x480 pictures with a moving bar and the same frame-number code as
peerc's pattern (so each side can check the other's numbers increase), and
a 440 Hz sine.  aiortc decodes peerc's tracks (frame numbers, size, tone
frequency); after --media-seconds of pictures it hangs up, and peerc-peer
answers with its {"type":"peerc-report"} line: what its sinks decoded, the
stream ids it saw and its per-transceiver RTP stats.

Output is TAP on stdout; diagnostics are "# " lines.  peerc-peer's stderr is
saved to --log and copied as "# " lines when something fails.

    aiortc_peer.py --peer path/to/peerc-peer --role offerer [--count 200] [--media]
"""

import argparse
import asyncio
import fractions
import hashlib
import json
import logging
import os
import random
import sys
import time

try:
    import av
    import numpy as np
    from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription
    from aiortc.mediastreams import AudioStreamTrack, MediaStreamError, VideoStreamTrack
    from aiortc.sdp import SessionDescription, candidate_from_sdp
except ImportError as e:  # pragma: no cover - environment problem
    print("not ok 1 - aiortc not importable: %s" % e)
    print("1..1")
    sys.exit(1)


class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def ok(self, cond, name, detail=None):
        self.n += 1
        print("%sok %d - %s" % ("" if cond else "not ", self.n, name), flush=True)
        if not cond:
            self.failed += 1
            if detail:
                self.diag(detail)
        return cond

    @staticmethod
    def diag(text):
        for line in str(text).splitlines() or [""]:
            print("# " + line, flush=True)

    def done(self):
        print("1..%d" % self.n, flush=True)
        return 1 if self.failed else 0


# Characters for the text messages: ASCII, Latin-1, Greek, CJK, emoji (1-4
# byte UTF-8 sequences).
ALPHABET = (
    [chr(c) for c in range(0x20, 0x7F)]
    + list("éüßçñøåÆŒ€£¥§¶")
    + list("αβγδεζηθλμπσω")
    + list("日本語中文한국어")
    + ["\U0001F600", "\U0001F680", "\U0001F4A9", "\u2603", "\u00A0"]
)


def make_messages(rng, count, max_size):
    msgs = []
    for i in range(count):
        if i % 5 == 2:  # every fifth message is text
            nchars = rng.randint(1, max(1, max_size // 4))
            text = "".join(rng.choice(ALPHABET) for _ in range(nchars))
            while len(text.encode("utf-8")) > max_size:
                text = text[: len(text) // 2]
            msgs.append(text)
        else:
            size = rng.randint(1, max_size)
            if i == 0:
                size = 1
            elif i == 1:
                size = max_size
            msgs.append(rng.randbytes(size))
    return msgs


def as_bytes(msg):
    return msg.encode("utf-8") if isinstance(msg, str) else msg


def describe(msg):
    kind = "text" if isinstance(msg, str) else "binary"
    return "%s %d bytes" % (kind, len(as_bytes(msg)))


# -- media -------------------------------------------------------------------
#
# The frame-number code of peerc's test pattern (lib/media/testsrc.h): 32
# cells across the full width in the top max(8, h/16) rows (rounded down to
# even), black (Y 16) = 0, white (Y 235) = 1: 24 bits of the frame number,
# MSB first, then a CRC-8 (polynomial 0x07, init 0xff, final xor 0x55) of its
# three bytes.  The reader averages the middle of each cell (a quarter of
# the cell trimmed on every side) and compares with mid-grey.

Y_BLACK, Y_WHITE = 16, 235
CODE_CELLS = 32


def code_crc8(value):
    crc = 0xFF
    for shift in (16, 8, 0):
        crc ^= (value >> shift) & 0xFF
        for _ in range(8):
            crc = ((crc << 1) ^ 0x07) & 0xFF if crc & 0x80 else (crc << 1) & 0xFF
    return crc ^ 0x55


def code_band_rows(height):
    return max(8, height // 16) & ~1


def read_frame_number(y):
    """Frame number coded in luma plane y (2-D uint8 array), or None."""
    h, w = y.shape
    if w < 128 or h < 64:
        return None
    band = code_band_rows(h)
    cell = w // CODE_CELLS
    x_in, y0, y1 = cell // 4, band // 4, band - band // 4
    rows = y[y0:y1].astype(np.uint32)
    word = 0
    for i in range(CODE_CELLS):
        block = rows[:, i * cell + x_in:(i + 1) * cell - x_in]
        bit = 1 if int(block.sum()) > block.size * ((Y_BLACK + Y_WHITE) // 2) else 0
        word = (word << 1) | bit
    value = word >> 8
    return value if (word & 0xFF) == code_crc8(value) else None


def draw_code(y, number):
    """Draw the code of `number` into the top rows of luma plane y."""
    h, w = y.shape
    band = code_band_rows(h)
    cell = w // CODE_CELLS
    n = number & 0xFFFFFF
    word = (n << 8) | code_crc8(n)
    y[:band, :] = 128
    for i in range(CODE_CELLS):
        bit = (word >> (CODE_CELLS - 1 - i)) & 1
        y[:band, i * cell:(i + 1) * cell] = Y_WHITE if bit else Y_BLACK


def estimate_tone(pcm, rate=48000):
    """(frequency Hz or None, RMS 0..1) of a mono int16 array: interpolated
    rising zero crossings, armed only after the signal went below -peak/4
    so codec noise adds none (peerc's estimator, lib/media/testsrc-tone.c)."""
    if len(pcm) < 2:
        return None, 0.0
    x = pcm.astype(np.float64)
    x -= x.mean()
    rms = float(np.sqrt((x * x).mean())) / 32768.0
    peak = float(np.abs(x).max())
    if peak < 328.0:
        return None, rms
    h = peak / 4
    armed = False
    count = 0
    first = last = 0.0
    xs = x.tolist()
    prev = xs[0]
    for i in range(1, len(xs)):
        v = xs[i]
        if v < -h:
            armed = True
        if armed and prev < 0 <= v:
            t = (i - 1) + prev / (prev - v)
            if count == 0:
                first = t
            last = t
            count += 1
            armed = False
        prev = v
    if count < 3 or last <= first:
        return None, rms
    return (count - 1) * rate / (last - first), rms


class PatternVideoTrack(VideoStreamTrack):
    """640x480 pictures at 30 fps: grey ramp background, a white bar moving
    8 pixels a frame, and the frame-number code in the top rows."""

    def __init__(self, width=640, height=480):
        super().__init__()
        self.width, self.height = width, height
        self.count = 0
        ramp = np.linspace(40, 200, width, dtype=np.float64).astype(np.uint8)
        self.base_y = np.tile(ramp, (height, 1))
        self.chroma = np.full((height // 2, width), 128, dtype=np.uint8)  # U then V rows

    async def recv(self):
        pts, time_base = await self.next_timestamp()
        n = self.count
        self.count += 1
        y = self.base_y.copy()
        band = code_band_rows(self.height)
        bar = 40
        x = (n * 8) % (self.width - bar)
        y[band:, x:x + bar] = Y_WHITE
        draw_code(y, n)
        frame = av.VideoFrame.from_ndarray(np.vstack([y, self.chroma]), format="yuv420p")
        frame.pts = pts
        frame.time_base = time_base
        return frame


class SineAudioTrack(AudioStreamTrack):
    """A sine, 48 kHz mono s16, 20 ms frames, paced in real time."""

    def __init__(self, freq=440.0, level=0.5):
        super().__init__()
        self.freq = freq
        self.level = level
        self.sample = 0

    async def recv(self):
        if self.readyState != "live":
            raise MediaStreamError
        rate, samples = 48000, 960
        if hasattr(self, "_timestamp"):
            self._timestamp += samples
            wait = self._start + (self._timestamp / rate) - time.time()
            await asyncio.sleep(wait)
        else:
            self._start = time.time()
            self._timestamp = 0
        t = (np.arange(samples) + self.sample) * (2 * np.pi * self.freq / rate)
        self.sample += samples
        pcm = (np.sin(t) * self.level * 32767).astype(np.int16)
        frame = av.AudioFrame.from_ndarray(pcm.reshape(1, -1), format="s16", layout="mono")
        frame.pts = self._timestamp
        frame.sample_rate = rate
        frame.time_base = fractions.Fraction(1, rate)
        return frame


class VideoReceiver:
    def __init__(self, t0):
        self.t0 = t0
        self.frames = 0
        self.width = self.height = 0
        self.first_frame_s = None
        self.last_frame_s = None
        self.numbered = self.unnumbered = self.backwards = 0
        self.first_number = self.last_number = None
        self.first = asyncio.get_event_loop().create_future()

    def on_frame(self, frame):
        now = time.monotonic()
        if self.frames == 0:
            self.first_frame_s = now - self.t0
            if not self.first.done():
                self.first.set_result(now)
        self.last_frame_s = now - self.t0
        self.frames += 1
        self.width, self.height = frame.width, frame.height
        if frame.format.name != "yuv420p":
            frame = frame.reformat(format="yuv420p")
        plane = frame.planes[0]
        y = np.frombuffer(plane, np.uint8).reshape(plane.height, plane.line_size)[:, :frame.width]
        n = read_frame_number(y)
        if n is None:
            self.unnumbered += 1
            return
        if self.numbered and n <= self.last_number:
            self.backwards += 1
        if not self.numbered:
            self.first_number = n
        self.numbered += 1
        self.last_number = n

    def fps(self):
        if self.frames < 2 or self.last_frame_s <= self.first_frame_s:
            return 0.0
        return (self.frames - 1) / (self.last_frame_s - self.first_frame_s)


class AudioReceiver:
    KEEP = 24000  # last 0.5 s, channel 0

    def __init__(self, t0):
        self.t0 = t0
        self.samples = 0
        self.frames = 0
        self.first_audio_s = None
        self.channels = 0
        self.chunks = []
        self.kept = 0

    def on_frame(self, frame):
        if self.frames == 0:
            self.first_audio_s = time.monotonic() - self.t0
        self.frames += 1
        self.samples += frame.samples
        self.channels = len(frame.layout.channels)
        a = frame.to_ndarray().reshape(-1)
        if not frame.format.is_planar and self.channels > 1:
            a = a[::self.channels]
        self.chunks.append(a.astype(np.int16))
        self.kept += len(a)
        while self.kept - len(self.chunks[0]) >= self.KEEP:
            self.kept -= len(self.chunks.pop(0))

    def tone(self):
        if not self.chunks:
            return None, 0.0
        return estimate_tone(np.concatenate(self.chunks)[-self.KEEP:])


def bundle_extmap_collisions(sdp):
    """["id N: uri1 (m=kind) vs uri2 (m=kind)", ...]: extmap ids bound to
    different extensions in different m-sections (all of them bundled here)."""
    seen = {}
    out = []
    section = None
    for line in sdp.splitlines():
        if line.startswith("m="):
            section = line[2:].split(" ", 1)[0]
        elif line.startswith("a=extmap:") and section:
            bits = line[len("a=extmap:"):].split()
            ext_id, uri = bits[0].split("/")[0], bits[1] if len(bits) > 1 else ""
            if ext_id in seen and seen[ext_id][0] != uri:
                out.append("id %s: %s (m=%s) vs %s (m=%s)" % (
                    ext_id, seen[ext_id][0], seen[ext_id][1], uri, section))
            seen.setdefault(ext_id, (uri, section))
    return out


class WarningLog(logging.Handler):
    """Keeps aiortc's own warnings (e.g. a transport that died on a packet)."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.lines = []

    def emit(self, record):
        self.lines.append(self.format(record))


def msid_by_kind(sdp):
    """{kind: [(stream id, track id), ...]} from the a=msid lines of each m-section."""
    out = {}
    kind = None
    for line in sdp.splitlines():
        if line.startswith("m="):
            kind = line[2:].split(" ", 1)[0]
        elif line.startswith("a=msid:") and kind:
            bits = line[len("a=msid:"):].strip().split()
            out.setdefault(kind, []).append((bits[0], bits[1] if len(bits) > 1 else ""))
    return out


class Test:
    def __init__(self, args):
        self.args = args
        self.tap = Tap()
        self.proc = None
        self.stderr_lines = []
        self.pc = None
        self.channel = None
        self.channel_ready = asyncio.get_event_loop().create_future()
        self.answer_received = asyncio.get_event_loop().create_future()
        self.offer_received = asyncio.get_event_loop().create_future()
        self.remote_desc_set = False
        self.pending_candidates = []
        self.peer_candidates = []
        self.received = []
        self.all_received = asyncio.Event()
        self.expected = []
        self.log = open(args.log, "w") if args.log else None
        # media
        self.t0 = time.monotonic()
        self.connected_at = None
        self.video_rx = None
        self.audio_rx = None
        self.remote_tracks = []  # (kind, track id)
        self.consumers = []
        self.local_tracks = []
        self.report = asyncio.get_event_loop().create_future()
        self.media_phase_done = False
        self.aiortc_warnings = WarningLog()
        logging.getLogger("aiortc").addHandler(self.aiortc_warnings)

    # -- peerc-peer process -------------------------------------------------

    async def start_peer(self):
        role = "--answer" if self.args.role == "offerer" else "--offer"
        cmd = [self.args.peer, role, "--timeout", str(self.args.peer_timeout)]
        if self.args.media:
            cmd += ["--media", "--tone", str(self.args.peerc_tone)]
        if self.args.local_addresses:
            cmd += ["--local-addresses", self.args.local_addresses]
        self.tap.diag("starting: " + " ".join(cmd))
        self.proc = await asyncio.create_subprocess_exec(
            *cmd,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            limit=16 * 1024 * 1024,
        )
        self.stderr_task = asyncio.ensure_future(self.read_stderr())
        self.stdout_task = asyncio.ensure_future(self.read_signalling())

    async def read_stderr(self):
        while True:
            line = await self.proc.stderr.readline()
            if not line:
                return
            text = line.decode("utf-8", "replace").rstrip("\n")
            self.stderr_lines.append(text)
            if self.log:
                self.log.write(text + "\n")
                self.log.flush()

    async def send_signal(self, msg):
        data = json.dumps(msg) + "\n"
        if self.log:
            self.log.write("[aiortc -> peerc] %s\n" % data.rstrip())
            self.log.flush()
        self.proc.stdin.write(data.encode("utf-8"))
        await self.proc.stdin.drain()

    async def read_signalling(self):
        while True:
            line = await self.proc.stdout.readline()
            if not line:
                return
            text = line.decode("utf-8")
            if self.log:
                self.log.write("[peerc -> aiortc] %s\n" % text.rstrip())
                self.log.flush()
            try:
                msg = json.loads(text)
            except ValueError as e:
                self.tap.diag("peerc-peer wrote a non-JSON line (%s): %r" % (e, text[:200]))
                continue
            await self.on_signal(msg)

    async def on_signal(self, msg):
        kind = msg.get("type")
        if kind == "video-offer":
            if not self.offer_received.done():
                self.offer_received.set_result(msg["sdp"])
        elif kind == "video-answer":
            if not self.answer_received.done():
                self.answer_received.set_result(msg["sdp"])
        elif kind == "peerc-report":
            if not self.report.done():
                self.report.set_result(msg)
        elif kind == "new-ice-candidate":
            c = msg.get("candidate")
            self.peer_candidates.append(c)
            if self.remote_desc_set:
                await self.add_candidate(c)
            else:
                self.pending_candidates.append(c)
        else:
            self.tap.diag("unexpected signalling message from peerc-peer: %r" % msg)

    async def add_candidate(self, c):
        text = c.get("candidate") if isinstance(c, dict) else c
        if not text:
            # aiortc 1.4's addIceCandidate has no end-of-candidates form;
            # RTCIceTransport.addRemoteCandidate(None) is its public equivalent.
            if self.pc.sctp is not None:
                await self.pc.sctp.transport.transport.addRemoteCandidate(None)
            return
        if text.startswith("a="):
            text = text[2:]
        if text.startswith("candidate:"):
            text = text[len("candidate:"):]
        try:
            cand = candidate_from_sdp(text)
        except Exception as e:  # noqa: BLE001 - report, keep going
            self.tap.diag("cannot parse peerc candidate %r: %s" % (text, e))
            return
        cand.sdpMid = c.get("sdpMid")
        cand.sdpMLineIndex = c.get("sdpMLineIndex")
        await self.pc.addIceCandidate(cand)

    async def remote_description_set(self):
        self.remote_desc_set = True
        for c in self.pending_candidates:
            await self.add_candidate(c)
        self.pending_candidates = []

    # -- aiortc side --------------------------------------------------------

    def setup_channel(self, channel):
        self.channel = channel

        @channel.on("message")
        def on_message(message):
            self.received.append(message)
            if len(self.received) >= len(self.expected):
                self.all_received.set()

        def opened():
            if not self.channel_ready.done():
                self.channel_ready.set_result(channel)

        if channel.readyState == "open":
            opened()
        else:
            channel.on("open", opened)

        @channel.on("close")
        def on_close():
            self.tap.diag("aiortc: data channel '%s' closed" % channel.label)
            self.all_received.set()

    def add_local_tracks(self):
        video = PatternVideoTrack()
        audio = SineAudioTrack(self.args.tone)
        self.local_tracks = [video, audio]
        for t in self.local_tracks:
            self.pc.addTrack(t)

    def on_track(self, track):
        self.tap.diag("aiortc: remote %s track %s" % (track.kind, track.id))
        self.remote_tracks.append((track.kind, track.id))
        if track.kind == "video" and self.video_rx is None:
            self.video_rx = VideoReceiver(self.t0)
            rx = self.video_rx
        elif track.kind == "audio" and self.audio_rx is None:
            self.audio_rx = AudioReceiver(self.t0)
            rx = self.audio_rx
        else:
            self.tap.diag("aiortc: extra %s track not consumed" % track.kind)
            return
        self.consumers.append(asyncio.ensure_future(self.consume(track, rx)))

    async def consume(self, track, rx):
        while True:
            try:
                frame = await track.recv()
            except MediaStreamError:
                return
            rx.on_frame(frame)

    async def negotiate(self):
        pc = self.pc
        if self.args.media:
            pc.on("track", self.on_track)
        if self.args.role == "offerer":
            if self.args.media:
                self.add_local_tracks()
            self.setup_channel(pc.createDataChannel("echo"))
            await pc.setLocalDescription(await pc.createOffer())
            offer = pc.localDescription.sdp
            if self.log:
                self.log.write("aiortc offer:\n%s\n" % offer)
            await self.send_signal({"type": "video-offer", "sdp": offer})
            answer = await self.answer_received
            self.tap.diag("peerc answer m-lines: %s" % m_lines(answer))
            await pc.setRemoteDescription(RTCSessionDescription(sdp=answer, type="answer"))
            await self.remote_description_set()
        else:

            @pc.on("datachannel")
            def on_datachannel(channel):
                self.tap.diag("aiortc: remote data channel '%s'" % channel.label)
                self.setup_channel(channel)

            offer = await self.offer_received
            self.tap.diag("peerc offer m-lines: %s" % m_lines(offer))
            await pc.setRemoteDescription(RTCSessionDescription(sdp=offer, type="offer"))
            await self.remote_description_set()
            if self.args.media:
                # after the offer: addTrack takes over its recvonly transceivers
                self.add_local_tracks()
            await pc.setLocalDescription(await pc.createAnswer())
            answer = pc.localDescription.sdp
            if self.log:
                self.log.write("aiortc answer:\n%s\n" % answer)
            await self.send_signal({"type": "video-answer", "sdp": answer})

    async def run(self):
        args = self.args
        tap = self.tap
        rng = random.Random(args.seed)
        tap.diag("seed %d, %d messages up to %d bytes" % (args.seed, args.count, args.max_size))
        self.expected = make_messages(rng, args.count, args.max_size)
        self.pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        connected = asyncio.get_event_loop().create_future()

        @self.pc.on("connectionstatechange")
        def on_state():
            tap.diag("aiortc: connection state %s" % self.pc.connectionState)
            if self.pc.connectionState in ("connected", "failed") and not connected.done():
                connected.set_result(self.pc.connectionState)

        await self.start_peer()
        t0 = time.monotonic()

        try:
            await asyncio.wait_for(self.negotiate(), 15)
            ok = True
        except asyncio.TimeoutError:
            ok = False
        if not tap.ok(ok, "offer/answer exchanged (aiortc is %s)" % args.role,
                      "no %s from peerc-peer within 15 s" %
                      ("answer" if args.role == "offerer" else "offer")):
            return
        tap.diag("peerc-peer signalled %d candidate message(s)" % len(self.peer_candidates))

        try:
            state = await asyncio.wait_for(asyncio.shield(connected), 20)
        except asyncio.TimeoutError:
            state = "timeout (%s)" % self.pc.connectionState
        if not tap.ok(state == "connected", "aiortc connection state connected",
                      "connection state: %s; ice: %s" % (state, self.pc.iceConnectionState)):
            return
        tap.diag("connected after %.2f s" % (time.monotonic() - t0))
        self.connected_at = time.monotonic()
        await self.echo_test()
        if args.media:
            await self.media_phase()

    async def echo_test(self):
        args = self.args
        tap = self.tap
        try:
            channel = await asyncio.wait_for(asyncio.shield(self.channel_ready), 10)
        except asyncio.TimeoutError:
            channel = None
        if not tap.ok(channel is not None and channel.readyState == "open",
                      "data channel 'echo' open",
                      "channel: %s" % (self.channel.readyState if self.channel else
                                       "never announced")):
            return
        tap.ok(channel.label == "echo", "channel label is 'echo' (got %r)" % channel.label)

        # Send everything, pacing on bufferedAmount so aiortc's queue stays small.
        t_send = time.monotonic()
        sent_hash = hashlib.sha256()
        for msg in self.expected:
            sent_hash.update(as_bytes(msg))
            while channel.bufferedAmount > 1024 * 1024 and channel.readyState == "open":
                await asyncio.sleep(0.005)
            if channel.readyState != "open":
                break
            channel.send(msg)
        try:
            await asyncio.wait_for(self.all_received.wait(), args.echo_timeout)
        except asyncio.TimeoutError:
            pass
        elapsed = time.monotonic() - t_send
        total = sum(len(as_bytes(m)) for m in self.expected)
        tap.diag("%d/%d echoes, %d bytes each way in %.2f s" %
                 (len(self.received), len(self.expected), total, elapsed))
        tap.ok(len(self.received) == len(self.expected),
               "all %d echoes received" % len(self.expected),
               "received %d of %d within %d s" % (len(self.received), len(self.expected),
                                                    args.echo_timeout))
        mismatches = []
        for i, (want, got) in enumerate(zip(self.expected, self.received)):
            if type(want) is not type(got) or want != got:
                mismatches.append("message %d: sent %s, echo %s%s" % (
                    i, describe(want), describe(got),
                    "" if type(want) is type(got) else " (type changed)"))
        tap.ok(not mismatches, "echoes complete, in order, same type",
               "\n".join(mismatches[:20]) + ("\n..." if len(mismatches) > 20 else ""))
        got_hash = hashlib.sha256()
        for m in self.received:
            got_hash.update(as_bytes(m))
        tap.ok(got_hash.hexdigest() == sent_hash.hexdigest(),
               "SHA-256 of echoed bytes matches (%s)" % sent_hash.hexdigest()[:16],
               "sent %s\ngot  %s" % (sent_hash.hexdigest(), got_hash.hexdigest()))
        ntext = sum(1 for m in self.expected if isinstance(m, str))
        tap.ok(all(isinstance(g, str) for w, g in zip(self.expected, self.received)
                   if isinstance(w, str)) and ntext > 0,
               "%d text messages (non-ASCII included) echoed as text" % ntext)

    async def media_phase(self):
        """Receive for --media-seconds after aiortc's first picture from peerc,
        then check what aiortc decoded.  peerc's side is checked after hang-up
        (check_report)."""
        args = self.args
        tap = self.tap
        vrx = self.video_rx
        if vrx is not None:
            try:
                await asyncio.wait_for(asyncio.shield(vrx.first), 10)
            except asyncio.TimeoutError:
                pass
        first = vrx.first.result() if vrx is not None and vrx.first.done() else None
        if first is not None:
            tap.diag("aiortc: first picture from peerc %.0f ms after connected" %
                     ((first - self.connected_at) * 1000))
            left = first + args.media_seconds - time.monotonic()
        else:
            left = args.media_seconds
        if left > 0:
            await asyncio.sleep(left)
        self.media_phase_done = True

        dtls = [t.receiver.transport for t in self.pc.getTransceivers() if t.receiver.transport]
        state = dtls[0].state if dtls else "none"
        tap.ok(state == "connected", "aiortc's DTLS transport is still connected (%s)" % state,
               "\n".join(["aiortc warnings:"] + self.aiortc_warnings.lines[-30:]))
        for c in bundle_extmap_collisions(self.pc.remoteDescription.sdp
                                          if self.pc.remoteDescription else ""):
            tap.diag("peerc's %s reuses an extmap id across the BUNDLE group: %s (aiortc 1.4 "
                     "keeps one extension map per transport)" % (
                         "answer" if args.role == "offerer" else "offer", c))
        tap.ok(vrx is not None and self.audio_rx is not None,
               "aiortc got peerc's video and audio tracks",
               "remote tracks: %r" % self.remote_tracks)
        sdp = self.pc.remoteDescription.sdp if self.pc.remoteDescription else ""
        msids = msid_by_kind(sdp)
        tap.diag("peerc's a=msid lines: %r" % msids)
        for kind in ("video", "audio"):
            streams = [m[0] for m in msids.get(kind, [])]
            tap.ok("peerc-stream" in streams,
                   "peerc's %s m-line carries stream id 'peerc-stream' (a=msid)" % kind,
                   "a=msid streams: %r" % streams)
        ids = {m[1] for lst in msids.values() for m in lst}
        tap.diag("aiortc's remote track ids %s the msid track ids" %
                 ("match" if all(t in ids for _, t in self.remote_tracks) else "do not match"))

        if vrx is not None:
            tap.diag("aiortc decoded %d pictures from peerc (%dx%d, %.1f fps, first at %s ms); "
                     "%d numbered %s..%s, %d unreadable, %d out of order" % (
                         vrx.frames, vrx.width, vrx.height, vrx.fps(),
                         "%.0f" % (vrx.first_frame_s * 1000) if vrx.first_frame_s else "-",
                         vrx.numbered, vrx.first_number, vrx.last_number, vrx.unnumbered,
                         vrx.backwards))
        frames = vrx.frames if vrx else 0
        tap.ok(frames >= 60, "aiortc decoded %d pictures from peerc (>= 60)" % frames)
        tap.ok(vrx is not None and (vrx.width, vrx.height) == (640, 480),
               "peerc's pictures are 640x480 (%sx%s)" % ((vrx.width, vrx.height) if vrx else
                                                          ("-", "-")))
        tap.ok(vrx is not None and vrx.numbered >= 60 and vrx.backwards == 0,
               "peerc's frame numbers read from %d pictures, only increasing" %
               (vrx.numbered if vrx else 0),
               "%d numbered, %d unreadable, %d went back" % (
                   (vrx.numbered, vrx.unnumbered, vrx.backwards) if vrx else (0, 0, 0)))
        arx = self.audio_rx
        hz, rms = arx.tone() if arx else (None, 0.0)
        if arx is not None:
            tap.diag("aiortc received %d audio samples (%d frames, %d channel(s)) from peerc, "
                     "RMS %.3f, tone %s Hz" % (arx.samples, arx.frames, arx.channels, rms,
                                                "%.1f" % hz if hz else "-"))
        tap.ok(arx is not None and arx.samples >= 48000,
               "aiortc received audio from peerc (%d samples)" % (arx.samples if arx else 0))
        want = args.peerc_tone
        tap.ok(hz is not None and abs(hz - want) <= want * 0.02,
               "aiortc hears peerc's %.0f Hz tone (%s Hz)" % (want, "%.1f" % hz if hz else "none"))
        try:
            stats = await self.pc.getStats()
            for st in stats.values():
                if st.type in ("inbound-rtp", "outbound-rtp"):
                    tap.diag("aiortc %s %s: %s" % (st.type, st.kind, ", ".join(
                        "%s=%s" % (k, getattr(st, k)) for k in
                        ("packetsReceived", "packetsLost", "jitter", "packetsSent", "bytesSent")
                        if hasattr(st, k))))
        except Exception as e:  # noqa: BLE001 - diagnostics only
            tap.diag("aiortc getStats: %r" % e)

    def local_stream_id(self):
        """aiortc's own stream id, from the a=msid of its local description."""
        sdp = self.pc.localDescription.sdp if self.pc and self.pc.localDescription else ""
        ids = {m[0] for lst in msid_by_kind(sdp).values() for m in lst}
        return ids.pop() if len(ids) == 1 else None

    def check_report(self, rep):
        """peerc's side of the call, from its report line."""
        tap = self.tap
        args = self.args
        summary = {k: v for k, v in rep.items() if k not in ("transceivers", "tracks")}
        tap.diag("peerc report: %s" % json.dumps(summary))
        for t in rep.get("tracks", []):
            tap.diag("peerc track: %s" % json.dumps(t))
        for t in rep.get("transceivers", []):
            tap.diag("peerc transceiver: %s" % json.dumps(t))
        frames = rep.get("video_frames_decoded", 0)
        tap.ok(frames >= 60, "peerc decoded %d pictures from aiortc (>= 60)" % frames)
        tap.ok((rep.get("video_width"), rep.get("video_height")) == (640, 480),
               "peerc decoded aiortc's pictures at 640x480 (%sx%s)" % (
                   rep.get("video_width"), rep.get("video_height")))
        tap.ok(rep.get("video_numbered", 0) >= 60 and rep.get("video_backwards", 1) == 0,
               "peerc read aiortc's frame numbers from %d pictures, only increasing" %
               rep.get("video_numbered", 0),
               "%s went back" % rep.get("video_backwards"))
        samples = rep.get("audio_samples", 0)
        tap.ok(samples >= 48000 and rep.get("audio_rms", 0) > 0.01,
               "peerc received audio from aiortc (%d samples, RMS %.3f)" % (
                   samples, rep.get("audio_rms", 0)))
        hz = rep.get("audio_hz", 0)
        tap.ok(abs(hz - args.tone) <= args.tone * 0.02,
               "peerc hears aiortc's %.0f Hz sine (%.1f Hz)" % (args.tone, hz))
        sid = self.local_stream_id()
        got = rep.get("remote_stream_ids", [])
        tap.ok(sid is not None and got == [sid],
               "peerc saw aiortc's stream id %s" % sid, "peerc saw %r" % got)
        by_kind = {t.get("kind"): t for t in rep.get("transceivers", [])}
        v, a = by_kind.get("video", {}), by_kind.get("audio", {})
        tap.ok(v.get("codec") == "video/VP8" and a.get("codec") == "audio/opus",
               "peerc negotiated VP8 and Opus (%s, %s)" % (v.get("codec"), a.get("codec")))
        tap.ok(v.get("packets_sent", 0) > 0 and v.get("packets_received", 0) > 0 and
               a.get("packets_sent", 0) > 0 and a.get("packets_received", 0) > 0,
               "peerc RTP both ways: video %s/%s, audio %s/%s packets sent/received" % (
                   v.get("packets_sent"), v.get("packets_received"),
                   a.get("packets_sent"), a.get("packets_received")))
        tap.ok(v.get("frames_encoded", 0) >= 60,
               "peerc encoded %s pictures" % v.get("frames_encoded"))
        if rep.get("first_frame_after_connected_ms", -1) >= 0:
            tap.diag("peerc: first picture %.0f ms after connected, %.1f fps decoded" % (
                rep["first_frame_after_connected_ms"], rep.get("video_fps", 0)))

    async def finish(self):
        """Hang up, check peerc-peer's exit status, clean up."""
        tap = self.tap
        if self.proc and self.proc.returncode is None:
            try:
                await self.send_signal({"type": "hang-up"})
            except (BrokenPipeError, ConnectionResetError):
                pass
        if self.args.media and self.media_phase_done:
            try:
                rep = await asyncio.wait_for(asyncio.shield(self.report), 10)
            except asyncio.TimeoutError:
                rep = None
            if tap.ok(rep is not None, "peerc-peer reported what it received"):
                self.check_report(rep)
        rc = None
        if self.proc:
            try:
                rc = await asyncio.wait_for(self.proc.wait(), 10)
            except asyncio.TimeoutError:
                tap.diag("peerc-peer did not exit 10 s after hang-up; killing it")
                self.proc.kill()
                rc = await self.proc.wait()
        tap.ok(rc == 0, "peerc-peer exits 0 after hang-up", "exit status %s" % rc)
        for task in self.consumers:
            task.cancel()
        for t in self.local_tracks:
            t.stop()
        if self.pc:
            try:
                await asyncio.wait_for(self.pc.close(), 5)
            except asyncio.TimeoutError:
                tap.diag("aiortc close() timed out")
        for task in (getattr(self, "stderr_task", None), getattr(self, "stdout_task", None)):
            if task:
                try:
                    await asyncio.wait_for(task, 2)
                except (asyncio.TimeoutError, asyncio.CancelledError):
                    pass
        if tap.failed or os.environ.get("PEERC_INTEROP_VERBOSE"):
            tap.diag("---- peerc-peer stderr (%d lines) ----" % len(self.stderr_lines))
            for line in self.stderr_lines[-self.args.max_log_lines:]:
                tap.diag(line)
        else:
            for line in self.stderr_lines:
                if "stats:" in line:
                    tap.diag(line)
        if self.log:
            self.log.close()


def m_lines(sdp):
    return "; ".join(l.strip() for l in sdp.splitlines() if l.startswith("m="))


async def main_async(args):
    test = Test(args)
    try:
        await asyncio.wait_for(test.run(), args.timeout)
    except asyncio.TimeoutError:
        test.tap.ok(False, "test finished within %d s" % args.timeout)
    except Exception as e:  # noqa: BLE001 - a test failure, not a crash
        import traceback
        test.tap.ok(False, "unexpected exception: %r" % e, traceback.format_exc())
    finally:
        try:
            await asyncio.wait_for(test.finish(), 20)
        except Exception as e:  # noqa: BLE001
            test.tap.ok(False, "cleanup: %r" % e)
            if test.proc and test.proc.returncode is None:
                test.proc.kill()
    return test.tap.done()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--peer", required=True, help="peerc-peer executable")
    ap.add_argument("--role", choices=["offerer", "answerer"], required=True,
                    help="aiortc's role")
    ap.add_argument("--count", type=int, default=None,
                    help="data channel messages (default 200, 30 with --media)")
    ap.add_argument("--max-size", type=int, default=None,
                    help="largest message (default 60000, 16000 with --media)")
    ap.add_argument("--media", action="store_true", help="an audio+video call as well")
    ap.add_argument("--media-seconds", type=float, default=6.0,
                    help="how long to receive pictures before hanging up")
    ap.add_argument("--tone", type=float, default=440.0, help="aiortc's sine, Hz")
    ap.add_argument("--peerc-tone", type=float, default=660.0, help="peerc-peer's tone, Hz")
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--local-addresses", default=None,
                    help="passed to peerc-peer (default: its own default)")
    ap.add_argument("--timeout", type=int, default=50, help="whole test, seconds")
    ap.add_argument("--echo-timeout", type=int, default=None,
                    help="seconds for all echoes (default 20, 10 with --media)")
    ap.add_argument("--peer-timeout", type=int, default=55)
    ap.add_argument("--log", default=None, help="file for peerc-peer stderr and signalling")
    ap.add_argument("--max-log-lines", type=int, default=400)
    args = ap.parse_args()
    if args.count is None:
        args.count = 30 if args.media else 200
    if args.max_size is None:
        args.max_size = 16000 if args.media else 60000
    if args.echo_timeout is None:
        args.echo_timeout = 10 if args.media else 20
    if args.seed is None:
        args.seed = int(os.environ.get("PEERC_INTEROP_SEED", random.randrange(1 << 31)))
    if os.environ.get("PEERC_INTEROP_AIORTC_DEBUG"):
        logging.basicConfig(level=logging.DEBUG, stream=sys.stderr)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        rc = loop.run_until_complete(main_async(args))
    finally:
        loop.close()
    sys.exit(rc)


if __name__ == "__main__":
    main()
