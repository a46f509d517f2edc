package remind

import (
	"context"
	"sync"
	"testing"
	"time"
)

// fakeClock is a Clock whose time and channels the test drives.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	tick   chan time.Time
	timers []time.Duration // requested one-shot delays
	timer  chan time.Time
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
	c.mu.Lock()
	defer c.mu.Unlock()
	c.timers = append(c.timers, d)
	return c.timer, func() {}
}

func (c *fakeClock) lastTimer() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.timers) == 0 {
		return 0
	}
	return c.timers[len(c.timers)-1]
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
	clock := &fakeClock{now: utc("2026-03-02T07:59:45Z"), tick: make(chan time.Time), timer: make(chan time.Time)}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		f.eng.Run(ctx, clock, func(err error) { t.Error(err) })
		close(done)
	}()
	// The first check runs at once, finds 08:00 fifteen seconds away and arms a timer.
	clock.tick <- clock.Now() // the loop is past its first check once it takes a tick
	if d := clock.lastTimer(); d != 15*time.Second {
		t.Fatalf("one-shot timer for %s, want 15s", d)
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
