package app

import (
	"context"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/patient-companion/companion/data"
	"github.com/patient-companion/companion/data/datatest"
)

// benchJournal opens a 100,000-entry profile (DESIGN §9) in a test window on Today. Its
// background work runs through *queue when that is set, else at once.
func benchJournal(b *testing.B, queue *[]func()) *UI {
	b.Helper()
	p := datatest.NewProfiles(b, nil)
	p.Now, p.Location = func() time.Time { return fixedNow }, time.UTC
	ctx := context.Background()
	st, _, err := p.Create(ctx, data.CreateOptions{Name: "Bench", Passphrase: []byte(goodPass), NoKeyring: true})
	if err != nil {
		b.Fatal(err)
	}
	if err := st.AddDemoEntries(ctx, 100_000, nil); err != nil {
		b.Fatal(err)
	}
	st.Close()
	a := test.NewTempApp(b)
	goFn := func(f func()) {
		if queue != nil && *queue != nil {
			*queue = append(*queue, f)
			return
		}
		f()
	}
	u := New(a, Options{Profiles: p, Go: goFn, Tick: -1, SyncEvery: -1, Clock: clockOf(p.Now)})
	u.win.Resize(fyne.NewSize(1000, 700))
	u.win.Show()
	b.Cleanup(func() { u.win.Close() })
	test.Type(u.unlock.pass, goodPass)
	u.win.Canvas().Focused().TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if u.today == nil {
		b.Fatal("the profile did not open")
	}
	return u
}

// BenchmarkJournalOpen is opening the Journal on a 100,000-entry profile until its first
// page is on screen: building the screen, reading the first page (and the count), laying
// out the rows drawn. The reading runs off the UI goroutine in the app; here it runs inline,
// so this is the whole wait.
func BenchmarkJournalOpen(b *testing.B) {
	u := benchJournal(b, nil)
	for b.Loop() {
		u.showJournal()
		u.win.Content().Refresh()
		if j := u.journal; len(j.entries) != journalPage || !j.list.Visible() {
			b.Fatalf("%d entries shown", len(j.entries))
		}
	}
}

// BenchmarkJournalOpenUIGoroutine is the UI goroutine's share of opening the Journal: what
// the window cannot draw during (building the screen, then showing the page read), without
// the reading itself, which runs in the background.
func BenchmarkJournalOpenUIGoroutine(b *testing.B) {
	var queue []func()
	u := benchJournal(b, &queue)
	queue = []func(){}
	for b.Loop() {
		u.showJournal()
		b.StopTimer()
		// The read, as the background goroutine would run it; its result is applied on the
		// UI goroutine through fyne.Do, which the test driver runs inline (timed below).
		work := queue
		queue = []func(){}
		for _, f := range work {
			f()
		}
		b.StartTimer()
		u.win.Content().Refresh()
	}
}

// BenchmarkJournalScroll is scrolling through ten pages (1,000 entries) of the timeline:
// each scroll to the end reads the next page and draws it.
func BenchmarkJournalScroll(b *testing.B) {
	u := benchJournal(b, nil)
	const pages = 10
	for b.Loop() {
		b.StopTimer()
		u.showJournal()
		u.win.Content().Refresh()
		b.StartTimer()
		j := u.journal
		for range pages {
			j.list.ScrollToBottom()
			u.win.Content().Refresh()
		}
		if len(j.entries) < (pages+1)*journalPage {
			b.Fatalf("%d entries after scrolling %d pages", len(j.entries), pages)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N*pages), "ms/page")
}
