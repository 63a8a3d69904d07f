// dc-throughput.mjs: the peerc data-channel benchmark (bench/dc-throughput.c)
// repeated on other stacks for Node.js, in the same layout: both peers in
// one process, over loopback, one reliable ordered channel.
//
//   node dc-throughput.mjs --stack node-datachannel|wrtc [--bytes N]
//        [--sizes 1024,16384,65536] [--small-count N] [--small-size N]
//        [--connects N] [--high N] [--low N] [--timeout S] [--stall S]
//
// Output: one JSON object per line, the same fields as the C program.
//
//   node-datachannel  libdatachannel (libjuice ICE, usrsctp), native API;
//                     ICE bound to 127.0.0.1 (bindAddress).
//   wrtc              @roamhq/wrtc, Google's libwebrtc, W3C API.  It never
//                     fires bufferedamountlow, so the sender polls
//                     bufferedAmount every millisecond instead.  libwebrtc
//                     ignores loopback interfaces: bench/run starts it in a
//                     private network namespace (see bench/README.md).
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

const opt = {
    stack: 'node-datachannel',
    bytes: 64 * 1024 * 1024,
    sizes: [1024, 16384, 65536],
    smallCount: 100000,
    smallSize: 100,
    connects: 5,
    high: 4 * 1024 * 1024,
    low: 1024 * 1024,
    timeout: 120,
    stall: 10,
};
{
    const a = process.argv.slice(2);
    for (let i = 0; i < a.length; i += 2) {
        const k = a[i], v = a[i + 1];
        if (v === undefined) usage();
        switch (k) {
        case '--stack': opt.stack = v; break;
        case '--bytes': opt.bytes = Number(v); break;
        case '--sizes': opt.sizes = v.split(',').map(Number); break;
        case '--small-count': opt.smallCount = Number(v); break;
        case '--small-size': opt.smallSize = Number(v); break;
        case '--connects': opt.connects = Number(v); break;
        case '--high': opt.high = Number(v); break;
        case '--low': opt.low = Number(v); break;
        case '--timeout': opt.timeout = Number(v); break;
        case '--stall': opt.stall = Number(v); break;
        default: usage();
        }
    }
}

function usage() {
    process.stderr.write('usage: node dc-throughput.mjs --stack node-datachannel|wrtc [--bytes N] ...\n');
    process.exit(2);
}

const nowMs = () => Number(process.hrtime.bigint()) / 1e6;
const cpuMs = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e3;
};
const print = (obj) => process.stdout.write(JSON.stringify({ stack: opt.stack, ...obj }) + '\n');

// ------------------------------------------------------------ adapters
//
// connect() resolves to { t0, tConnected, tOpen, tx, rx, close() } where
// tx has send(buf), buffered(), whenLow(cb) (cb once buffered <= low) and
// rx has onMessage(cb(len)).

function ndcAdapter() {
    const ndc = require('node-datachannel');
    ndc.initLogger('Error', () => {});
    const config = { iceServers: [], bindAddress: '127.0.0.1', enableIceTcp: false };

    return {
        version: () => 'libdatachannel ' + (ndc.getLibraryVersion ? ndc.getLibraryVersion() : '?'),
        cleanup: () => ndc.cleanup && ndc.cleanup(),
        connect: () => new Promise((resolve, reject) => {
            const a = new ndc.PeerConnection('caller', config);
            const b = new ndc.PeerConnection('callee', config);
            const r = { t0: 0, tConnected: 0, tOpen: 0 };
            let connected = 0, open = 0, txOpen = false, rxCh = null, rxOpen = false;
            const onMsg = { cb: null };
            a.onLocalDescription((sdp, type) => b.setRemoteDescription(sdp, type));
            b.onLocalDescription((sdp, type) => a.setRemoteDescription(sdp, type));
            a.onLocalCandidate((c, mid) => b.addRemoteCandidate(c, mid));
            b.onLocalCandidate((c, mid) => a.addRemoteCandidate(c, mid));
            const onState = (s) => {
                if (s === 'connected' && ++connected === 2) r.tConnected = nowMs();
                if (s === 'failed') reject(new Error('connection failed'));
                check();
            };
            a.onStateChange(onState);
            b.onStateChange(onState);
            const check = () => {
                if (!r.tOpen && txOpen && rxOpen) r.tOpen = nowMs();
                if (r.tOpen && r.tConnected) finish();
            };
            b.onDataChannel((ch) => {
                rxCh = ch;
                ch.onMessage((m) => onMsg.cb && onMsg.cb(typeof m === 'string' ? Buffer.byteLength(m) : m.byteLength));
                rxOpen = true; // onDataChannel fires for an open channel
                check();
            });
            r.t0 = nowMs();
            const dc = a.createDataChannel('bench');
            dc.setBufferedAmountLowThreshold(opt.low);
            let lowCb = null;
            dc.onBufferedAmountLow(() => {
                const cb = lowCb;
                lowCb = null;
                if (cb) cb();
            });
            dc.onOpen(() => { txOpen = true; check(); });
            let done = false;
            const finish = () => {
                if (done) return;
                done = true;
                r.tx = {
                    send: (buf) => dc.sendMessageBinary(buf),
                    buffered: () => dc.bufferedAmount(),
                    whenLow: (cb) => { lowCb = cb; },
                };
                r.rx = { onMessage: (cb) => { onMsg.cb = cb; } };
                r.close = () => {
                    dc.close();
                    if (rxCh) rxCh.close();
                    a.close();
                    b.close();
                };
                resolve(r);
            };
        }),
    };
}

function wrtcAdapter() {
    const wrtc = require('@roamhq/wrtc');
    const config = { iceServers: [] };

    return {
        version: () => 'libwebrtc (@roamhq/wrtc ' + require('@roamhq/wrtc/package.json').version + ')',
        cleanup: () => {},
        connect: () => new Promise((resolve, reject) => {
            const a = new wrtc.RTCPeerConnection(config);
            const b = new wrtc.RTCPeerConnection(config);
            const r = { t0: 0, tConnected: 0, tOpen: 0 };
            let connected = 0, txOpen = false, rxOpen = false, rxCh = null;
            const onMsg = { cb: null };
            const fail = (e) => reject(e instanceof Error ? e : new Error(String(e)));
            a.onicecandidate = (e) => { if (e.candidate) b.addIceCandidate(e.candidate).catch(fail); };
            b.onicecandidate = (e) => { if (e.candidate) a.addIceCandidate(e.candidate).catch(fail); };
            a.onnegotiationneeded = async () => {
                try {
                    await a.setLocalDescription(await a.createOffer());
                    await b.setRemoteDescription(a.localDescription);
                    await b.setLocalDescription(await b.createAnswer());
                    await a.setRemoteDescription(b.localDescription);
                } catch (e) { fail(e); }
            };
            const onState = (pc) => () => {
                const s = pc.connectionState;
                if (s === 'connected' && !pc._benchConnected) {
                    pc._benchConnected = true;
                    if (++connected === 2) r.tConnected = nowMs();
                }
                if (s === 'failed') fail(new Error('connection failed'));
                check();
            };
            a.onconnectionstatechange = onState(a);
            b.onconnectionstatechange = onState(b);
            const check = () => {
                if (!r.tOpen && txOpen && rxOpen) r.tOpen = nowMs();
                if (r.tOpen && r.tConnected) finish();
            };
            b.ondatachannel = (e) => {
                rxCh = e.channel;
                rxCh.binaryType = 'arraybuffer';
                rxCh.onmessage = (m) => onMsg.cb && onMsg.cb(typeof m.data === 'string' ? Buffer.byteLength(m.data) : m.data.byteLength);
                const opened = () => { rxOpen = true; check(); };
                if (rxCh.readyState === 'open') opened(); else rxCh.onopen = opened;
            };
            r.t0 = nowMs();
            const dc = a.createDataChannel('bench');
            dc.binaryType = 'arraybuffer';
            dc.onopen = () => { txOpen = true; check(); };
            let done = false;
            const finish = () => {
                if (done) return;
                done = true;
                // No bufferedamountlow from this stack: poll.
                const poll = (cb) => {
                    if (dc.bufferedAmount <= opt.low || dc.readyState !== 'open') cb();
                    else setTimeout(poll, 1, cb);
                };
                r.tx = {
                    send: (buf) => dc.send(buf),
                    buffered: () => dc.bufferedAmount,
                    whenLow: (cb) => setTimeout(poll, 1, cb),
                };
                r.rx = { onMessage: (cb) => { onMsg.cb = cb; } };
                r.close = () => {
                    dc.close();
                    if (rxCh) rxCh.close();
                    a.close();
                    b.close();
                };
                resolve(r);
            };
        }),
    };
}

// -------------------------------------------------------------- driver

function withTimeout(promise, ms, what) {
    let t;
    return Promise.race([
        promise,
        new Promise((_, reject) => { t = setTimeout(() => reject(new Error(what)), ms); }),
    ]).finally(() => clearTimeout(t));
}

function transfer(pair, test, size, count) {
    return new Promise((resolve) => {
        const payload = Buffer.alloc(size);
        for (let i = 0; i < size; i++) payload[i] = (i * 7) & 255;
        let sent = 0, received = 0, bytes = 0, bad = 0, maxGap = 0, tLast = 0, sendError = null;
        let finished = false, stalled = false;
        const tStart = nowMs();
        const cpu0 = cpuMs();
        const finish = (done) => {
            if (finished) return;
            finished = true;
            clearTimeout(timer);
            clearInterval(watch);
            pair.rx.onMessage(null);
            const wall = (done ? tLast : nowMs()) - tStart;
            const cpu = cpuMs() - cpu0;
            const o = { test, size, messages: count, received, bytes, seconds: +(wall / 1e3).toFixed(3) };
            if (done) {
                o.mbps = +(bytes / 1e3 / wall).toFixed(2);
                o.msgps = Math.round(received * 1e3 / wall);
            }
            o.cpu_pct = Math.round(100 * cpu / wall);
            o.max_gap_ms = +maxGap.toFixed(1);
            o.bad = bad;
            o.complete = done;
            if (stalled) {
                o.stalled = true;
                o.error = `nothing received for ${opt.stall} s`;
                process.stderr.write(`# stalled: sent ${sent} of ${count}, received ${received}, ` +
                    `sender bufferedAmount ${pair.tx.buffered()}\n`);
            } else if (sendError) o.error = 'send: ' + sendError;
            print(o);
            // Let an incomplete run drain before the next one counts.
            if (done) resolve();
            else setTimeout(resolve, 5000);
        };
        const timer = setTimeout(() => finish(false), opt.timeout * 1000);
        const watch = setInterval(() => {
            if (nowMs() - (received ? tLast : tStart) > opt.stall * 1000) {
                stalled = true;
                finish(false);
            }
        }, 100);
        pair.rx.onMessage((len) => {
            const t = nowMs();
            if (received && t - tLast > maxGap) maxGap = t - tLast;
            tLast = t;
            received++;
            bytes += len;
            if (len !== size) bad++;
            if (received === count) finish(true);
        });
        const pump = () => {
            if (finished) return;
            try {
                while (sent < count && pair.tx.buffered() < opt.high) {
                    pair.tx.send(payload);
                    sent++;
                }
            } catch (e) {
                sendError = e.message;
                finish(false);
                return;
            }
            if (sent < count) pair.tx.whenLow(pump);
        };
        pump();
    });
}

async function main() {
    const adapter = opt.stack === 'wrtc' ? wrtcAdapter()
        : opt.stack === 'node-datachannel' ? ndcAdapter() : usage();
    process.stderr.write(`${opt.stack}: ${adapter.version()}, node ${process.version}\n`);
    const connected = [], open = [];
    let pair = null;
    for (let i = 0; i < opt.connects; i++) {
        try {
            pair = await withTimeout(adapter.connect(), opt.timeout * 1000,
                `not open after ${opt.timeout} s`);
        } catch (e) {
            print({ test: 'connect', complete: false, error: e.message });
            adapter.cleanup();
            process.exit(1);
        }
        connected.push(pair.tConnected - pair.t0);
        open.push(pair.tOpen - pair.t0);
        if (i + 1 < opt.connects) pair.close();
    }
    const median = (v) => [...v].sort((x, y) => x - y)[Math.floor(v.length / 2)];
    print({
        test: 'connect', runs: connected.length,
        connected_ms: +median(connected).toFixed(1), open_ms: +median(open).toFixed(1),
        samples_ms: connected.map((x) => +x.toFixed(1)),
        open_samples_ms: open.map((x) => +x.toFixed(1)), complete: true,
    });
    for (const size of opt.sizes)
        await transfer(pair, 'throughput', size, Math.max(1, Math.floor(opt.bytes / size)));
    if (opt.smallCount > 0)
        await transfer(pair, 'small', opt.smallSize, opt.smallCount);
    pair.close();
    adapter.cleanup();
    // Native threads of either stack may keep the loop alive.
    setTimeout(() => process.exit(0), 200);
}

main();
