#!/usr/bin/env bash
# Usage: [AUTO_LOCK=MIN] scripts/bench-idle.sh COMPANION EMPTYWINDOW [MINUTES]
#
# What the app costs while nobody uses it (issue 11; docs/PERFORMANCE.md): the companion,
# unlocked on Today, and an empty Fyne window (cmd/emptywindow) side by side on the same
# display, left alone MINUTES minutes (default 10) shown, then MINUTES more hidden
# (unmapped). Prints, for each program and phase, the CPU it used (user + system, from
# /proc/PID/stat) as a share of one core, and the companion's fsync/fdatasync calls
# (strace with a seccomp filter, so the untraced calls run at full speed).
#
# Run it through `make bench-idle MINUTES=10`, which builds both programs and brings up a
# private Xvfb, D-Bus session and notification daemon (scripts/test-env.sh). Not in CI: it
# takes 2 × MINUTES and wants a machine with nothing else running.
set -euo pipefail

companion=$(readlink -f "$1")
empty=$(readlink -f "$2")
minutes=${3:-10}
secs=$((minutes * 60))
pass="idle bench passphrase"
log() { printf 'bench-idle: %s\n' "$*" >&2; }

for tool in strace xdotool; do
	command -v "$tool" >/dev/null || { log "$tool is missing (apt-get install $tool)"; exit 1; }
done
work=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

# A profile with one medicine due six hours from now: nothing is due while it is measured.
export COMPANION_DATA_DIR="$work/data"
at=$(date -d '+6 hours' +%H:%M)
COMPANION_PASSPHRASE=$pass "$companion" profile create Idle --no-keyring >/dev/null
COMPANION_PASSPHRASE=$pass "$companion" med add --name Bench --dose "1 tablet" --times "$at" >/dev/null
# Unlocked throughout, as measured: the idle lock would show the lock screen after 5 minutes,
# whose focused passphrase field blinks its cursor (Fyne redraws the window for it; see
# docs/PERFORMANCE.md). AUTO_LOCK=5 measures that instead.
COMPANION_PASSPHRASE=$pass "$companion" settings set auto_lock_minutes "${AUTO_LOCK:-0}" >/dev/null

# Private Fyne preferences and login entry for each program.
XDG_CONFIG_HOME="$work/cfg-c" strace -f --seccomp-bpf -qq -e trace=fsync,fdatasync \
	-o "$work/strace.txt" "$companion" 2>"$work/companion.log" &
pids+=($!)
XDG_CONFIG_HOME="$work/cfg-e" "$empty" 2>"$work/empty.log" &
pids+=($!)
empty_pid=$!

window() { # window TITLE-REGEX: the first viewable window with that title, waiting up to 60 s
	local id i
	for ((i = 0; i < 600; i++)); do
		id=$(xdotool search --onlyvisible --name "$1" 2>/dev/null | head -1) || true
		[ -n "$id" ] && { echo "$id"; return; }
		sleep 0.1
	done
	log "no window /$1/"; exit 1
}
win=$(window '^Patient Companion$')
ewin=$(window '^Empty window$')
xdotool windowfocus --sync "$win"
xdotool type --delay 20 "$pass"
xdotool key Return
window '^Idle — Patient Companion$' >/dev/null
companion_pid=$(pgrep -f -n -x "$companion") # strace's child, the app itself
log "unlocked; settling 20 s"
sleep 20

cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; } # clock ticks, user + system
fsyncs() { grep -c -E 'fsync|fdatasync' "$work/strace.txt" || true; }
hz=$(getconf CLK_TCK)
phase() {
	local name=$1 c0 e0 f0 c1 e1 f1
	c0=$(cpu "$companion_pid") e0=$(cpu "$empty_pid") f0=$(fsyncs)
	log "$name: $minutes min…"
	sleep "$secs"
	c1=$(cpu "$companion_pid") e1=$(cpu "$empty_pid") f1=$(fsyncs)
	awk -v n="$name" -v c=$((c1 - c0)) -v e=$((e1 - e0)) -v f=$((f1 - f0)) -v s="$secs" -v hz="$hz" 'BEGIN {
		printf "%-7s companion %.2f %%  empty window %.2f %%  difference %+.2f %% of a core  fsync+fdatasync %d\n",
			n, 100 * c / hz / s, 100 * e / hz / s, 100 * (c - e) / hz / s, f }'
}
phase shown
xdotool windowunmap --sync "$win"
xdotool windowunmap --sync "$ewin"
phase hidden
