#!/usr/bin/env bash
# make dist-check: builds the example clinic's packages with make dist and checks them:
# the Linux tar.xz holds the binary, .desktop file, icon and autostart entry; the packaged
# binary reports the clinic (about --json); the Windows installer's signature verifies; the
# checksums match. .ci/run runs it after the tests: a cold build of both packages takes about
# 12 minutes on these 2-core machines (a warm one about 1.5 minutes); see docs/CLINICS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
version=0.0.1
# The Mac script cannot run here; at least it must parse.
bash -n scripts/dist-macos.sh
make --no-print-directory dist CLINIC=clinics/example/clinic.json VERSION=$version
tarball=dist/patient-companion-$version-example-linux-amd64.tar.xz
setup=dist/patient-companion-$version-example-windows-amd64-setup.exe
fail() { echo "dist-check: $*" >&2; exit 1; }
contents=$(tar -tJf "$tarball")
for want in ./companion/usr/local/bin/companion ./companion/usr/local/share/applications/org.patientcompanion.companion.desktop \
	./companion/usr/local/share/pixmaps/org.patientcompanion.companion.png ./etc/xdg/autostart/org.patientcompanion.companion.desktop; do
	grep -qxF "$want" <<<"$contents" || fail "$tarball lacks $want"
done
x=$(mktemp -d)
trap 'rm -rf "$x"' EXIT
tar -xJf "$tarball" -C "$x"
about=$("$x/companion/usr/local/bin/companion" --data-dir "$x/data" about --json)
grep -q '"clinic": "Riverside Health Centre"' <<<"$about" || fail "the packaged binary does not report the clinic: $about"
grep -q '"hide_medicine_names"' <<<"$about" || fail "the packaged binary does not report the locked setting: $about"
grep -q "\"version\": \"$version\"" <<<"$about" || fail "the packaged binary does not report version $version"
osslsigncode verify -in "$setup" >"$x/verify.log" 2>&1 || true
grep -q "Message digest algorithm  : SHA256" "$x/verify.log" || fail "$setup is not signed"
(cd dist && sha256sum --quiet -c SHA256SUMS) || fail "checksums do not match"
echo "dist-check: ok ($tarball, $setup)"
