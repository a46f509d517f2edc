#!/usr/bin/env bash
# Usage: scripts/dist.sh [CLINIC_JSON] [VERSION]   (make dist CLINIC=... VERSION=...)
#
# Builds the Linux package into dist/: a tar.xz made by `fyne package` (binary, .desktop
# file, icon, and an XDG autostart entry so reminders start at login), with the clinic's
# settings built in when a clinic file is given. The clinic file is validated first and its
# files are removed from clinic/provisioned/ afterwards, even on failure.
# Windows and macOS packages are issue 6's remaining work (docs/CLINICS.md).
set -euo pipefail
cd "$(dirname "$0")/.."
CLINIC=${1:-}
VERSION=${2:-$(sed -n 's/^Version = "\(.*\)"/\1/p' FyneApp.toml)}
[[ "$VERSION" =~ ^[0-9]+(\.[0-9]+){0,2}$ ]] || { echo "dist: VERSION must look like 1.2.3, not '$VERSION'" >&2; exit 2; }
export PATH="$PATH:/usr/local/go/bin"

prov=clinic/provisioned
cleanup() { find "$prov" -mindepth 1 ! -name README.md -delete; }
trap cleanup EXIT
cleanup
suffix=""
if [ -n "$CLINIC" ]; then
	go run ./clinic/cmd/clinic-check "$CLINIC"
	cp "$CLINIC" "$prov/clinic.json"
	logo=$(sed -n 's/.*"logo"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' "$CLINIC" | head -n 1)
	[ -z "$logo" ] || cp "$(dirname "$CLINIC")/$logo" "$prov/$(basename "$logo")"
	suffix="-$(basename "$(dirname "$(readlink -f "$CLINIC")")")"
fi

mkdir -p dist
work=$(mktemp -d)
# fyne package bumps the build number in FyneApp.toml; a dist build leaves the tree as it was.
cp FyneApp.toml "$work/FyneApp.toml"
trap 'cleanup; cp "$work/FyneApp.toml" FyneApp.toml; rm -rf "$work"' EXIT
go build -trimpath -ldflags "-s -w -X main.version=$VERSION" -o "$work/companion" .
# `go run pkg@version`, not a `tool` line in go.mod: fyne.io/tools v1.7.4 requires fyne v2.8,
# which would move the app itself off v2.7.1.
go run fyne.io/tools/cmd/fyne@v1.7.4 package --target linux --exe "$work/companion" --name "Patient Companion" \
	--app-id org.patientcompanion.companion --icon assets/icon.png --app-version "$VERSION" --release
tarball="Patient Companion.tar.xz"
[ -f "$tarball" ] || { echo "dist: fyne package made no $tarball" >&2; exit 1; }
mkdir "$work/tree"
tar -xJf "$tarball" -C "$work/tree"
rm -f "$tarball"
mkdir -p "$work/tree/etc/xdg/autostart"
cat >"$work/tree/etc/xdg/autostart/org.patientcompanion.companion.desktop" <<'DESKTOP'
[Desktop Entry]
Type=Application
Name=Patient Companion
Comment=Medicine reminders and health journal
Exec=companion --background
Icon=org.patientcompanion.companion
Terminal=false
X-GNOME-Autostart-enabled=true
DESKTOP
out="dist/patient-companion-$VERSION$suffix-linux-amd64.tar.xz"
tar -cJf "$out" -C "$work/tree" .
echo "dist: $out"
tar -tJf "$out" | sed 's/^/  /'
