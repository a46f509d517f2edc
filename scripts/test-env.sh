#!/usr/bin/env bash
# Usage: scripts/test-env.sh CMD [ARGS...]
#
# Runs CMD inside the test environment of DESIGN §8, bringing up only what is
# not already there, and returns CMD's exit code:
#   - LANG/LC_ALL=en_US.UTF-8 (Fyne logs an error for the C locale);
#   - a private, temporary XDG_DATA_HOME and XDG_RUNTIME_DIR (HOME is kept, so
#     the Go build and module caches stay where they are);
#   - an X display: the caller's DISPLAY if it answers, else a private Xvfb;
#   - a D-Bus session bus with the Secret Service (gnome-keyring, unlocked,
#     with a "login" collection) and a notification daemon (dunst): the
#     caller's bus if it already has both, else a private one from
#     dbus-run-session with its own keyring and dunst.
# Everything started here is stopped, and the temp dir removed, on exit,
# failure or interrupt (Ctrl-C, or a TERM to the process group as `timeout`
# sends; a TERM to this script's pid alone is acted on once CMD returns).
# Nested calls (COMPANION_TEST_ENV set) just run CMD. Needs no standard input.
# CMD also sees TEST_ENV_TMP, the temp dir (removed on exit).
# As root in a container, dbus-daemon prints "Failed to set fd limit to
# 65536: Operation not permitted": harmless.
#
# TEST_ENV_FRESH=1 ignores the caller's DISPLAY and session bus and starts
# private ones (e.g. to keep tests off a desktop's real keyring).
# TEST_ENV_VERBOSE=1 says what is started.
set -euo pipefail

SELF=$(readlink -f "${BASH_SOURCE[0]}")
LOCALE_NAME=en_US.UTF-8
KEYRING_PASSWORD=companion-test
WAIT_TRIES=200 # x 0.05 s = 10 s for each service to come up

log() { printf 'test-env: %s\n' "$*" >&2; }
vlog() { [ -z "${TEST_ENV_VERBOSE:-}" ] || log "$@"; }

# True when the session bus (DBUS_SESSION_BUS_ADDRESS) answers and NAME has an owner.
bus_has_name() {
	local reply
	reply=$(dbus-send --session --print-reply=literal --reply-timeout=2000 \
		--dest=org.freedesktop.DBus / org.freedesktop.DBus.NameHasOwner \
		"string:$1" 2>/dev/null) || return 1
	[[ "$reply" == *true* ]]
}

# Polls until the session bus has an owner for NAME; PID (optional) must stay alive.
wait_for_name() {
	local name=$1 pid=${2:-} i
	for ((i = 0; i < WAIT_TRIES; i++)); do
		bus_has_name "$name" && return 0
		if [ -n "$pid" ] && ! pid_alive "$pid"; then return 1; fi
		sleep 0.05
	done
	return 1
}

# Pid of the connection owning NAME on the session bus.
bus_name_pid() {
	dbus-send --session --print-reply=literal --reply-timeout=2000 \
		--dest=org.freedesktop.DBus / org.freedesktop.DBus.GetConnectionUnixProcessID \
		"string:$1" 2>/dev/null | awk '{print $NF}'
}

# Alive and not a zombie (a container's init may never reap orphans).
pid_alive() {
	local state
	kill -0 "$1" 2>/dev/null || return 1
	state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
	[ "$state" != Z ]
}

# TERM, then KILL after 2 s; only ever the pids this script started.
stop_pid() {
	local pid=$1 i
	[ -n "$pid" ] && pid_alive "$pid" || return 0
	kill -TERM "$pid" 2>/dev/null || true
	for ((i = 0; i < 40; i++)); do
		pid_alive "$pid" || break
		sleep 0.05
	done
	pid_alive "$pid" && kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null || true # reap it when it is our child
}

display_answers() { xdpyinfo -display "$1" >/dev/null 2>&1; }

# ---------------------------------------------------------------------------
# Inner stage: runs as the child of dbus-run-session, on a fresh private bus.
# ---------------------------------------------------------------------------
keyring_pid="" dunst_pid="" # globals: the EXIT trap runs after inner() returns
# shellcheck disable=SC2317 # invoked by trap
inner_cleanup() {
	stop_pid "$dunst_pid"
	stop_pid "$keyring_pid"
}
inner() {
	local out line rc

	trap inner_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM

	# gnome-keyring: --unlock reads the password on stdin and, in an empty
	# XDG_DATA_HOME, creates the "login" keyring with it (unlocked), which
	# go-keyring and libsecret's default alias both use. Without --unlock
	# writes fail ("failed to unlock correct collection").
	vlog "starting gnome-keyring-daemon"
	out=$(printf '%s' "$KEYRING_PASSWORD" |
		gnome-keyring-daemon --unlock --components=secrets 2>"$TEST_ENV_TMP/keyring.log") || {
		log "gnome-keyring-daemon failed:"; cat "$TEST_ENV_TMP/keyring.log" >&2; return 1
	}
	while IFS= read -r line; do
		[[ "$line" =~ ^[A-Z_][A-Z0-9_]*= ]] && export "${line?}"
	done <<<"$out"
	if ! wait_for_name org.freedesktop.secrets; then
		log "gnome-keyring did not register org.freedesktop.secrets:"
		cat "$TEST_ENV_TMP/keyring.log" >&2
		return 1
	fi
	keyring_pid=$(bus_name_pid org.freedesktop.secrets)

	# dunst needs the X display; -config /dev/null: built-in defaults, not
	# the developer's own dunstrc.
	vlog "starting dunst on $DISPLAY"
	dunst -config /dev/null >"$TEST_ENV_TMP/dunst.log" 2>&1 </dev/null &
	dunst_pid=$!
	if ! wait_for_name org.freedesktop.Notifications "$dunst_pid"; then
		log "dunst did not start:"; cat "$TEST_ENV_TMP/dunst.log" >&2
		return 1
	fi

	set +e
	"$@"
	rc=$?
	set -e
	return "$rc"
}

if [ "${_TEST_ENV_STAGE:-}" = inner ]; then
	unset _TEST_ENV_STAGE
	inner "$@"
	exit $?
fi

# ---------------------------------------------------------------------------
# Outer stage.
# ---------------------------------------------------------------------------
if [ "$#" -eq 0 ]; then
	echo "usage: $0 CMD [ARGS...]" >&2
	exit 2
fi

# Nested call (e.g. a test script that itself uses test-env.sh): all is up.
if [ -n "${COMPANION_TEST_ENV:-}" ]; then
	exec "$@"
fi

for tool in xdpyinfo Xvfb dbus-run-session dbus-send gnome-keyring-daemon dunst; do
	command -v "$tool" >/dev/null 2>&1 || {
		log "'$tool' not found: run 'make deps' (scripts/install-deps.sh) first"
		exit 127
	}
done

export LANG=$LOCALE_NAME LC_ALL=$LOCALE_NAME
if ! locale -a 2>/dev/null | grep -qix 'en_US\.utf-\?8'; then
	log "warning: locale $LOCALE_NAME is not generated; run 'make deps'"
fi

xvfb_pid=""
TEST_ENV_TMP=""
# shellcheck disable=SC2317 # invoked by trap
cleanup() {
	stop_pid "$xvfb_pid"
	if [ -n "$TEST_ENV_TMP" ]; then rm -rf "$TEST_ENV_TMP"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

TEST_ENV_TMP=$(mktemp -d "${TMPDIR:-/tmp}/companion-test-env.XXXXXX")
export TEST_ENV_TMP
mkdir -p "$TEST_ENV_TMP/data" "$TEST_ENV_TMP/run"
chmod 700 "$TEST_ENV_TMP" "$TEST_ENV_TMP/data" "$TEST_ENV_TMP/run"
export XDG_DATA_HOME="$TEST_ENV_TMP/data" XDG_RUNTIME_DIR="$TEST_ENV_TMP/run"

if [ -n "${TEST_ENV_FRESH:-}" ]; then
	unset DISPLAY DBUS_SESSION_BUS_ADDRESS
fi

# --- X display ---------------------------------------------------------------
if [ -n "${DISPLAY:-}" ] && display_answers "$DISPLAY"; then
	vlog "reusing DISPLAY=$DISPLAY"
else
	if [ -n "${DISPLAY:-}" ]; then
		log "DISPLAY=$DISPLAY does not answer; starting Xvfb instead"
	fi
	unset DISPLAY
	for n in $(seq 99 199); do
		# Skip displays in use (or left stale) by another server.
		if [ -e "/tmp/.X$n-lock" ] || [ -e "/tmp/.X11-unix/X$n" ]; then continue; fi
		Xvfb ":$n" -screen 0 1280x800x24 -nolisten tcp \
			>"$TEST_ENV_TMP/xvfb.log" 2>&1 </dev/null &
		xvfb_pid=$!
		for ((i = 0; i < WAIT_TRIES; i++)); do
			pid_alive "$xvfb_pid" || break
			if display_answers ":$n"; then
				export DISPLAY=":$n"
				break
			fi
			sleep 0.05
		done
		[ -n "${DISPLAY:-}" ] && break
		# Lost a race for :$n or did not come up: try the next number.
		stop_pid "$xvfb_pid"
		xvfb_pid=""
	done
	if [ -z "${DISPLAY:-}" ]; then
		log "could not start Xvfb:"; cat "$TEST_ENV_TMP/xvfb.log" >&2
		exit 1
	fi
	vlog "started Xvfb on DISPLAY=$DISPLAY (pid $xvfb_pid)"
fi

export COMPANION_TEST_ENV=1

# --- D-Bus session, keyring, notifications --------------------------------------
set +e
if [ -n "${DBUS_SESSION_BUS_ADDRESS:-}" ] &&
	bus_has_name org.freedesktop.secrets &&
	bus_has_name org.freedesktop.Notifications; then
	vlog "reusing session bus $DBUS_SESSION_BUS_ADDRESS"
	"$@"
else
	vlog "starting a private D-Bus session"
	unset DBUS_SESSION_BUS_ADDRESS
	_TEST_ENV_STAGE=inner dbus-run-session -- bash "$SELF" "$@"
fi
rc=$?
set -e
exit "$rc"
