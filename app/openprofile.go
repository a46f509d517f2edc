package app

import (
	"context"
	"log"
	"sync"
	"sync/atomic"

	"fyne.io/fyne/v2"

	"github.com/patient-companion/companion/app/remind"
	"github.com/patient-companion/companion/data"
)

// openProfile is one unlocked profile and everything that works on it while it is open: its
// store, its reminder engine and reminder window, its portal sync, its lock, the drafts its
// screens keep, and the background reads and writes on its store. The window has one on
// screen (UI.cur) and the others held behind it (UI.held, held.go); switching profiles moves
// the pointer, and the profile's engine, sync and window go on as they were.
//
// Closing it (end, close) stops its loops and waits for its work before the store closes and
// forgets the data key, so no read of a closing profile runs on with the key gone.
//
// Threading: store and ctx never change, and locked is atomic (the engine reads it from its
// goroutine); every other field is read and written on the UI goroutine only.
type openProfile struct {
	store *data.Store
	// ctx is cancelled as the profile closes: its loops end, its work stops early, and
	// nothing of it reaches the screen any more.
	ctx    context.Context
	cancel context.CancelFunc
	goFn   func(func()) // runs background work: Options.Go
	// work counts the engine and sync loops and every piece of background work on store.
	work sync.WaitGroup
	// started: the engine, sync, PIN check and search index have been started (startProfile).
	started bool

	// locked: its screens are behind the lock screen, on screen or held. Medicine names are
	// then hidden in its reminders.
	locked atomic.Bool
	// pinLock: keyring-only with a screen PIN, which the lock screen asks for.
	pinLock bool
	// person is the name its notices give while several profiles share the computer, ""
	// while it is the only one (read by its engine's goroutine: UI.namePeople sets it).
	person atomic.Pointer[string]

	// ended is told once, as p starts closing (UI.open counts it no more).
	ended func()

	engine *remind.Engine // nil until started
	sync   syncState      // its portal sync (sync.go)
	// backupErr is its last scheduled backup's failure, nil after a good one (backup.go).
	backupErr error
	reminder  *reminderWindow // its "Time for your medicine" window while open
	question  *doseQuestion   // "Taken at 08:03 — change to skipped?" while asked (answer.go)

	// medDraft is the Medicines form while it is open, kept when the person goes to another
	// screen (or profile) so that coming back finds everything typed.
	medDraft *medForm
	// journalDraft is a new journal entry typed but not saved when the Journal was left
	// (journal_form.go); it comes back when the Journal is shown again.
	journalDraft *keptJournalDraft
}

// newOpenProfile wraps a newly unlocked store; nothing runs until startProfile.
func (u *UI) newOpenProfile(st *data.Store) *openProfile {
	// Through u.opt.Go as it is when the work starts (tests swap it to hold work back).
	p := &openProfile{store: st, goFn: func(f func()) { u.opt.Go(f) }}
	p.ctx, p.cancel = context.WithCancel(u.ctx)
	u.open.Add(1)
	p.ended = func() { u.open.Add(-1) }
	return p
}

// personName is the name p's notices give ("" for none); safe from any goroutine.
func (p *openProfile) personName() string {
	if n := p.person.Load(); n != nil {
		return *n
	}
	return ""
}

// namePeople words every open profile's notices for who is on this computer: with several
// profiles each names its person ("Mum — time for the 8:00 medicine"). Called whenever the
// list of profiles or a name changes.
func (u *UI) namePeople() {
	open := u.held
	if u.cur != nil {
		open = append([]*openProfile{u.cur}, u.held...)
	}
	for _, p := range open {
		name := ""
		if len(u.known) > 1 {
			name = p.store.Info().Name
			for _, k := range u.known {
				if k.ID == p.id() {
					name = k.Name // renamed since it opened
				}
			}
		}
		p.person.Store(&name)
	}
}

// id is the profile's id.
func (p *openProfile) id() string { return p.store.Info().ID }

// startProfile begins what runs while p is open — reading whether it has a screen PIN,
// building its search index, its reminder engine and its portal sync — the first time it is
// shown (a new profile's, once its recovery key has been written down).
func (u *UI) startProfile(p *openProfile) {
	if p.started {
		return
	}
	p.started = true
	u.namePeople()
	u.notePIN(p)
	u.warmSearch(p)
	u.startEngine(p)
	u.startSync(p)
	u.startBackups(p)
}

// spawn runs work off the UI goroutine (through Options.Go), then what it returns on the UI
// goroutine, unless p closed meanwhile. Closing p waits for it.
func (p *openProfile) spawn(work func(ctx context.Context) (then func())) {
	if p.ctx.Err() != nil {
		return // closing: nothing new starts on its store
	}
	ctx := p.ctx
	p.work.Add(1)
	p.goFn(func() {
		defer p.work.Done()
		then := work(ctx)
		fyne.Do(func() {
			if ctx.Err() == nil {
				then()
			}
		})
	})
}

// loop runs f on a goroutine of its own for as long as p is open; closing p waits for it.
func (p *openProfile) loop(f func(ctx context.Context)) {
	p.work.Add(1)
	go func() {
		defer p.work.Done()
		f(p.ctx)
	}()
}

// end starts closing p, on the UI goroutine: its reminder window closes, its drafts go, and
// its loops and work are told to stop (nothing new starts). The finish it returns waits for
// them, then closes the store, which forgets the data key; it may run on another goroutine.
func (p *openProfile) end() (finish func() error) {
	if p.ended != nil {
		p.ended()
		p.ended = nil
	}
	p.cancel()
	p.closeReminder()
	p.medDraft, p.journalDraft = nil, nil
	return func() error {
		p.work.Wait()
		return p.store.Close()
	}
}

// close closes p and waits until it is closed.
func (p *openProfile) close() {
	if err := p.end()(); err != nil {
		log.Printf("close profile: %v", err) // the error names the file, never its content
	}
}

// setLocked records whether p is locked (read by its engine's goroutine) and words its
// reminder window to match.
func (p *openProfile) setLocked(on bool) {
	p.locked.Store(on)
	if w := p.reminder; w != nil {
		w.setLocked(on)
	}
}

// closeReminder closes p's reminder window, if it is open.
func (p *openProfile) closeReminder() {
	if w := p.reminder; w != nil {
		p.reminder = nil
		w.win.Close()
	}
}

// warmSearch builds p's search index in the background (0.65 s at 100,000 entries), so the
// Journal's first search and symptom filter answer at once.
func (u *UI) warmSearch(p *openProfile) {
	p.spawn(func(ctx context.Context) func() {
		if err := p.store.WarmSearch(ctx); err != nil && ctx.Err() == nil {
			log.Printf("search index could not be built ahead: %v", err) // ids only, never text
		}
		return func() {}
	})
}
