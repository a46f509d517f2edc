package remind

import (
	"context"
	"sync"
	"testing"
	"time"
)

// fakeClock is a Clock whose time and channels the test drives.
type fakeClock struct {
	mu    sync.Mutex
	now   time.Time
	tick  chan time.Time
	armed chan time.Duration // each requested one-shot delay
	timer chan time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) set(t time.Time) {
	c.mu.Lock()
	c.now = t
	c.mu.Unlock()
}

func (c *fakeClock) NewTicker(time.Duration) (<-chan time.Time, func()) { return c.tick, func() {} }

func (c *fakeClock) NewTimer(d time.Duration) (<-chan time.Time, func()) {
	c.armed <- d
	return c.timer, func() {}
}

// notifyChan is a Notifier that hands each notice to the test.
type notifyChan chan Notice

func (c notifyChan) Notify(_ context.Context, n Notice) error {
	c <- n
	return nil
}

func TestRunRemindsOnTheMinute(t *testing.T) {
	f := newFixture(t, "08:00")
	got := make(notifyChan, 4)
	f.eng.Notifier = got
	clock := &fakeClock{now: utc("2026-03-02T07:59:45Z"), tick: make(chan time.Time), armed: make(chan time.Duration, 8), timer: make(chan time.Time)}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		f.eng.Run(ctx, clock, func(_ Notice, err error) {
			if err != nil {
				t.Error(err)
			}
		})
		close(done)
	}()
	// The first check runs at once, finds 08:00 fifteen seconds away and arms a timer.
	select {
	case d := <-clock.armed:
		if d != 15*time.Second {
			t.Fatalf("one-shot timer for %s, want 15s", d)
		}
	case <-time.After(10 * time.Second): // a bound on a broken test, not a wait for the engine
		t.Fatal("no one-shot timer armed")
	}
	clock.set(utc("2026-03-02T08:00:00Z"))
	clock.timer <- clock.Now()
	select {
	case n := <-got:
		if len(n.Due) != 1 {
			t.Fatalf("notice = %+v", n)
		}
	case <-time.After(10 * time.Second): // a bound on a broken test, not a wait for the engine
		t.Fatal("no reminder at 08:00")
	}
	cancel()
	<-done
}
