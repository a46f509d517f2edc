//go:build windows

package notify

import (
	"context"

	"github.com/patient-companion/companion/app/notify/wintoast"
)

// Platform is this system's notification server for reminders with buttons: Windows toasts
// (wintoast), whose buttons come back through COM activation.
func Platform(appName, icon string) Server {
	return toastServer{&wintoast.Server{AppName: appName, Icon: icon}}
}

// toastServer is a wintoast.Server as a notification server.
type toastServer struct{ s *wintoast.Server }

// Capabilities: toasts show a body and buttons.
func (toastServer) Capabilities(context.Context) ([]string, error) {
	return []string{"body", "actions"}, nil
}

// Send pushes a toast (a repeat comes as a new toast: Windows keeps them in the Action
// Centre, and the one answered first answers the dose).
func (t toastServer) Send(_ context.Context, m Message) (uint32, error) {
	return t.s.Send(m.Title, m.Body, m.Actions)
}

// Events are the toasts' buttons pressed (a toast that goes away says nothing).
func (t toastServer) Events(ctx context.Context) (<-chan Event, error) {
	clicks, err := t.s.Clicks(ctx)
	if err != nil {
		return nil, err
	}
	out := make(chan Event)
	go func() {
		defer close(out)
		for c := range clicks {
			select {
			case out <- Event{ID: c.ID, Action: c.Action}:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out, nil
}
