#!/usr/bin/env bash
# Usage: scripts/dist.sh [CLINIC_JSON] [VERSION]   (make dist CLINIC=... VERSION=...)
#
# Builds into dist/, with the clinic's settings built in when a clinic file is given:
#  - Linux: a tar.xz made by `fyne package` (binary, .desktop file, icon) plus an XDG
#    autostart entry, so reminders start at login;
#  - Windows (DIST_WINDOWS=0 skips it): the window (companion.exe) and a console
#    companion-cli.exe cross-built with mingw-w64, an NSIS installer (Start menu, uninstaller
#    that keeps patients' data, silent /S), all three signed with osslsigncode and verified.
#    The certificate and key come from SIGN_CERT and SIGN_KEY (PEM; SIGN_KEY_PASS if the key
#    is encrypted); without them a throw-away TEST certificate is made and the script says so;
#  - SHA256SUMS over what it made.
# The clinic file is validated first and its files are removed from clinic/provisioned/
# afterwards, even on failure. macOS must be built on a Mac: docs/CLINICS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
CLINIC=${1:-}
VERSION=${2:-$(sed -n 's/^Version = "\(.*\)"/\1/p' FyneApp.toml)}
[[ "$VERSION" =~ ^[0-9]+(\.[0-9]+){0,2}$ ]] || { echo "dist: VERSION must look like 1.2.3, not '$VERSION'" >&2; exit 2; }
export PATH="$PATH:/usr/local/go/bin"
rev=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
[ -z "$(git status --porcelain 2>/dev/null | grep -v '^??')" ] || rev="$rev-dirty"
ldflags="-s -w -X main.version=$VERSION -X main.buildRevision=$rev"

prov=clinic/provisioned
cleanup() { find "$prov" -mindepth 1 ! -name README.md -delete; }
trap cleanup EXIT
cleanup
suffix=""
clinic_name="Patient Companion"
if [ -n "$CLINIC" ]; then
	clinic_name=$(go run ./clinic/cmd/clinic-check -name "$CLINIC")
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
go build -trimpath -ldflags "$ldflags" -o "$work/companion" .
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
made=("$out")

if [ "${DIST_WINDOWS:-1}" != 0 ]; then
	for tool in x86_64-w64-mingw32-gcc makensis osslsigncode openssl; do
		command -v "$tool" >/dev/null || { echo "dist: $tool is missing: run scripts/install-deps.sh --dist" >&2; exit 1; }
	done
	win="$work/windows"
	mkdir -p "$win"
	export CC=x86_64-w64-mingw32-gcc CGO_ENABLED=1 GOOS=windows GOARCH=amd64
	go build -trimpath -ldflags "$ldflags -H windowsgui" -o "$win/companion.unsigned.exe" .
	go build -trimpath -ldflags "$ldflags" -o "$win/companion-cli.unsigned.exe" .
	unset CC CGO_ENABLED GOOS GOARCH
	convert assets/icon.png -define icon:auto-resize=256,64,48,32,16 "$win/companion.ico"

	cert=${SIGN_CERT:-} key=${SIGN_KEY:-}
	if [ -z "$cert" ] || [ -z "$key" ]; then
		cert="$work/test-cert.pem" key="$work/test-key.pem"
		cat >&2 <<WARN
########################################################################################
# dist: NO SIGNING CERTIFICATE GIVEN (SIGN_CERT and SIGN_KEY are not set).             #
# Signing with a THROW-AWAY TEST CERTIFICATE made just now. Windows will warn people   #
# that the publisher is unknown. Do NOT hand these Windows files to patients.          #
########################################################################################
WARN
		openssl req -x509 -newkey rsa:3072 -nodes -keyout "$key" -out "$cert" -days 7 \
			-subj "/CN=Patient Companion TEST ONLY/O=${clinic_name//\//-}" \
			-addext "extendedKeyUsage=codeSigning" -addext "keyUsage=critical,digitalSignature" 2>/dev/null
	fi
	pass=()
	[ -z "${SIGN_KEY_PASS:-}" ] || pass=(-pass "$SIGN_KEY_PASS")
	sign() { # in out
		osslsigncode sign -certs "$cert" -key "$key" "${pass[@]}" -h sha256 -n "Patient Companion" \
			-in "$1" -out "$2" >/dev/null
		osslsigncode verify -CAfile "$cert" -in "$2" >"$work/verify.log" 2>&1 ||
			{ cat "$work/verify.log" >&2; echo "dist: signature of $2 does not verify" >&2; exit 1; }
	}
	sign "$win/companion.unsigned.exe" "$win/companion.exe"
	sign "$win/companion-cli.unsigned.exe" "$win/companion-cli.exe"
	v4=$VERSION
	while [ "$(tr -cd . <<<"$v4" | wc -c)" -lt 3 ]; do v4="$v4.0"; done
	makensis -V2 -DVERSION="$VERSION" -DVERSION4="$v4" -DCLINIC="$clinic_name" -DSRC="$win" \
		-DOUT="$win/installer.unsigned.exe" packaging/windows/installer.nsi
	inst="dist/patient-companion-$VERSION$suffix-windows-amd64-setup.exe"
	sign "$win/installer.unsigned.exe" "$inst"
	echo "dist: $inst (app, console CLI and installer signed and verified)"
	made+=("$inst")
fi
(cd dist && sha256sum "${made[@]#dist/}" >SHA256SUMS)
echo "dist: dist/SHA256SUMS"
