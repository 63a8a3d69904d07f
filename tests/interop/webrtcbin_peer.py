#!/usr/bin/python3
"""Interop test: GStreamer webrtcbin (Debian gstreamer1.0-plugins-bad,
gstreamer1.0-nice, python3-gst-1.0) <-> peerc-peer: a data channel echo and,
with --media, an audio+video call in the same run.

Spawns peerc-peer with pipes and speaks its JSON-lines signalling (the same
vocabulary as aiortc_peer.py: video-offer, video-answer, new-ice-candidate,
hang-up; candidates trickle both ways).  webrtcbin plays --role offerer
(creates the "echo" channel with create-data-channel) or answerer (takes the
channel peerc-peer creates, on-data-channel).

webrtcbin side (bundle-policy=max-bundle, no STUN/TURN server):
  sends   videotestsrc 640x480@30 ! vp8enc deadline=1 ! rtpvp8pay
          audiotestsrc sine 440 Hz ! opusenc ! rtpopuspay
  receives every src pad into decodebin; a probe on each decoder output pad
          counts pictures (and reads their size from the caps) or audio
          buffers and samples.
peerc-peer --media sends its 640x480 test pattern and a 660 Hz tone and, on
hang-up, prints its {"type":"peerc-report"} line with what it decoded.

Output is TAP on stdout; diagnostics are "# " lines.  peerc-peer's stderr,
the signalling and both descriptions are saved to --log; peerc-peer's stderr
is copied as "# " lines when something fails.

    webrtcbin_peer.py --peer path/to/peerc-peer --role offerer [--count 40] [--media]
"""

import argparse
import json
import os
import random
import subprocess
import sys
import threading
import time

try:
    import gi

    gi.require_version("Gst", "1.0")
    gi.require_version("GstWebRTC", "1.0")
    gi.require_version("GstSdp", "1.0")
    from gi.repository import GLib, Gst, GstSdp, GstWebRTC
except (ImportError, ValueError) as e:  # pragma: no cover - environment problem
    print("not ok 1 - GStreamer webrtcbin bindings not importable: %s" % e)
    print("1..1")
    sys.exit(1)


class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0
        self.lock = threading.Lock()

    def ok(self, cond, name, detail=None):
        with self.lock:
            self.n += 1
            print("%sok %d - %s" % ("" if cond else "not ", self.n, name), flush=True)
            if not cond:
                self.failed += 1
        if not cond and detail:
            self.diag(detail)
        return cond

    def diag(self, text):
        with self.lock:
            for line in str(text).splitlines() or [""]:
                print("# " + line, flush=True)

    def done(self):
        print("1..%d" % self.n, flush=True)
        return 1 if self.failed else 0


ALPHABET = (
    [chr(c) for c in range(0x20, 0x7F)]
    + list("éüßçñøåÆŒ€£¥§¶αβγδεζηθλμπσω日本語中文한국어")
    + ["\U0001F600", "\U0001F680", "\u2603", "\u00A0"]
)


def make_messages(rng, count, max_chars):
    out = []
    for i in range(count):
        n = 1 if i == 0 else rng.randint(1, max_chars)
        out.append("%d:" % i + "".join(rng.choice(ALPHABET) for _ in range(n)))
    return out


def m_lines(sdp):
    return "; ".join(l.strip() for l in sdp.splitlines() if l.startswith("m="))


def mids_of(sdp):
    return [l.strip()[len("a=mid:"):] for l in sdp.splitlines() if l.startswith("a=mid:")]


class Counter:
    """What one decoder output pad carried."""

    def __init__(self):
        self.buffers = 0
        self.samples = 0
        self.width = self.height = 0
        self.rate = self.channels = 0
        self.first = None  # time.monotonic() of the first buffer
        self.last = None


class Test:
    def __init__(self, args):
        self.args = args
        self.tap = Tap()
        self.proc = None
        self.wlock = threading.Lock()
        self.log = open(args.log, "w") if args.log else None
        self.loglock = threading.Lock()
        self.stderr_lines = []
        self.peer_candidates = 0
        self.pending = []  # peerc candidates before the remote description
        self.remote_set = False
        self.cand_lock = threading.Lock()
        self.offer = None
        self.answer = None
        self.report = None
        self.got_offer = threading.Event()
        self.got_answer = threading.Event()
        self.got_report = threading.Event()
        self.connected = threading.Event()
        self.conn_state = "new"
        self.connected_at = None
        self.local_mids = []
        self.local_sdp = ""
        self.channel = None
        self.channel_open = threading.Event()
        self.received = []
        self.all_received = threading.Event()
        self.expected = []
        self.video = Counter()
        self.audio = Counter()
        self.first_video = threading.Event()
        self.remote_pads = []
        self.bus_lines = []
        self.stop = threading.Event()
        self.pipe = None
        self.webrtc = None

    def logw(self, text):
        if self.log:
            with self.loglock:
                self.log.write(text.rstrip("\n") + "\n")
                self.log.flush()

    # -- peerc-peer ----------------------------------------------------------

    def start_peer(self):
        a = self.args
        cmd = [a.peer, "--answer" if a.role == "offerer" else "--offer",
               "--timeout", str(a.peer_timeout)]
        if a.media:
            cmd += ["--media", "--tone", str(a.peerc_tone)]
        if a.local_addresses:
            cmd += ["--local-addresses", a.local_addresses]
        self.tap.diag("starting: " + " ".join(cmd))
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE)
        threading.Thread(target=self.read_stderr, daemon=True).start()
        threading.Thread(target=self.read_stdout, daemon=True).start()

    def read_stderr(self):
        for raw in self.proc.stderr:
            text = raw.decode("utf-8", "replace").rstrip("\n")
            self.stderr_lines.append(text)
            self.logw("[peerc stderr] " + text)

    def read_stdout(self):
        for raw in self.proc.stdout:
            text = raw.decode("utf-8", "replace")
            self.logw("[peerc -> webrtcbin] " + text)
            try:
                msg = json.loads(text)
            except ValueError as e:
                self.tap.diag("peerc-peer wrote a non-JSON line (%s): %r" % (e, text[:200]))
                continue
            self.on_signal(msg)

    def send(self, msg):
        data = json.dumps(msg) + "\n"
        self.logw("[webrtcbin -> peerc] " + data)
        with self.wlock:
            try:
                self.proc.stdin.write(data.encode("utf-8"))
                self.proc.stdin.flush()
            except (BrokenPipeError, ValueError, OSError):
                pass

    def on_signal(self, msg):
        kind = msg.get("type")
        if kind == "video-offer":
            self.offer = msg["sdp"]
            self.got_offer.set()
        elif kind == "video-answer":
            self.answer = msg["sdp"]
            self.got_answer.set()
        elif kind == "peerc-report":
            self.report = msg
            self.got_report.set()
        elif kind == "new-ice-candidate":
            self.peer_candidates += 1
            c = msg.get("candidate")
            with self.cand_lock:
                if not self.remote_set:
                    self.pending.append(c)
                    return
            self.add_candidate(c)
        else:
            self.tap.diag("unexpected signalling message from peerc-peer: %r" % msg)

    def add_candidate(self, c):
        text = c.get("candidate") if isinstance(c, dict) else c
        if not text:
            return  # end-of-candidates: webrtcbin 1.22 has no form for it
        if text.startswith("a="):
            text = text[2:]
        idx = c.get("sdpMLineIndex") if isinstance(c, dict) else None
        if idx is None:
            idx = 0
        self.webrtc.emit("add-ice-candidate", idx, text)

    def remote_description_set(self):
        with self.cand_lock:
            self.remote_set = True
            pending, self.pending = self.pending, []
        for c in pending:
            self.add_candidate(c)

    # -- webrtcbin -----------------------------------------------------------

    def build_pipeline(self):
        a = self.args
        desc = "webrtcbin name=w bundle-policy=max-bundle"
        if a.media:
            desc += (
                " videotestsrc is-live=true pattern=ball"
                " ! video/x-raw,width=640,height=480,framerate=30/1"
                " ! videoconvert ! queue ! vp8enc deadline=1 keyframe-max-dist=60"
                " ! rtpvp8pay pt=96 ! application/x-rtp,media=video,encoding-name=VP8,"
                "payload=96,clock-rate=90000 ! w."
                " audiotestsrc is-live=true wave=sine freq=%g"
                " ! audioconvert ! audioresample ! queue ! opusenc"
                " ! rtpopuspay pt=111 ! application/x-rtp,media=audio,encoding-name=OPUS,"
                "payload=111,clock-rate=48000 ! w." % a.tone
            )
        self.pipe = Gst.parse_launch(desc)
        w = self.webrtc = self.pipe.get_by_name("w")
        # Loopback-only test: no STUN/TURN server (the defaults are unset).
        w.connect("on-ice-candidate", self.on_ice_candidate)
        w.connect("notify::ice-gathering-state", self.on_gathering)
        w.connect("notify::connection-state", self.on_connection_state)
        w.connect("notify::ice-connection-state", self.on_ice_state)
        w.connect("pad-added", self.on_pad_added)
        w.connect("on-data-channel", self.on_data_channel)
        threading.Thread(target=self.watch_bus, daemon=True).start()

    def watch_bus(self):
        bus = self.pipe.get_bus()
        while not self.stop.is_set():
            m = bus.timed_pop_filtered(100 * Gst.MSECOND,
                                       Gst.MessageType.ERROR | Gst.MessageType.WARNING)
            if m is None:
                continue
            if m.type == Gst.MessageType.ERROR:
                err, dbg = m.parse_error()
                kind = "error"
            else:
                err, dbg = m.parse_warning()
                kind = "warning"
            line = "gst %s from %s: %s (%s)" % (kind, m.src.get_name(), err.message, dbg)
            self.bus_lines.append(line)
            self.logw(line)

    def on_ice_candidate(self, w, mline, cand):
        mid = self.local_mids[mline] if mline < len(self.local_mids) else None
        self.send({"type": "new-ice-candidate",
                   "candidate": {"candidate": cand, "sdpMid": mid, "sdpMLineIndex": mline}})

    def on_gathering(self, w, pspec):
        state = w.get_property("ice-gathering-state")
        self.logw("webrtcbin: ice gathering %s" % state.value_nick)
        if state == GstWebRTC.WebRTCICEGatheringState.COMPLETE:
            mid = self.local_mids[0] if self.local_mids else None
            self.send({"type": "new-ice-candidate",
                       "candidate": {"candidate": "", "sdpMid": mid, "sdpMLineIndex": 0}})

    def on_ice_state(self, w, pspec):
        self.logw("webrtcbin: ice connection %s" % w.get_property("ice-connection-state").value_nick)

    def on_connection_state(self, w, pspec):
        state = w.get_property("connection-state")
        self.conn_state = state.value_nick
        self.tap.diag("webrtcbin: connection state %s" % self.conn_state)
        if state == GstWebRTC.WebRTCPeerConnectionState.CONNECTED and not self.connected.is_set():
            self.connected_at = time.monotonic()
            self.connected.set()
        elif state == GstWebRTC.WebRTCPeerConnectionState.FAILED:
            self.connected.set()

    def on_pad_added(self, w, pad):
        if pad.get_direction() != Gst.PadDirection.SRC:
            return
        caps = pad.get_current_caps()
        self.tap.diag("webrtcbin: remote stream on %s (%s)" % (
            pad.get_name(), caps.to_string() if caps else "no caps yet"))
        self.remote_pads.append(pad.get_name())
        dec = Gst.ElementFactory.make("decodebin")
        dec.connect("pad-added", self.on_decoded_pad)
        self.pipe.add(dec)
        dec.sync_state_with_parent()
        if pad.link(dec.get_static_pad("sink")) != Gst.PadLinkReturn.OK:
            self.tap.diag("cannot link %s to decodebin" % pad.get_name())

    def on_decoded_pad(self, dec, pad):
        caps = pad.get_current_caps() or pad.query_caps(None)
        name = caps.get_structure(0).get_name() if caps and caps.get_size() else ""
        if name.startswith("video/"):
            counter = self.video
        elif name.startswith("audio/"):
            counter = self.audio
        else:
            self.tap.diag("decodebin output %s not counted" % name)
            counter = None
        q = Gst.ElementFactory.make("queue")
        sink = Gst.ElementFactory.make("fakesink")
        sink.set_property("sync", False)
        sink.set_property("async", False)
        for e in (q, sink):
            self.pipe.add(e)
        q.link(sink)
        for e in (q, sink):
            e.sync_state_with_parent()
        pad.link(q.get_static_pad("sink"))
        if counter is not None:
            pad.add_probe(Gst.PadProbeType.BUFFER, self.count_buffer, counter)

    def count_buffer(self, pad, info, counter):
        now = time.monotonic()
        if counter.first is None:
            counter.first = now
            caps = pad.get_current_caps()
            if caps is not None:
                s = caps.get_structure(0)
                self.logw("decoder output: %s" % caps.to_string())
        counter.last = now
        counter.buffers += 1
        caps = pad.get_current_caps()
        if caps is not None:
            s = caps.get_structure(0)
            if s.get_name().startswith("video/"):
                counter.width = s.get_value("width")
                counter.height = s.get_value("height")
                if counter.buffers == 1:
                    self.first_video.set()
            else:
                ok_r, rate = s.get_int("rate")
                ok_c, ch = s.get_int("channels")
                if ok_r and ok_c and ch > 0:
                    counter.rate, counter.channels = rate, ch
                    buf = info.get_buffer()
                    # S16 or F32 interleaved from opusdec/audioconvert: bytes per sample
                    fmt = s.get_value("format") or "S16LE"
                    width = 4 if fmt.startswith(("F32", "S32")) else 2
                    counter.samples += buf.get_size() // (width * ch)
        return Gst.PadProbeReturn.OK

    def setup_channel(self, ch):
        self.channel = ch
        ch.connect("on-open", lambda c: self.channel_open.set())
        ch.connect("on-message-string", self.on_message)
        ch.connect("on-message-data", lambda c, data: self.on_message(
            c, "<binary %d bytes>" % (data.get_size() if data else 0)))
        ch.connect("on-close", lambda c: (self.tap.diag("webrtcbin: data channel closed"),
                                          self.all_received.set()))
        ch.connect("on-error", lambda c, err: self.tap.diag("webrtcbin: data channel error %s" %
                                                            (err.message if err else err)))
        if ch.get_property("ready-state") == GstWebRTC.WebRTCDataChannelState.OPEN:
            self.channel_open.set()

    def on_data_channel(self, w, ch):
        self.tap.diag("webrtcbin: remote data channel '%s'" % ch.get_property("label"))
        self.setup_channel(ch)

    def on_message(self, ch, text):
        self.received.append(text)
        if len(self.received) >= len(self.expected):
            self.all_received.set()

    def call(self, action, *args):
        """Emit a promise-taking action; return the reply structure (kept alive
        by the caller while it uses what it holds)."""
        p = Gst.Promise.new()
        self.webrtc.emit(action, *args, p)
        res = p.wait()
        reply = p.get_reply()
        return res, reply

    def set_description(self, which, sdptype, text):
        ok, msg = GstSdp.SDPMessage.new_from_text(text)
        if ok != GstSdp.SDPResult.OK:
            raise RuntimeError("cannot parse %s SDP" % sdptype)
        desc = GstWebRTC.WebRTCSessionDescription.new(
            GstWebRTC.WebRTCSDPType.OFFER if sdptype == "offer" else GstWebRTC.WebRTCSDPType.ANSWER,
            msg)
        res, reply = self.call("set-%s-description" % which, desc)
        if reply is not None and reply.has_field("error"):
            raise RuntimeError("set-%s-description: %s" % (which, reply.get_value("error").message))
        if res != Gst.PromiseResult.REPLIED:
            raise RuntimeError("set-%s-description: promise %s" % (which, res.value_nick))

    def create(self, sdptype):
        res, reply = self.call("create-%s" % sdptype, None)
        if reply is None or not reply.has_field(sdptype):
            err = reply.get_value("error").message if reply and reply.has_field("error") else res
            raise RuntimeError("create-%s failed: %s" % (sdptype, err))
        desc = reply.get_value(sdptype)
        text = desc.sdp.as_text()  # reply still referenced here
        self.local_mids = mids_of(text)
        self.local_sdp = text
        self.set_description("local", sdptype, text)
        del reply
        return text

    def wait_sink_caps(self, timeout):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            pads = [p for p in self.webrtc.sinkpads]
            if pads and all(p.get_current_caps() is not None for p in pads):
                return True
            time.sleep(0.02)
        return False

    def negotiate(self):
        a = self.args
        if a.role == "offerer":
            self.pipe.set_state(Gst.State.PLAYING)
            if a.media and not self.wait_sink_caps(5):
                self.tap.diag("webrtcbin sink pads have no caps after 5 s")
            self.setup_channel(self.webrtc.emit("create-data-channel", "echo", None))
            offer = self.create("offer")
            self.logw("webrtcbin offer:\n" + offer)
            self.send({"type": "video-offer", "sdp": offer})
            if not self.got_answer.wait(15):
                return False
            self.logw("peerc answer:\n" + self.answer)
            self.tap.diag("peerc answer m-lines: %s" % m_lines(self.answer))
            self.set_description("remote", "answer", self.answer)
            self.remote_description_set()
        else:
            self.pipe.set_state(Gst.State.PLAYING)
            if not self.got_offer.wait(15):
                return False
            self.logw("peerc offer:\n" + self.offer)
            self.tap.diag("peerc offer m-lines: %s" % m_lines(self.offer))
            self.set_description("remote", "offer", self.offer)
            self.remote_description_set()
            answer = self.create("answer")
            self.logw("webrtcbin answer:\n" + answer)
            self.tap.diag("webrtcbin answer m-lines: %s" % m_lines(answer))
            self.send({"type": "video-answer", "sdp": answer})
        return True

    # -- the test ------------------------------------------------------------

    def run(self):
        a = self.args
        tap = self.tap
        rng = random.Random(a.seed)
        tap.diag("seed %d, %d text messages" % (a.seed, a.count))
        self.expected = make_messages(rng, a.count, a.max_chars)
        self.build_pipeline()
        self.start_peer()
        t0 = time.monotonic()
        try:
            ok = self.negotiate()
            why = "no %s from peerc-peer within 15 s" % (
                "answer" if a.role == "offerer" else "offer")
        except RuntimeError as e:
            ok, why = False, str(e)
        if not tap.ok(ok, "offer/answer exchanged (webrtcbin is %s)" % a.role, why):
            return
        self.connected.wait(20)
        if not tap.ok(self.conn_state == "connected", "webrtcbin connection state connected",
                      "connection state %s after 20 s; peerc-peer signalled %d candidate(s)" % (
                          self.conn_state, self.peer_candidates)):
            return
        tap.diag("connected %.2f s after start; peerc-peer signalled %d candidate message(s)" % (
            self.connected_at - t0, self.peer_candidates))
        self.echo_test()
        if a.media:
            self.media_phase()

    def echo_test(self):
        a = self.args
        tap = self.tap
        if not tap.ok(self.channel_open.wait(10), "data channel 'echo' open",
                      "channel: %s" % (self.channel.get_property("ready-state").value_nick
                                       if self.channel else "never announced")):
            return
        tap.ok(self.channel.get_property("label") == "echo",
               "channel label is 'echo' (%r)" % self.channel.get_property("label"))
        t = time.monotonic()
        for m in self.expected:
            self.channel.emit("send-string", m)
        self.all_received.wait(a.echo_timeout)
        tap.diag("%d/%d echoes in %.2f s" % (len(self.received), len(self.expected),
                                              time.monotonic() - t))
        bad = ["message %d: sent %r, echo %r" % (i, w[:40], g[:40])
               for i, (w, g) in enumerate(zip(self.expected, self.received)) if w != g]
        tap.ok(len(self.received) == len(self.expected) and not bad,
               "data channel echo of %d text messages exact, in order" % len(self.expected),
               "\n".join(["received %d of %d" % (len(self.received), len(self.expected))] +
                         bad[:10]))

    def media_phase(self):
        a = self.args
        tap = self.tap
        v, au = self.video, self.audio
        if self.first_video.wait(10):
            tap.diag("webrtcbin: first decoded picture from peerc %.0f ms after connected" %
                     ((v.first - self.connected_at) * 1000))
            end = v.first + a.media_seconds
        else:
            end = time.monotonic() + a.media_seconds
        while time.monotonic() < end:
            time.sleep(0.1)
        span = (v.last - v.first) if v.buffers > 1 else 0
        tap.diag("webrtcbin decoded %d pictures from peerc (%dx%d, %.1f fps); remote pads %s" % (
            v.buffers, v.width, v.height, (v.buffers - 1) / span if span > 0 else 0,
            self.remote_pads))
        tap.ok(v.buffers >= 60, "webrtcbin decoded %d pictures from peerc (>= 60)" % v.buffers)
        tap.ok((v.width, v.height) == (640, 480),
               "peerc's pictures are 640x480 on the decoder's src pad (%sx%s)" % (
                   v.width, v.height))
        tap.diag("webrtcbin received %d audio buffers, %d samples (%d Hz, %d ch)%s" % (
            au.buffers, au.samples, au.rate, au.channels,
            ", first %.0f ms after connected" % ((au.first - self.connected_at) * 1000)
            if au.first else ""))
        tap.ok(au.buffers > 0 and au.samples > 0,
               "webrtcbin received audio from peerc (%d buffers)" % au.buffers)
        self.media_done = True

    def check_report(self, rep):
        tap = self.tap
        summary = {k: v for k, v in rep.items() if k not in ("transceivers", "tracks")}
        tap.diag("peerc report: %s" % json.dumps(summary))
        for t in rep.get("transceivers", []):
            tap.diag("peerc transceiver: %s" % json.dumps(t))
        frames = rep.get("video_frames_decoded", 0)
        tap.ok(frames >= 60, "peerc decoded %d pictures from webrtcbin (>= 60)" % frames)
        tap.ok((rep.get("video_width"), rep.get("video_height")) == (640, 480),
               "peerc decoded webrtcbin's pictures at 640x480 (%sx%s)" % (
                   rep.get("video_width"), rep.get("video_height")))
        samples = rep.get("audio_samples", 0)
        tap.ok(samples > 0, "peerc received audio from webrtcbin (%d samples, RMS %.3f, %.1f Hz)"
               % (samples, rep.get("audio_rms", 0), rep.get("audio_hz", 0)))
        # webrtcbin 1.22 carries its stream id only in a=ssrc:N msid:STREAM TRACK
        sids = sorted({l.split("msid:", 1)[1].split()[0] for l in self.local_sdp.splitlines()
                       if l.startswith("a=ssrc:") and " msid:" in l})
        got = rep.get("remote_stream_ids", [])
        tap.ok(len(sids) == 1 and got == sids,
               "peerc saw webrtcbin's stream id from a=ssrc msid (%s)" % (sids[0] if sids else "-"),
               "webrtcbin's SDP has %r, peerc saw %r" % (sids, got))
        if rep.get("first_frame_after_connected_ms", -1) >= 0:
            tap.diag("peerc: first picture %.0f ms after connected, %.1f fps decoded" % (
                rep["first_frame_after_connected_ms"], rep.get("video_fps", 0)))

    def finish(self):
        tap = self.tap
        if self.proc and self.proc.poll() is None:
            self.send({"type": "hang-up"})
        if self.args.media and getattr(self, "media_done", False):
            if tap.ok(self.got_report.wait(10), "peerc-peer reported what it received"):
                self.check_report(self.report)
        rc = None
        if self.proc:
            try:
                rc = self.proc.wait(10)
            except subprocess.TimeoutExpired:
                tap.diag("peerc-peer did not exit 10 s after hang-up; killing it")
                self.proc.kill()
                rc = self.proc.wait()
        tap.ok(rc == 0, "clean hang-up: peerc-peer exits 0", "exit status %s" % rc)
        if self.pipe:
            self.pipe.set_state(Gst.State.NULL)
        self.stop.set()
        for line in self.bus_lines[:20]:
            tap.diag(line)
        if tap.failed or os.environ.get("PEERC_INTEROP_VERBOSE"):
            tap.diag("---- peerc-peer stderr (%d lines) ----" % len(self.stderr_lines))
            for line in self.stderr_lines[-self.args.max_log_lines:]:
                tap.diag(line)
        if self.log:
            self.log.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--peer", required=True, help="peerc-peer executable")
    ap.add_argument("--role", choices=["offerer", "answerer"], required=True,
                    help="webrtcbin's role")
    ap.add_argument("--count", type=int, default=40, help="text messages on the channel")
    ap.add_argument("--max-chars", type=int, default=300)
    ap.add_argument("--media", action="store_true", help="an audio+video call as well")
    ap.add_argument("--media-seconds", type=float, default=4.0,
                    help="how long to receive pictures before hanging up")
    ap.add_argument("--tone", type=float, default=440.0, help="webrtcbin's sine, Hz")
    ap.add_argument("--peerc-tone", type=float, default=660.0, help="peerc-peer's tone, Hz")
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--local-addresses", default=None,
                    help="passed to peerc-peer (default: its own default)")
    ap.add_argument("--timeout", type=int, default=45, help="whole test, seconds")
    ap.add_argument("--echo-timeout", type=int, default=10)
    ap.add_argument("--peer-timeout", type=int, default=55)
    ap.add_argument("--log", default=None, help="file for peerc-peer stderr and signalling")
    ap.add_argument("--max-log-lines", type=int, default=400)
    args = ap.parse_args()
    if args.seed is None:
        args.seed = int(os.environ.get("PEERC_INTEROP_SEED", random.randrange(1 << 31)))
    Gst.init(None)
    missing = [f for f in ("webrtcbin", "nicesrc", "sctpenc", "dtlssrtpenc", "vp8enc",
                           "vp8dec", "rtpvp8pay", "opusenc", "opusdec", "rtpopuspay",
                           "videotestsrc", "audiotestsrc", "decodebin")
               if Gst.ElementFactory.find(f) is None]
    if missing:
        print("not ok 1 - GStreamer elements missing: %s (scripts/check installs them)" %
              " ".join(missing))
        print("1..1")
        sys.exit(1)
    test = Test(args)
    done = threading.Event()

    def body():
        try:
            test.run()
        except Exception as e:  # noqa: BLE001 - a test failure, not a crash
            import traceback
            test.tap.ok(False, "unexpected exception: %r" % e, traceback.format_exc())
        done.set()

    threading.Thread(target=body, daemon=True).start()
    if not done.wait(args.timeout):
        test.tap.ok(False, "test finished within %d s" % args.timeout)
    try:
        test.finish()
    except Exception as e:  # noqa: BLE001
        test.tap.ok(False, "cleanup: %r" % e)
        if test.proc and test.proc.poll() is None:
            test.proc.kill()
    rc = test.tap.done()
    sys.stdout.flush()
    os._exit(rc)


if __name__ == "__main__":
    main()
