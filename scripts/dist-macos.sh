#!/usr/bin/env bash
# Usage, on a Mac: scripts/dist-macos.sh [CLINIC_JSON] [VERSION]   (make dist-macos CLINIC=... VERSION=...)
#
# Builds the macOS app for a clinic, signs it with the clinic's Developer ID, notarizes it
# with Apple, and writes dist/patient-companion-VERSION[-clinic]-macos.dmg and its checksum.
# Linux machines cannot do this (no macOS SDK, no codesign); see docs/CLINICS.md.
#
# Needs: macOS 12 or later with Xcode (or its command line tools), Go 1.26, and
#   MACOS_SIGN_IDENTITY  the signing identity, e.g. "Developer ID Application: Riverside Health (AB12CD34EF)"
#   NOTARY_PROFILE       a notarytool keychain profile, made once with
#                        xcrun notarytool store-credentials NAME --apple-id ... --team-id ... --password ...
# Without them it stops before signing and says what is missing (an unsigned app is refused
# by Gatekeeper on patients' Macs, so it is not written to dist/).
set -euo pipefail
cd "$(dirname "$0")/.."
CLINIC=${1:-}
VERSION=${2:-$(sed -n 's/^Version = "\(.*\)"/\1/p' FyneApp.toml)}
[[ "$VERSION" =~ ^[0-9]+(\.[0-9]+){0,2}$ ]] || { echo "dist-macos: VERSION must look like 1.2.3, not '$VERSION'" >&2; exit 2; }
[ "$(uname -s)" = Darwin ] || { echo "dist-macos: run this on a Mac (this is $(uname -s)); see docs/CLINICS.md" >&2; exit 2; }
for tool in go codesign xcrun hdiutil ditto shasum; do
	command -v "$tool" >/dev/null || { echo "dist-macos: $tool is missing: install Xcode and Go 1.26" >&2; exit 2; }
done
: "${MACOS_SIGN_IDENTITY:?set MACOS_SIGN_IDENTITY to your Developer ID Application identity (security find-identity -v -p codesigning lists them)}"
: "${NOTARY_PROFILE:?set NOTARY_PROFILE to a notarytool keychain profile (xcrun notarytool store-credentials)}"

rev=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
[ -z "$(git status --porcelain 2>/dev/null | grep -v '^??')" ] || rev="$rev-dirty"
ldflags="-s -w -X main.version=$VERSION -X main.buildRevision=$rev"
prov=clinic/provisioned
cleanup() { find "$prov" -mindepth 1 ! -name README.md -delete; }
work=$(mktemp -d)
cp FyneApp.toml "$work/FyneApp.toml"
trap 'cleanup; cp "$work/FyneApp.toml" FyneApp.toml; rm -rf "$work"' EXIT
cleanup
suffix=""
if [ -n "$CLINIC" ]; then
	go run ./clinic/cmd/clinic-check "$CLINIC"
	cp "$CLINIC" "$prov/clinic.json"
	logo=$(sed -n 's/.*"logo"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' "$CLINIC" | head -n 1)
	[ -z "$logo" ] || cp "$(dirname "$CLINIC")/$logo" "$prov/$(basename "$logo")"
	suffix="-$(basename "$(dirname "$CLINIC")")"
fi

# A universal binary: Intel and Apple silicon Macs.
for arch in amd64 arm64; do
	CGO_ENABLED=1 GOOS=darwin GOARCH=$arch go build -trimpath -ldflags "$ldflags" -o "$work/companion-$arch" .
done
lipo -create -output "$work/companion" "$work/companion-amd64" "$work/companion-arm64"
go run fyne.io/tools/cmd/fyne@v1.7.4 package --target darwin --exe "$work/companion" --name "Patient Companion" \
	--app-id org.patientcompanion.companion --icon assets/icon.png --app-version "$VERSION" --release
app="Patient Companion.app"
[ -d "$app" ] || { echo "dist-macos: fyne package made no $app" >&2; exit 1; }
mv "$app" "$work/"
app="$work/$app"

# Hardened runtime and a secure timestamp: both required for notarization.
codesign --force --deep --options runtime --timestamp --sign "$MACOS_SIGN_IDENTITY" "$app"
codesign --verify --deep --strict --verbose=2 "$app"
ditto -c -k --keepParent "$app" "$work/notarize.zip"
xcrun notarytool submit "$work/notarize.zip" --keychain-profile "$NOTARY_PROFILE" --wait
xcrun stapler staple "$app"
spctl --assess --type execute --verbose "$app"

mkdir -p dist
dmg="dist/patient-companion-$VERSION$suffix-macos.dmg"
rm -f "$dmg"
hdiutil create -volname "Patient Companion" -srcfolder "$app" -ov -format UDZO "$dmg"
codesign --force --timestamp --sign "$MACOS_SIGN_IDENTITY" "$dmg"
(cd dist && shasum -a 256 "$(basename "$dmg")" >>SHA256SUMS)
echo "dist-macos: wrote $dmg (signed, notarized, stapled)"
