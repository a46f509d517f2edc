#!/usr/bin/env bash
# Usage: scripts/test-env.sh scripts/screenshots.sh [OUT_DIR]   (or: make screenshots)
#
# Writes the README's screenshots, OUT_DIR/<variant>-<screen>.png (default docs/screenshots),
# from the real window under X: one demo profile ("Margaret", synthetic data only, in a
# temporary data folder that is deleted afterwards), opened once per variant, its unlock
# screen and then —
#   light     every screen (Readings too; Appointments also scrolled down)   dark   Today, Journal, Medicines, Settings
#   contrast  high contrast (light), every screen   large  200 % text (light), every screen
# (every screen: the Health record twice, at its top and scrolled down to the results).
# Light and dark are forced with Fyne's FYNE_THEME; high contrast and text size are the
# app's own preferences, written into a private XDG_CONFIG_HOME before it starts, exactly as
# the Settings screen saves them, so the app needs no flag for this.
#
# Needs an X display, xdotool and ImageMagick (scripts/install-deps.sh installs them);
# run it through scripts/test-env.sh, which also provides the keyring and D-Bus.
#   es, de    Spanish and German (the language chosen on this computer, computer.json in the
#             data folder, as the Settings screen saves it), every screen
#   de-large  German at 200 % text, the screens with the longest words
# SCREENSHOT_VARIANTS="dark large" takes only those variants.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=${1:-$ROOT/docs/screenshots}
APP_ID=org.patientcompanion.companion # main.go AppID: names Fyne's preferences folder
NAME=Margaret
PASSPHRASE="screenshots only"

log() { printf 'screenshots: %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

[ -n "${DISPLAY:-}" ] || die "no DISPLAY: run it as: scripts/test-env.sh $0"
for tool in xdotool import compare convert identify; do
	command -v "$tool" >/dev/null 2>&1 || die "'$tool' not found: run 'make deps' first"
done
export PATH="$PATH:/usr/local/go/bin"

# Under the test environment's temp dir when there is one, so its cleanup covers a kill -9.
WORK=$(mktemp -d "${TEST_ENV_TMP:-${TMPDIR:-/tmp}}/screenshots.XXXXXX")
app_pid=""
# shellcheck disable=SC2317 # invoked by trap
cleanup() {
	if [ -n "$app_pid" ]; then
		kill "$app_pid" 2>/dev/null || true
		wait "$app_pid" 2>/dev/null || true
	fi
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

log "building"
(cd "$ROOT" && go build -o "$WORK/companion" .)
BIN=$WORK/companion
DATA=$WORK/data

# A passphrase profile (not the keyring): the window then always opens on the unlock screen,
# which is typed into, the same on every machine.
COMPANION_DATA_DIR=$DATA COMPANION_PASSPHRASE=$PASSPHRASE \
	"$BIN" profile create "$NAME" --no-keyring --demo >/dev/null

# wait_window PATTERN SECONDS: prints the id of the visible window whose name matches.
wait_window() {
	local pattern=$1 tries=$(($2 * 10)) ids
	for ((i = 0; i < tries; i++)); do
		ids=$(xdotool search --onlyvisible --name "$pattern" 2>/dev/null || true)
		if [ -n "$ids" ]; then
			head -n1 <<<"$ids"
			return 0
		fi
		pid_alive "$app_pid" || die "the app exited: $(tail -n 20 "$WORK/app.log")"
		sleep 0.1
	done
	die "no window named '$pattern' within $2 s: $(tail -n 20 "$WORK/app.log")"
}

pid_alive() { kill -0 "$1" 2>/dev/null; }

# grab WIN FILE: the window's pixels (not the whole screen) as a PPM. A desktop notification
# (the demo's refill reminder) would cover the window's corner: closed first.
grab() {
	if command -v dunstctl >/dev/null 2>&1; then dunstctl close-all 2>/dev/null || true; fi
	import -window "$1" "ppm:$2"
}

# differ A B: the number of pixels that differ between two pictures of the same size; a
# large number when the sizes differ (the window grew).
differ() {
	local n
	# compare prints the count on stderr and exits 1 when they differ (2 on a size mismatch).
	n=$(compare -metric AE "$1" "$2" null: 2>&1 || true)
	n=${n%% *}
	if [[ "$n" =~ ^[0-9]+$ ]]; then echo "$n"; else echo 999999; fi
}

# changed WIN FILE BEFORE: grabs until the window differs from BEFORE (the screen a shortcut
# left) in a noticeable area, at most 10 s, so a slow switch is not taken for a still screen.
changed() {
	local win=$1 file=$2 before=$3
	for ((i = 0; i < 50; i++)); do
		grab "$win" "$file"
		[ "$(differ "$before" "$file")" -lt 2000 ] || return 0
		sleep 0.2
	done
	log "warning: the screen did not change"
}

# settle WIN FILE: grabs until three grabs in a row differ in fewer than 200 pixels (a blinking
# text cursor is allowed to differ; a list filling in from disk is not; "Loading…" can stay
# still for one interval on a busy machine), at most 15 s.
settle() {
	local win=$1 file=$2 prev=$WORK/prev.ppm still=0
	grab "$win" "$prev"
	for ((i = 0; i < 50; i++)); do
		sleep 0.3
		grab "$win" "$file"
		if [ "$(differ "$prev" "$file")" -lt 200 ]; then
			still=$((still + 1))
			[ "$still" -ge 2 ] && return 0
		else
			still=0
		fi
		mv "$file" "$prev"
	done
	log "warning: the window kept changing; keeping the last picture"
	mv "$prev" "$file"
}

# save PPM NAME: OUT/NAME.png. -strip and no date chunks: the same pixels give the same file,
# so git sees only real changes.
save() {
	convert "$1" -strip -define png:exclude-chunks=date,time "$OUT/$2.png"
	log "$2 ($(identify -format '%wx%h' "$1"))"
}

# shoot VARIANT FYNE_THEME PREFS_JSON SCREEN...: one app start, a picture of each screen.
# A screen is "N:name", N its Ctrl+N shortcut; "down:name" is the screen on show scrolled down
# to its end; "wN:name" the screen on show scrolled down N mouse-wheel clicks (the Health
# record's results, below its first page).
shoot() {
	local variant=$1 fyne_theme=$2 prefs=$3 win spec key name
	shift 3
	local cfg=$WORK/config-$variant
	mkdir -p "$cfg/fyne/$APP_ID"
	printf '%s\n' "$prefs" >"$cfg/fyne/$APP_ID/preferences.json"

	log "$variant: starting"
	# No passphrase in the environment: it is typed, as a person would.
	env FYNE_THEME="$fyne_theme" XDG_CONFIG_HOME="$cfg" COMPANION_DATA_DIR="$DATA" \
		COMPANION_PASSPHRASE= "$BIN" >"$WORK/app.log" 2>&1 &
	app_pid=$!
	win=$(wait_window 'Patient Companion$' 60)
	# The pointer in the screen's corner, off the window even when it grows to the screen's
	# width, so no button shows its hover colour.
	xdotool mousemove 1279 799
	# The unlock screen replaces "Opening…" once the profiles are listed: type into it only
	# when it is there and still.
	settle "$win" "$WORK/unlock.ppm"
	save "$WORK/unlock.ppm" "$variant-unlock"
	xdotool windowfocus --sync "$win"
	xdotool type --delay 20 "$PASSPHRASE"
	xdotool key Return
	win=$(wait_window "^$NAME .+ Patient Companion$" 30)
	grab "$win" "$WORK/before.ppm"

	for spec in "$@"; do
		key=${spec%%:*} name=${spec#*:}
		if [ "$key" = down ]; then
			# The screen on show, scrolled down with the wheel over its left margin (over a text
			# field the field would take the wheel), then the
			# pointer back in the corner: the parts of a long screen below the fold.
			xdotool mousemove --window "$win" 216 400 click --repeat 22 --delay 20 5
			xdotool mousemove 1279 799
			changed "$win" "$WORK/shot.ppm" "$WORK/before.ppm"
			settle "$win" "$WORK/shot.ppm"
			cp "$WORK/shot.ppm" "$WORK/before.ppm"
			save "$WORK/shot.ppm" "$variant-$name"
			continue
		fi
		if [[ "$key" == w* ]]; then
			xdotool mousemove --window "$win" 600 400
			xdotool click --repeat "${key#w}" --delay 40 5
			xdotool mousemove 1279 799
		else
			xdotool key "ctrl+$key"
		fi
		# Today is already on show after unlocking: nothing to wait for but the list.
		[ "$key" = 1 ] || changed "$win" "$WORK/shot.ppm" "$WORK/before.ppm"
		settle "$win" "$WORK/shot.ppm"
		cp "$WORK/shot.ppm" "$WORK/before.ppm"
		save "$WORK/shot.ppm" "$variant-$name"
	done

	kill "$app_pid"
	wait "$app_pid" 2>/dev/null || true
	app_pid=""
}

# want VARIANT: SCREENSHOT_VARIANTS (e.g. "dark large") narrows the run; default all.
want() { [[ " ${SCREENSHOT_VARIANTS:-light dark contrast large es de de-large} " == *" $1 "* ]]; }

# speaking CODE: from now on a data folder whose computer speaks CODE (as the Settings screen
# saves it, computer.json) and whose demo profile was made in that language.
speaking() {
	DATA=$WORK/data-$1
	if [ ! -d "$DATA" ]; then
		mkdir -p "$DATA"
		printf '{"language":"%s"}\n' "$1" >"$DATA/computer.json"
		COMPANION_DATA_DIR=$DATA COMPANION_PASSPHRASE=$PASSPHRASE \
			"$BIN" profile create "$NAME" --no-keyring --demo >/dev/null
	fi
}

mkdir -p "$OUT"
# The login entry the app writes at start goes into the private config folder, deleted after.
want light && shoot light light '{}' \
	1:today 2:journal 3:medicines 4:appointments down:appointments-lower 5:messages 6:settings 7:record w78:record-results 8:readings
want dark && shoot dark dark '{}' \
	1:today 2:journal 3:medicines 6:settings 7:record
want contrast && shoot contrast light '{"theme.contrast": true}' \
	1:today 2:journal 3:medicines 4:appointments 5:messages 6:settings 7:record w78:record-results 8:readings
want large && shoot large light '{"text.scale": 2}' \
	1:today 2:journal 3:medicines 4:appointments 5:messages 6:settings 7:record w150:record-results 8:readings
if want es; then
	speaking es
	shoot es light '{}' 1:today 2:journal 3:medicines 4:appointments 5:messages 6:settings 7:record w78:record-results 8:readings
fi
if want de; then
	speaking de
	shoot de light '{}' 1:today 2:journal 3:medicines 4:appointments 5:messages 6:settings 7:record w78:record-results 8:readings
fi
if want de-large; then
	speaking de
	shoot de-large light '{"text.scale": 2}' 1:today 3:medicines 4:appointments 6:settings 7:record 8:readings
fi
log "written to $OUT"
