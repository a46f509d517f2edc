#!/usr/bin/env bash
# scripts/upgrade-fixture.sh REV NAME: builds the app as it was at git revision REV and
# has it write a profile full of synthetic data into testdata/upgrade/NAME/, with what
# that build's command line printed about it (expected/*.json). TestUpgradeFixtures then
# opens every fixture with the current build and checks nothing was lost: run this for
# each release, so the next one is tested against the data it will find on patients' disks.
set -euo pipefail
cd "$(dirname "$0")/.."
rev=${1:?usage: scripts/upgrade-fixture.sh REV NAME}
name=${2:?usage: scripts/upgrade-fixture.sh REV NAME}
out=testdata/upgrade/$name
[ ! -e "$out" ] || { echo "upgrade-fixture: $out exists; remove it first" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'git worktree remove --force "$tmp/src" 2>/dev/null || true; rm -rf "$tmp"' EXIT
git worktree add -q --detach "$tmp/src" "$rev"
(cd "$tmp/src" && go build -o "$tmp/companion" .)
mkdir -p "$out/data" "$out/expected"
export TZ=UTC COMPANION_DATA_DIR=$PWD/$out/data COMPANION_PASSPHRASE="upgrade fixture passphrase"
c() { "$tmp/companion" --profile Fixture "$@"; }
has() { "$tmp/companion" help 2>&1 | grep -q "^  $1"; }

"$tmp/companion" profile create Fixture --no-keyring --json >"$tmp/created.json"
# The recovery key, so the test can check it still opens the profile after the upgrade.
sed -n 's/.*"recovery_key": *"\([^"]*\)".*/\1/p' "$tmp/created.json" >"$out/recovery-key"
[ -s "$out/recovery-key" ] || { echo "upgrade-fixture: no recovery key in: $(cat "$tmp/created.json")" >&2; exit 1; }
c symptom add --name "Headache" --severity 4 --at 2026-03-01T09:15:00Z --duration 2h --note "After a short night"
c symptom add --name "Dizziness" --severity 7 --at 2026-03-02T18:40:00Z
c symptom add --name "Swollen ankles" --severity 2 --at 2026-03-03T07:05:00Z --note "Better after walking"
c med add --name Metformin --strength "500 mg" --dose "1 tablet" --instructions "with food" --times 08:00,20:00 --start 2026-03-01
c med add --name Paracetamol --strength "500 mg" --dose "2 tablets" --as-needed
c med add --name Prednisolone --strength "5 mg" --dose "4 tablets" --times 09:00 --start 2026-03-01 --end 2026-03-07
if has "med step add"; then
	id=$(c --json med list | sed -n 's/.*"id": *"\([^"]*\)".*"name": *"Prednisolone".*/\1/p; s/.*"name": *"Prednisolone".*"id": *"\([^"]*\)".*/\1/p' | head -1)
	[ -n "$id" ] || id=$(c --json med list | python3 -c 'import json,sys; print([m["id"] for m in json.load(sys.stdin) if m["name"]=="Prednisolone"][0])')
	c med step add "$id" --times 09:00 --start 2026-03-08 --end 2026-03-14 --dose "2 tablets"
	met=$(c --json med list | python3 -c 'import json,sys; print([m["id"] for m in json.load(sys.stdin) if m["name"]=="Metformin"][0])')
	c med take "$met" --at 2026-03-01T08:05:00Z
	c med skip "$met" --at 2026-03-01T20:00:00Z
fi
if has "appointment add"; then
	c appointment add --at 2026-03-20T10:30:00Z --title "Diabetes review" --location "Health centre, room 4"
	c note add "Ask about the evening dose"
	c settings set snooze_minutes 15
	c settings set auto_lock_minutes 10
fi
# What this build says about its data: the new build must say the same.
c --json journal list --since 2026-01-01T00:00:00Z >"$out/expected/journal.json"
c --json med list >"$out/expected/meds.json"
if has "appointment add"; then
	c --json appointment list >"$out/expected/appointments.json"
	c --json note list >"$out/expected/notes.json"
	c --json settings get >"$out/expected/settings.json"
fi
git rev-parse "$rev" >"$out/revision"
echo "upgrade-fixture: wrote $out from $(cat "$out/revision")"
