#!/usr/bin/python3
"""The peerc data-channel benchmark (bench/dc-throughput.c) on aiortc.

Both peers in one process and one asyncio loop, over loopback, one reliable
ordered channel paced with bufferedamountlow.  Same options and the same
JSON lines as the C program:

    /usr/bin/python3 dc_throughput_aiortc.py [--bytes N] [--sizes 1024,16384,65536]
        [--small-count N] [--small-size N] [--connects N] [--high N] [--low N]
        [--timeout S] [--stall S]

Run it with Debian's interpreter (/usr/bin/python3), which sees
python3-aiortc.  aioice leaves loopback out of its host candidates and has
no option to choose interfaces, so get_host_addresses is replaced to offer
127.0.0.1 only: no packet leaves loopback.  aiortc 1.4 gathers before
setLocalDescription returns, so its candidates travel inside the SDP.
"""

import argparse
import asyncio
import json
import sys
import time

import aioice.ice
from aiortc import RTCConfiguration, RTCPeerConnection

aioice.ice.get_host_addresses = lambda use_ipv4, use_ipv6: ["127.0.0.1"] if use_ipv4 else []

STACK = "aiortc"


def now_ms():
    return time.monotonic() * 1e3


def cpu_ms():
    return time.process_time() * 1e3


def emit(**kw):
    print(json.dumps(dict(stack=STACK, **kw), separators=(",", ":")), flush=True)


class Pair:
    def __init__(self):
        self.a = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        self.b = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        self.tx = None
        self.rx = None
        self.on_message = None

    async def connect(self):
        loop = asyncio.get_running_loop()
        ready = loop.create_future()
        state = {"connected": set(), "tx_open": False, "rx_open": False,
                 "t_connected": 0.0, "t_open": 0.0}

        def check():
            if not state["t_open"] and state["tx_open"] and state["rx_open"]:
                state["t_open"] = now_ms()
            if state["t_open"] and state["t_connected"] and not ready.done():
                ready.set_result(True)

        for name, pc in (("a", self.a), ("b", self.b)):
            def on_state(pc=pc, name=name):
                if pc.connectionState == "connected" and name not in state["connected"]:
                    state["connected"].add(name)
                    if len(state["connected"]) == 2:
                        state["t_connected"] = now_ms()
                elif pc.connectionState == "failed" and not ready.done():
                    ready.set_exception(RuntimeError("connection failed"))
                check()
            pc.on("connectionstatechange", on_state)

        @self.b.on("datachannel")
        def on_datachannel(ch):
            self.rx = ch

            @ch.on("message")
            def on_message(msg):
                if self.on_message:
                    self.on_message(len(msg))

            def opened():
                state["rx_open"] = True
                check()
            if ch.readyState == "open":
                opened()
            else:
                ch.on("open", opened)

        t0 = now_ms()
        self.tx = self.a.createDataChannel("bench")

        @self.tx.on("open")
        def on_open():
            state["tx_open"] = True
            check()

        await self.a.setLocalDescription(await self.a.createOffer())
        await self.b.setRemoteDescription(self.a.localDescription)
        await self.b.setLocalDescription(await self.b.createAnswer())
        await self.a.setRemoteDescription(self.b.localDescription)
        await ready
        return state["t_connected"] - t0, state["t_open"] - t0

    async def close(self):
        await self.a.close()
        await self.b.close()


async def transfer(pair, args, test, size, count):
    loop = asyncio.get_running_loop()
    finished = loop.create_future()
    payload = bytes((i * 7) & 255 for i in range(size))
    st = {"sent": 0, "received": 0, "bytes": 0, "bad": 0, "max_gap": 0.0, "t_last": 0.0}
    tx = pair.tx
    tx.bufferedAmountLowThreshold = args.low

    def on_message(length):
        t = now_ms()
        if st["received"] and t - st["t_last"] > st["max_gap"]:
            st["max_gap"] = t - st["t_last"]
        st["t_last"] = t
        st["received"] += 1
        st["bytes"] += length
        if length != size:
            st["bad"] += 1
        if st["received"] == count and not finished.done():
            finished.set_result(True)

    def pump():
        if finished.done():
            return
        while st["sent"] < count and tx.bufferedAmount < args.high:
            tx.send(payload)
            st["sent"] += 1

    pair.on_message = on_message
    tx.on("bufferedamountlow", pump)
    t_start = now_ms()
    c0 = cpu_ms()
    pump()
    deadline = t_start + args.timeout * 1e3
    stalled = False
    done = False
    while True:
        try:
            done = await asyncio.wait_for(asyncio.shield(finished), 0.1)
            break
        except asyncio.TimeoutError:
            t = now_ms()
            if t - (st["t_last"] if st["received"] else t_start) > args.stall * 1e3:
                stalled = True
                break
            if t > deadline:
                break
    tx.remove_listener("bufferedamountlow", pump)
    pair.on_message = None
    wall = (st["t_last"] if done else now_ms()) - t_start
    out = dict(test=test, size=size, messages=count, received=st["received"],
               bytes=st["bytes"], seconds=round(wall / 1e3, 3))
    if done:
        out["mbps"] = round(st["bytes"] / 1e3 / wall, 2)
        out["msgps"] = round(st["received"] * 1e3 / wall)
    out.update(cpu_pct=round(100 * (cpu_ms() - c0) / wall), max_gap_ms=round(st["max_gap"], 1),
               bad=st["bad"], complete=done)
    if stalled:
        out.update(stalled=True, error="nothing received for %g s" % args.stall)
        print("# stalled: sent %d of %d, received %d, sender bufferedAmount %d"
              % (st["sent"], count, st["received"], tx.bufferedAmount), file=sys.stderr)
    emit(**out)
    if not done:
        await asyncio.sleep(5)


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bytes", type=int, default=64 << 20)
    ap.add_argument("--sizes", default="1024,16384,65536")
    ap.add_argument("--small-count", type=int, default=100000)
    ap.add_argument("--small-size", type=int, default=100)
    ap.add_argument("--connects", type=int, default=5)
    ap.add_argument("--high", type=int, default=4 << 20)
    ap.add_argument("--low", type=int, default=1 << 20)
    ap.add_argument("--timeout", type=float, default=120)
    ap.add_argument("--stall", type=float, default=10)
    args = ap.parse_args()
    import aiortc
    print("aiortc: %s, python %s" % (aiortc.__version__, sys.version.split()[0]), file=sys.stderr)

    connected, opened = [], []
    pair = None
    for i in range(args.connects):
        pair = Pair()
        try:
            c, o = await asyncio.wait_for(pair.connect(), args.timeout)
        except Exception as e:  # timeout or failure: no figure
            emit(test="connect", complete=False, error=str(e) or type(e).__name__)
            return 1
        connected.append(c)
        opened.append(o)
        if i + 1 < args.connects:
            await pair.close()
    med = lambda v: sorted(v)[len(v) // 2]
    emit(test="connect", runs=len(connected), connected_ms=round(med(connected), 1),
         open_ms=round(med(opened), 1), samples_ms=[round(x, 1) for x in connected],
         open_samples_ms=[round(x, 1) for x in opened], complete=True)
    for size in (int(s) for s in args.sizes.split(",")):
        await transfer(pair, args, "throughput", size, max(1, args.bytes // size))
    if args.small_count > 0:
        await transfer(pair, args, "small", args.small_size, args.small_count)
    await pair.close()
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
