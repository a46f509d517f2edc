//go:build unix || windows

package single

import (
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

const childEnv = "SINGLE_TEST_CHILD_DIR"

func TestMain(m *testing.M) {
	if dir := os.Getenv(childEnv); dir != "" {
		in, err := Acquire(dir)
		switch {
		case errors.Is(err, ErrRunning):
			os.Stdout.WriteString("second\n")
			os.Exit(0)
		case err != nil:
			os.Stdout.WriteString("error: " + err.Error() + "\n")
			os.Exit(1)
		}
		os.Stdout.WriteString("first\n")
		<-in.Requests() // stay the instance until asked to show, or killed
		os.Stdout.WriteString("shown\n")
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func child(dir string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+dir)
	return cmd
}

func TestSecondLaunchHandsOver(t *testing.T) {
	dir := t.TempDir()
	in, err := Acquire(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := child(dir).Output()
	if err != nil || strings.TrimSpace(string(out)) != "second" {
		t.Fatalf("second launch: %q, %v", out, err)
	}
	select {
	case req := <-in.Requests():
		if req != "show" {
			t.Fatalf("request %q", req)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the first instance was not asked to show itself")
	}
	// Another data folder is another instance.
	other, err := Acquire(t.TempDir())
	if err != nil {
		t.Fatalf("another data folder: %v", err)
	}
	other.Close()
	// After Close, the folder is free again.
	in.Close()
	again, err := Acquire(dir)
	if err != nil {
		t.Fatalf("after close: %v", err)
	}
	again.Close()
}

func TestCrashedInstanceIsReplaced(t *testing.T) {
	dir := t.TempDir()
	cmd := child(dir)
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 6)
	if _, err := stdout.Read(buf); err != nil || string(buf) != "first\n" {
		t.Fatalf("child: %q %v", buf, err)
	}
	cmd.Process.Kill()
	cmd.Wait()
	// Its socket file is left behind; the lock went with the process.
	in, err := Acquire(dir)
	if err != nil {
		t.Fatalf("after the first instance crashed: %v", err)
	}
	in.Close()
}
