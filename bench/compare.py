#!/usr/bin/env python3
"""Turn the JSON lines of bench/run's runs into a table and a JSON summary.

    compare.py RAW_DIR OUT_JSON [key=value ...]           data channels
    compare.py --media RAW_DIR OUT_JSON [key=value ...]   media call

RAW_DIR holds STACK.ROUND.jsonl (stdout of one run) and STACK.ROUND.log
(its stderr: first line names the stack's version; "# udp_rcvbuf_errors N"
is added by bench/run; "# stalled ..." lines come from the drivers).
STACK.unavailable holds the reason a stack could not run.  key=value pairs
(the run's parameters) are stored in the summary as they are.

Each figure is the median over the rounds that completed; a round that
stalled or timed out contributes no figure and is counted in the cell.
Ratios are peerc / other: above 1 means peerc took longer (ms) or moved
more (MB/s, messages/s).

With --media, each run is one "media-call" line (bench/media-call.c and
its ports); the table gives the median of each figure over the rounds that
completed, and the ratios peerc / other (CPU: below 1 means peerc used
less).
"""

import datetime
import glob
import json
import os
import platform
import re
import statistics
import sys

# Column order; the first is the one the ratios are for.
STACKS = [
    ("peerc", "peerc"),
    ("peerc-app", "peerc app-thr"),
    ("peerc-2ctx", "peerc 2ctx"),
    ("node-datachannel", "node-dc"),
    ("wrtc", "wrtc"),
    ("aiortc", "aiortc"),
]
OTHERS = ["node-datachannel", "wrtc", "aiortc"]
SHORT = dict(STACKS)


def load(raw):
    runs = {}  # stack -> list of {tests: [...], log: str, udp_drops: int|None}
    unavailable = {}
    for path in sorted(glob.glob(os.path.join(raw, "*.unavailable"))):
        stack = os.path.basename(path)[: -len(".unavailable")]
        with open(path, encoding="utf-8", errors="replace") as f:
            unavailable[stack] = f.read().strip()
    for path in sorted(glob.glob(os.path.join(raw, "*.jsonl"))):
        m = re.match(r"(.+)\.(\d+)\.jsonl$", os.path.basename(path))
        if not m:
            continue
        stack = m.group(1)
        tests = []
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                line = line.strip()
                if line.startswith("{"):
                    try:
                        tests.append(json.loads(line))
                    except ValueError:
                        pass
        log = ""
        logpath = path[: -len(".jsonl")] + ".log"
        if os.path.exists(logpath):
            with open(logpath, encoding="utf-8", errors="replace") as f:
                log = f.read()
        drops = re.findall(r"^# udp_rcvbuf_errors (-?\d+)", log, re.M)
        exit_code = re.findall(r"^# exit (\d+)", log, re.M)
        runs.setdefault(stack, []).append({
            "round": int(m.group(2)),
            "tests": tests,
            "version": log.splitlines()[0].split(": ", 1)[-1] if log.strip() else "",
            "udp_rcvbuf_errors": int(drops[-1]) if drops else None,
            "exit": int(exit_code[-1]) if exit_code else None,
            "stderr_tail": [l for l in log.splitlines() if l.startswith("# ")][-8:],
            "log_tail": [l for l in log.splitlines()[1:] if l.strip() and not l.startswith("# ")][-3:],
        })
    return runs, unavailable


def metric_rows(sizes):
    rows = [("connect", None, "samples_ms", "time to connected, median (ms)", "lower"),
            ("connect", None, "samples_ms:max", "time to connected, worst (ms)", "lower"),
            ("connect", None, "open_samples_ms", "time to channel open, median (ms)", "lower")]
    for size in sizes:
        label = "%d KiB" % (size // 1024) if size % 1024 == 0 else "%d B" % size
        rows.append(("throughput", size, "mbps", "throughput %s msgs (MB/s)" % label, "higher"))
    return rows


def pick(tests, test, size):
    for t in tests:
        if t.get("test") == test and (size is None or t.get("size") == size):
            return t
    return None


def summarise(runs, unavailable, params):
    sizes = sorted({t["size"] for rs in runs.values() for r in rs for t in r["tests"]
                    if t.get("test") == "throughput" and "size" in t})
    small = sorted({t["size"] for rs in runs.values() for r in rs for t in r["tests"]
                    if t.get("test") == "small" and "size" in t})
    rows = metric_rows(sizes)
    for size in small:
        rows.append(("small", size, "msgps", "%d-byte messages (msg/s)" % size, "higher"))
    metrics = []
    for test, size, field, label, better in rows:
        entry = {"metric": label, "test": test, "size": size, "field": field, "better": better,
                 "values": {}, "ratios": {}}
        for stack, _ in STACKS:
            if stack not in runs:
                continue
            vals, incomplete, extra = [], 0, {"cpu_pct": [], "max_gap_ms": []}
            if test == "connect":
                # Every connection of every round counts alike.
                key, _, how = field.partition(":")
                pooled = []
                for r in runs[stack]:
                    t = pick(r["tests"], test, size)
                    if t and t.get("complete") and key in t:
                        pooled += t[key]
                    else:
                        incomplete += 1
                agg = max if how == "max" else statistics.median
                entry["values"][stack] = {"median": agg(pooled) if pooled else None,
                                          "runs": pooled, "incomplete": incomplete}
                continue
            stalled = 0
            for r in runs[stack]:
                t = pick(r["tests"], test, size)
                stalled += bool(t and t.get("stalled"))
                if t and t.get("complete") and field in t:
                    vals.append(t[field])
                    for k in extra:
                        if k in t:
                            extra[k].append(t[k])
                else:
                    incomplete += 1
            v = {"median": statistics.median(vals) if vals else None, "runs": vals,
                 "incomplete": incomplete, "stalled": stalled}
            for k, xs in extra.items():
                if xs:
                    v[k] = statistics.median(xs) if k == "cpu_pct" else max(xs)
            entry["values"][stack] = v
        base = entry["values"].get("peerc", {}).get("median")
        for other in OTHERS:
            o = entry["values"].get(other, {}).get("median")
            entry["ratios"][other] = round(base / o, 3) if base and o else None
        metrics.append(entry)

    stacks = {}
    for stack, _ in STACKS:
        if stack in unavailable:
            stacks[stack] = {"available": False, "error": unavailable[stack]}
        elif stack in runs:
            rs = runs[stack]
            stacks[stack] = {
                "available": True,
                "version": rs[0]["version"],
                "rounds": len(rs),
                "udp_rcvbuf_errors": [r["udp_rcvbuf_errors"] for r in rs],
                "exit_codes": [r["exit"] for r in rs],
                "stalls": [l for r in rs for l in r["stderr_tail"] if "stalled" in l][:4],
                "raw": [r["tests"] for r in rs],
            }
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "machine": machine(),
        "params": params,
        "stacks": stacks,
        "metrics": metrics,
    }


def machine():
    cpu = ""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    osname = ""
    try:
        with open("/etc/os-release", encoding="utf-8") as f:
            for line in f:
                if line.startswith("PRETTY_NAME="):
                    osname = line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    return {"cores": os.cpu_count(), "cpu": cpu, "os": osname,
            "kernel": platform.release(), "arch": platform.machine()}


def fmt_value(v):
    if v is None:
        return "-"
    med, n_ok, bad = v["median"], len(v["runs"]), v["incomplete"]
    if med is None:
        return "stalled" if v.get("stalled") else "failed" if bad else "-"
    s = "%.0f" % med if med >= 100 else "%.1f" % med
    if bad:
        s += " (%d/%d)" % (n_ok, n_ok + bad)
    return s


def table(summary):
    present = [(s, h) for s, h in STACKS if s in summary["stacks"]]
    ratio_cols = [o for o in OTHERS if summary["stacks"].get(o, {}).get("available")]
    head = ["metric"] + [h for _, h in present] + ["peerc/" + SHORT[o] for o in ratio_cols]
    lines = []
    for m in summary["metrics"]:
        row = [m["metric"]]
        for s, _ in present:
            if not summary["stacks"][s].get("available"):
                row.append("n/a")
            else:
                row.append(fmt_value(m["values"].get(s)))
        for o in ratio_cols:
            r = m["ratios"].get(o)
            row.append("%.2f" % r if r is not None else "-")
        lines.append(row)
    # CPU per stack for the transfers, as a second block.
    cpu_rows = []
    for m in summary["metrics"]:
        if m["test"] == "connect":
            continue
        row = ["  cpu %, " + m["metric"].split(" (")[0]]
        for s, _ in present:
            v = m["values"].get(s) or {}
            row.append("%.0f" % v["cpu_pct"] if "cpu_pct" in v else "-")
        row += [""] * len(ratio_cols)
        cpu_rows.append(row)
    drops = ["  kernel UDP rcvbuf drops / run"]
    for s, _ in present:
        d = [x for x in summary["stacks"][s].get("udp_rcvbuf_errors", []) if x is not None]
        drops.append("%.0f" % statistics.median(d) if d else "-")
    drops += [""] * len(ratio_cols)
    cpu_rows.append(drops)
    widths = [max(len(str(r[i])) for r in [head] + lines + cpu_rows) for i in range(len(head))]
    out = []

    def emit(r):
        out.append("  ".join(str(c).ljust(widths[0]) if i == 0 else str(c).rjust(widths[i])
                             for i, c in enumerate(r)).rstrip())
    emit(head)
    emit(["-" * w for w in widths])
    for r in lines:
        emit(r)
    if cpu_rows:
        emit(["process CPU (100 = one core), median"] + [""] * (len(head) - 1))
        for r in cpu_rows:
            emit(r)
    return "\n".join(out)


# ------------------------------------------------------------ media call

MEDIA_STACKS = [("peerc", "peerc"), ("wrtc", "wrtc"), ("wrtc-500k", "wrtc-500k"),
                ("aiortc", "aiortc")]
MEDIA_OTHERS = ["wrtc", "wrtc-500k", "aiortc"]
DIRS = [("a_to_b", "a->b"), ("b_to_a", "b->a")]


def media_rows():
    """(label, getter, format, ratio?) for each row of the media table."""
    rows = [("process CPU, % of one core", lambda t: t.get("cpu_percent"), "%.1f", True)]
    for key, arrow in DIRS:
        rows.append(("video fps decoded %s" % arrow, lambda t, k=key: t[k].get("fps"), "%.1f", True))
    for key, arrow in DIRS:
        rows.append(("first frame %s (ms)" % arrow,
                     lambda t, k=key: t[k].get("first_frame_ms"), "%.0f", True))
    for key, arrow in DIRS:
        rows.append(("video sent %s (kbit/s)" % arrow,
                     lambda t, k=key: t[k].get("video_kbps"), "%.0f", True))
    for key, arrow in DIRS:
        rows.append(("audio sent %s (kbit/s)" % arrow,
                     lambda t, k=key: t[k].get("audio_kbps"), "%.0f", True))
    for key, arrow in DIRS:
        rows.append(("audio received %s (s/s)" % arrow,
                     lambda t, k=key: (t[k].get("audio_s") / t["window_s"]
                                       if t[k].get("audio_s") is not None and t.get("window_s")
                                       else None), "%.2f", False))
    for key, arrow in DIRS:
        rows.append(("decoded size %s" % arrow, lambda t, k=key: t[k].get("resolution"), "%s", False))
    rows.append(("video codec", lambda t: t["a_to_b"].get("video_codec") or None, "%s", False))
    return rows


def summarise_media(runs, unavailable, params):
    metrics = []
    for label, get, fmt, ratio in media_rows():
        entry = {"metric": label, "values": {}, "ratios": {}}
        for stack, _ in MEDIA_STACKS:
            if stack not in runs:
                continue
            vals, incomplete = [], 0
            for r in runs[stack]:
                t = next((x for x in r["tests"] if x.get("test") == "media-call"), None)
                v = None
                if t and t.get("complete"):
                    try:
                        v = get(t)
                    except (KeyError, TypeError):
                        v = None
                if v is None:
                    incomplete += 1
                else:
                    vals.append(v)
            if vals and all(isinstance(v, (int, float)) for v in vals):
                med = statistics.median(vals)
            elif vals:
                med = max(set(vals), key=vals.count)  # the most frequent text
            else:
                med = None
            entry["values"][stack] = {"median": med, "runs": vals, "incomplete": incomplete}
        base = entry["values"].get("peerc", {}).get("median")
        for other in MEDIA_OTHERS:
            o = entry["values"].get(other, {}).get("median")
            entry["ratios"][other] = (round(base / o, 3)
                                      if ratio and isinstance(base, (int, float)) and
                                      isinstance(o, (int, float)) and base and o else None)
        entry["format"] = fmt
        metrics.append(entry)

    stacks = {}
    for stack, _ in MEDIA_STACKS:
        if stack in unavailable:
            stacks[stack] = {"available": False, "error": unavailable[stack]}
        elif stack in runs:
            rs = runs[stack]
            errors = [t.get("error") for r in rs for t in r["tests"] if t.get("error")]
            if not any(r["tests"] for r in rs):
                errors.append("no output; stderr ends: " + " | ".join(
                    l for r in rs for l in r["log_tail"])[:300])
            stacks[stack] = {
                "available": True,
                "version": rs[0]["version"],
                "rounds": len(rs),
                "completed": sum(1 for r in rs for t in r["tests"] if t.get("complete")),
                "errors": errors[:4],
                "udp_rcvbuf_errors": [r["udp_rcvbuf_errors"] for r in rs],
                "exit_codes": [r["exit"] for r in rs],
                "raw": [r["tests"] for r in rs],
            }
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "machine": machine(),
        "params": params,
        "stacks": stacks,
        "metrics": metrics,
    }


def media_table(summary):
    present = [(s, h) for s, h in MEDIA_STACKS if s in summary["stacks"]]
    ratio_cols = [o for o in MEDIA_OTHERS if summary["stacks"].get(o, {}).get("available")]
    head = ["metric"] + [h for _, h in present] + ["peerc/" + o for o in ratio_cols]
    lines = []
    for m in summary["metrics"]:
        row = [m["metric"]]
        for s, _ in present:
            v = m["values"].get(s)
            if not summary["stacks"][s].get("available"):
                row.append("n/a")
            elif not v or v["median"] is None:
                row.append("failed" if v and v["incomplete"] else "-")
            else:
                cell = m["format"] % v["median"]
                if v["incomplete"]:
                    cell += " (%d/%d)" % (len(v["runs"]), len(v["runs"]) + v["incomplete"])
                row.append(cell)
        for o in ratio_cols:
            r = m["ratios"].get(o)
            row.append("%.2f" % r if r is not None else "")
        lines.append(row)
    widths = [max(len(str(r[i])) for r in [head] + lines) for i in range(len(head))]
    out = []

    def emit(r):
        out.append("  ".join(str(c).ljust(widths[0]) if i == 0 else str(c).rjust(widths[i])
                             for i, c in enumerate(r)).rstrip())
    emit(head)
    emit(["-" * w for w in widths])
    for r in lines:
        emit(r)
    return "\n".join(out)


def main_media(raw, out, params):
    runs, unavailable = load(raw)
    summary = summarise_media(runs, unavailable, params)
    summary["table"] = media_table(summary).splitlines()
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    with open(out, "w", encoding="utf-8") as f:
        json.dump(summary, f, indent=1)
        f.write("\n")
    print("\n".join(summary["table"]))
    notes = []
    for s, info in summary["stacks"].items():
        if not info.get("available"):
            notes.append("%s: not run: %s" % (s, info["error"]))
            continue
        if info["completed"] < info["rounds"]:
            notes.append("%s: %d of %d rounds completed" % (s, info["completed"], info["rounds"]))
        for e in info["errors"][:2]:
            notes.append("%s: %s" % (s, e))
        drops = [d for d in info["udp_rcvbuf_errors"] if d]
        if drops:
            notes.append("%s: kernel UDP receive-buffer drops per round: %s"
                         % (s, info["udp_rcvbuf_errors"]))
    if notes:
        print()
        for n in notes:
            print("note: " + n)
    print("\nversions: " + "; ".join("%s %s" % (s, i.get("version", ""))
                                     for s, i in summary["stacks"].items() if i.get("available")))
    return 0


def main(argv):
    media = len(argv) > 1 and argv[1] == "--media"
    if media:
        argv = argv[:1] + argv[2:]
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    raw, out = argv[1], argv[2]
    params = dict(a.split("=", 1) for a in argv[3:] if "=" in a)
    if media:
        return main_media(raw, out, params)
    runs, unavailable = load(raw)
    summary = summarise(runs, unavailable, params)
    summary["table"] = table(summary).splitlines()
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    with open(out, "w", encoding="utf-8") as f:
        json.dump(summary, f, indent=1)
        f.write("\n")
    print("\n".join(summary["table"]))
    notes = []
    for s, info in summary["stacks"].items():
        if not info.get("available"):
            notes.append("%s: not run: %s" % (s, info["error"]))
            continue
        drops = [d for d in info["udp_rcvbuf_errors"] if d]
        if drops:
            notes.append("%s: kernel UDP receive-buffer drops per round: %s"
                         % (s, info["udp_rcvbuf_errors"]))
        for l in info["stalls"][:2]:
            notes.append("%s: %s" % (s, l[2:]))
        bad_exit = [c for c in info["exit_codes"] if c not in (0, None)]
        if bad_exit:
            notes.append("%s: exit codes %s" % (s, info["exit_codes"]))
    if notes:
        print()
        for n in notes:
            print("note: " + n)
    print("\nversions: " + "; ".join("%s %s" % (s, i.get("version", ""))
                                     for s, i in summary["stacks"].items() if i.get("available")))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
