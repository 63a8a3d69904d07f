#!/usr/bin/python3
"""Interop test: aiortc (Debian python3-aiortc) <-> peerc-peer over a data channel.

Spawns peerc-peer with pipes and speaks its JSON-lines signalling.  aiortc
plays --role offerer (creates the "echo" channel) or answerer (receives the
channel peerc-peer creates), sends random binary and text messages, checks
that every echo comes back complete, in order, with the same type, and that
the SHA-256 over all bytes matches, then sends hang-up.

Output is TAP on stdout; diagnostics are "# " lines.  peerc-peer's stderr is
saved to --log and copied as "# " lines when something fails.

    aiortc_peer.py --peer path/to/peerc-peer --role offerer [--count 200]
"""

import argparse
import asyncio
import hashlib
import json
import logging
import os
import random
import sys
import time

try:
    from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription
    from aiortc.sdp import candidate_from_sdp
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

    # -- peerc-peer process -------------------------------------------------

    async def start_peer(self):
        role = "--answer" if self.args.role == "offerer" else "--offer"
        cmd = [self.args.peer, role, "--timeout", str(self.args.peer_timeout)]
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

    async def negotiate(self):
        pc = self.pc
        if self.args.role == "offerer":
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

    async def finish(self):
        """Hang up, check peerc-peer's exit status, clean up."""
        tap = self.tap
        if self.proc and self.proc.returncode is None:
            try:
                await self.send_signal({"type": "hang-up"})
            except (BrokenPipeError, ConnectionResetError):
                pass
        rc = None
        if self.proc:
            try:
                rc = await asyncio.wait_for(self.proc.wait(), 10)
            except asyncio.TimeoutError:
                tap.diag("peerc-peer did not exit 10 s after hang-up; killing it")
                self.proc.kill()
                rc = await self.proc.wait()
        tap.ok(rc == 0, "peerc-peer exits 0 after hang-up", "exit status %s" % rc)
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
    ap.add_argument("--count", type=int, default=200)
    ap.add_argument("--max-size", type=int, default=60000)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--local-addresses", default=None,
                    help="passed to peerc-peer (default: its own default)")
    ap.add_argument("--timeout", type=int, default=50, help="whole test, seconds")
    ap.add_argument("--echo-timeout", type=int, default=20)
    ap.add_argument("--peer-timeout", type=int, default=55)
    ap.add_argument("--log", default=None, help="file for peerc-peer stderr and signalling")
    ap.add_argument("--max-log-lines", type=int, default=400)
    args = ap.parse_args()
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
