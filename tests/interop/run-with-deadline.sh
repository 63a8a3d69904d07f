#!/bin/sh
# run-with-deadline.sh SECONDS COMMAND...: run a TAP-producing command, kill
# it (and, through closed pipes, its children) after SECONDS, and keep the
# TAP stream valid: if it was killed, add a failing test and the plan.
secs=$1
shift
out=$(mktemp "${TMPDIR:-/tmp}/peerc-interop.XXXXXX") || exit 99
trap 'rm -f "$out"' EXIT INT TERM
if command -v timeout >/dev/null 2>&1; then
    timeout -k 3 "$secs" "$@" >"$out"
else
    "$@" >"$out"
fi
rc=$?
cat "$out"
if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
    if grep -Eq '^1\.\.[0-9]+' "$out"; then
        echo "# killed after $secs s"
    else
        n=$(grep -Ec '^(not )?ok ' "$out")
        n=$((n + 1))
        echo "not ok $n - killed after $secs s"
        echo "1..$n"
    fi
    exit 1
fi
exit $rc
