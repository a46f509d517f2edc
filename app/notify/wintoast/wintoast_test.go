package wintoast

import (
	"os"
	"os/exec"
	"testing"
)

func TestParse(t *testing.T) {
	for args, want := range map[string]Click{"take:7": {ID: 7, Action: "take"}, "snooze:4294967295": {ID: 1<<32 - 1, Action: "snooze"}} {
		if got, ok := parse(args); !ok || got != want {
			t.Errorf("parse(%q) = %+v, %v", args, got, ok)
		}
	}
	for _, args := range []string{"", "take", "take:", ":7", "take:x", "take:4294967296"} {
		if got, ok := parse(args); ok {
			t.Errorf("parse(%q) = %+v, want nothing", args, got)
		}
	}
}

// TestCrossCompiles: the package builds and vets for Windows, where it does its work (it
// needs no cgo, so no Windows C compiler).
func TestCrossCompiles(t *testing.T) {
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command here")
	}
	cmd := exec.Command(gobin, "vet", ".")
	cmd.Env = append(os.Environ(), "GOOS=windows", "GOARCH=amd64", "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("GOOS=windows go vet: %v\n%s", err, out)
	}
}
