// Package wintoast shows Windows toasts with buttons and hands back the buttons pressed
// (git.sr.ht/~jackmordaunt/go-toast, through the Windows Runtime's COM API: COM activation
// calls the running app back). It depends on nothing of ours, so that it cross-compiles
// without cgo: `GOOS=windows go vet ./app/notify/wintoast` (TestCrossCompiles). app/notify
// wraps it as its Windows notification server (platform_windows.go). On other systems the
// functions build but do nothing (go-toast stubs them).
package wintoast

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"

	"git.sr.ht/~jackmordaunt/go-toast"
)

// GUID names this app's COM class for toast activation: Windows calls it back, in the
// running app, when a toast's button is pressed. Our own, so that another program made with
// go-toast (whose default GUID is shared) never gets our clicks.
const GUID = "{790D0B7A-893E-4C1F-979D-4FA538A92554}"

// Click is a button pressed on a toast: the action's key and the toast's id.
type Click struct {
	ID     uint32
	Action string
}

// Server shows toasts. The app runs all day (it lives in the tray), so a click finds it
// running; a toast clicked after the app quit starts nothing (there is no -Embedding
// handling): the dose is asked about again in the reminder window at the next start.
type Server struct {
	AppName string
	Icon    string // an absolute path to a PNG, or ""

	mu    sync.Mutex
	next  uint32
	once  sync.Once
	setup error
}

// register tells Windows (in the current user's registry) about the app and its
// activation class, once.
func (s *Server) register() error {
	s.once.Do(func() {
		exe, _ := os.Executable()
		s.setup = toast.SetAppData(toast.AppData{AppID: s.AppName, GUID: GUID, IconPath: s.Icon, ActivationExe: exe})
	})
	return s.setup
}

// Send pushes a toast with actions (key, label, key, label…) and returns its id. Each
// button carries "key:id", which the activation callback reads back.
func (s *Server) Send(title, body string, actions []string) (uint32, error) {
	if err := s.register(); err != nil {
		return 0, fmt.Errorf("register for notifications: %w", err)
	}
	s.mu.Lock()
	s.next++
	id := s.next
	s.mu.Unlock()
	n := toast.Notification{AppID: s.AppName, Title: title, Body: body, Icon: s.Icon,
		Duration: toast.Long, Audio: toast.Reminder, ActivationType: toast.Foreground}
	for i := 0; i+1 < len(actions); i += 2 {
		n.Actions = append(n.Actions, toast.Action{Type: toast.Foreground, Content: actions[i+1],
			Arguments: actions[i] + ":" + strconv.FormatUint(uint64(id), 10)})
	}
	if err := n.Push(); err != nil {
		return 0, fmt.Errorf("show toast: %w", err)
	}
	return id, nil
}

// Clicks delivers the buttons pressed until ctx ends. go-toast has one activation callback
// per process; this sets it.
func (s *Server) Clicks(ctx context.Context) (<-chan Click, error) {
	if err := s.register(); err != nil {
		return nil, fmt.Errorf("register for notifications: %w", err)
	}
	out := make(chan Click)
	var mu sync.Mutex // held while a click is handed over, so out closes after it
	done := false
	toast.SetActivationCallback(func(args string, _ []toast.UserData) {
		c, ok := parse(args)
		if !ok {
			return // the toast itself was clicked, not a button: nothing to answer
		}
		mu.Lock()
		defer mu.Unlock()
		if done {
			return
		}
		select {
		case out <- c:
		case <-ctx.Done():
		}
	})
	go func() {
		<-ctx.Done()
		mu.Lock()
		done = true
		close(out)
		mu.Unlock()
	}()
	return out, nil
}

// parse reads a button's arguments, "key:id".
func parse(args string) (Click, bool) {
	key, num, ok := strings.Cut(args, ":")
	id, err := strconv.ParseUint(num, 10, 32)
	if !ok || err != nil || key == "" {
		return Click{}, false
	}
	return Click{ID: uint32(id), Action: key}, true
}
