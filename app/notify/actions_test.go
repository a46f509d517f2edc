package notify

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/patient-companion/companion/app/remind"
)

// fakeServer is a notification server without a bus.
type fakeServer struct {
	caps   []string
	capErr error
	mu     sync.Mutex
	sent   []fakeSent
	events chan Event
}

type fakeSent struct {
	title    string
	actions  []string
	replaces uint32
}

func (f *fakeServer) Capabilities(context.Context) ([]string, error) { return f.caps, f.capErr }

func (f *fakeServer) Send(_ context.Context, m Message) (uint32, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sent = append(f.sent, fakeSent{m.Title, m.Actions, m.Replaces})
	return uint32(len(f.sent)), nil
}

func (f *fakeServer) Events(ctx context.Context) (<-chan Event, error) { return f.events, nil }

// TestCenterRoutesActions: a notification about doses gets Take and Snooze when the server
// has actions, and the button chosen reaches OnAction with the doses, once; a notification
// closed, or one of another program, reaches nothing.
func TestCenterRoutesActions(t *testing.T) {
	ctx := context.Background()
	srv := &fakeServer{caps: []string{"body", "actions"}, events: make(chan Event)}
	type call struct {
		action string
		doses  []Dose
	}
	got := make(chan call, 4)
	c := &Center{Server: srv, OnAction: func(a string, d []Dose) { got <- call{a, d} }}
	done := make(chan error)
	go func() { done <- c.Run(ctx) }()

	dose := Dose{Profile: "p1", Occurrence: remind.Occurrence{MedicationID: "m1", At: time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)}}
	with, err := c.Show(ctx, "Time for your 08:00 medicine", "", []Dose{dose})
	if err != nil || !with {
		t.Fatalf("Show: %v, %v", with, err)
	}
	if a := srv.sent[0].actions; len(a) != 4 || a[0] != ActionTake || a[2] != ActionSnooze {
		t.Fatalf("actions sent %q", a)
	}
	// Only words (a test reminder, an appointment): no buttons.
	if with, err := c.Show(ctx, "Appointment at 10:30", "", nil); err != nil || with || srv.sent[1].actions != nil {
		t.Fatalf("a notice without doses: %v, %v, %q", with, err, srv.sent[1].actions)
	}
	srv.events <- Event{ID: 99, Action: ActionTake} // not ours
	srv.events <- Event{ID: 1, Action: ActionTake}
	srv.events <- Event{ID: 1, Action: ActionTake} // a second click
	close(srv.events)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	close(got)
	var calls []call
	for c := range got {
		calls = append(calls, c)
	}
	if len(calls) != 1 || calls[0].action != ActionTake || len(calls[0].doses) != 1 || calls[0].doses[0] != dose {
		t.Fatalf("OnAction calls %+v, want one Take of %+v", calls, dose)
	}

	// Closed, then clicked (a server that does it in that order): nothing.
	srv.events = make(chan Event, 2)
	c2 := &Center{Server: srv, OnAction: func(a string, d []Dose) { t.Errorf("action %s after close", a) }}
	if _, err := c2.Show(ctx, "x", "", []Dose{dose}); err != nil {
		t.Fatal(err)
	}
	id := uint32(len(srv.sent))
	srv.events <- Event{ID: id, Closed: true}
	srv.events <- Event{ID: id, Action: ActionSnooze}
	close(srv.events)
	if err := c2.Run(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestCenterWithoutActions: a server without "actions" (or one that cannot say) gets the
// plain notification, and Show says so: the reminder window is then the way to answer.
func TestCenterWithoutActions(t *testing.T) {
	ctx := context.Background()
	dose := []Dose{{Profile: "p1", Occurrence: remind.Occurrence{MedicationID: "m1"}}}
	for _, srv := range []*fakeServer{{caps: []string{"body"}}, {capErr: errors.New("no reply")}} {
		c := &Center{Server: srv}
		with, err := c.Show(ctx, "Time for your 08:00 medicine", "", dose)
		if err != nil || with || len(srv.sent) != 1 || srv.sent[0].actions != nil {
			t.Fatalf("caps %q (%v): with actions %v, %v, sent %+v", srv.caps, srv.capErr, with, err, srv.sent)
		}
	}
}

// TestCenterForgetsOld: a server that never says a notification closed does not make the
// Center remember notifications without end.
func TestCenterForgetsOld(t *testing.T) {
	srv := &fakeServer{caps: []string{"actions"}}
	c := &Center{Server: srv}
	for i := range maxShown * 3 {
		d := Dose{Profile: "p", Occurrence: remind.Occurrence{MedicationID: strconv.Itoa(i)}}
		if _, err := c.Show(context.Background(), "x", "", []Dose{d}); err != nil {
			t.Fatal(err)
		}
	}
	if len(c.shown) != maxShown || len(c.order) != maxShown {
		t.Fatalf("remembers %d (%d in order), want %d", len(c.shown), len(c.order), maxShown)
	}
}

// TestRepeatReplacesTheNotification: a repeat of a reminder replaces the notification that
// asked about the same doses (replaces_id) rather than piling up beside it; one asking about
// other doses does not.
func TestRepeatReplacesTheNotification(t *testing.T) {
	ctx := context.Background()
	srv := &fakeServer{caps: []string{"actions"}}
	c := &Center{Server: srv}
	at8 := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	a := Dose{Profile: "p1", Occurrence: remind.Occurrence{MedicationID: "a", At: at8}}
	b := Dose{Profile: "p1", Occurrence: remind.Occurrence{MedicationID: "b", At: at8}}
	other := Dose{Profile: "p2", Occurrence: remind.Occurrence{MedicationID: "a", At: at8}}
	for _, doses := range [][]Dose{{a}, {other}, {a}, {a, b}, {b}} {
		if _, err := c.Show(ctx, "x", "", doses); err != nil {
			t.Fatal(err)
		}
	}
	var got []uint32
	for _, s := range srv.sent {
		got = append(got, s.replaces)
	}
	// 1: a; 2: other (p2's); 3: a again replaces 1; 4: a and b replace 3; 5: b alone
	// replaces nothing (4 asks about a too).
	if want := []uint32{0, 0, 1, 3, 0}; !slices.Equal(got, want) {
		t.Fatalf("replaces %v, want %v", got, want)
	}
	if _, ok := c.shown[1]; ok || len(c.shown) != 3 {
		t.Fatalf("remembered %v", c.order)
	}
}
