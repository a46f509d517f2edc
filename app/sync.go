package app

import (
	"context"
	"errors"
	"log"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/patient-companion/companion/app/tr"
	"github.com/patient-companion/companion/data"
	"github.com/patient-companion/companion/sync/portal"
)

// The messages about syncing never carry the text of a note or an error.

// syncReadFailed is the status line when the sync status cannot be read.
func syncReadFailed() string { return tr.T("sync.read_failed") }

// errNotConnected is a sync asked of a profile without a portal.
var errNotConnected = portal.ErrNotConnected

// syncState is an open profile's portal sync as the screens show it: one at a time, on
// demand and every Options.SyncEvery, on screen or held (UI goroutine only).
type syncState struct {
	running bool
	lastErr error // the last sync's error; nil after a good one
}

// startSync starts p's syncing: unless Options.SyncEvery is negative, a sync at once and
// then one every SyncEvery — by default the clinic's sync_interval_minutes, else every 15
// minutes — until p closes (when it has no portal, each finds nothing to do).
func (u *UI) startSync(p *openProfile) {
	if u.opt.SyncEvery < 0 {
		return
	}
	clock := u.opt.Clock
	p.loop(func(ctx context.Context) {
		every := u.opt.SyncEvery
		if every == 0 {
			set, _ := p.store.Settings(ctx) // damaged: the defaults come with the error
			every = set.SyncInterval
		}
		ticks, stop := clock.NewTicker(every)
		defer stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-ticks:
			}
			// Held profiles (held.go) sync too: a caregiver's messages arrive for everyone
			// open, not only the person on screen.
			fyne.Do(func() { u.runSync(p, true) })
		}
	})
	u.runSync(p, true)
}

// syncNow is the "Sync now" button.
func (u *UI) syncNow() { u.runSync(u.cur, false) }

// resyncNow is the Health record's "Fetch everything again": a full sync (Options.SyncFull).
func (u *UI) resyncNow() {
	if u.opt.SyncFull != nil {
		u.runSyncWith(u.cur, false, u.opt.SyncFull)
	}
}

// runSync runs p's sync (p on screen or held) off the UI goroutine, then shows the outcome
// if p is on screen (a held profile's is shown when it comes forward). auto marks the
// periodic sync: a profile without a portal is then left alone quietly.
func (u *UI) runSync(p *openProfile, auto bool) { u.runSyncWith(p, auto, u.opt.Sync) }

// runSyncWith is runSync with sync doing the work (Options.Sync or Options.SyncFull).
func (u *UI) runSyncWith(p *openProfile, auto bool, sync func(context.Context, *data.Store) error) {
	if p == nil || p.sync.running || p.ctx.Err() != nil {
		return
	}
	p.sync.running = true
	if u.cur == p {
		u.syncChanged(false, nil)
	}
	p.spawn(func(ctx context.Context) func() {
		err := sync(ctx, p.store)
		if err != nil && !errors.Is(err, errNotConnected) && ctx.Err() == nil {
			log.Printf("sync: %v", err)
		}
		return func() {
			p.sync.running = false
			if u.cur != p {
				if !errors.Is(err, errNotConnected) {
					p.sync.lastErr = err // shown when the profile comes forward
				}
				return
			}
			if errors.Is(err, errNotConnected) {
				p.sync.lastErr = nil
				if auto {
					// Nothing to do, and nothing to say.
					if m := u.messages; m != nil {
						m.sync.Enable()
					}
					if r := u.record; r != nil {
						r.syncButtons(true)
					}
					u.refreshSyncLines()
					return
				}
			} else {
				p.sync.lastErr = err
			}
			u.syncChanged(true, err)
		}
	})
}

// syncChanged shows a sync starting (done false) or finished (done true, with its error),
// and reloads what a sync may have changed.
func (u *UI) syncChanged(done bool, err error) {
	if m := u.messages; m != nil {
		if done {
			m.sync.Enable()
			switch {
			case err == nil:
				say(m.syncMsg, "")
			case errors.Is(err, errNotConnected):
				say(m.syncMsg, tr.T("sync.not_linked"))
			case errors.Is(err, portal.ErrSignInAgain):
				say(m.syncMsg, tr.T("sync.sign_in_notes"))
			default:
				say(m.syncMsg, tr.T("sync.offline"))
			}
		} else {
			m.sync.Disable()
			say(m.syncMsg, "")
		}
	}
	if r := u.record; r != nil {
		r.syncButtons(done)
		switch {
		case !done || err == nil:
			say(r.syncMsg, "")
		case errors.Is(err, errNotConnected):
			say(r.syncMsg, msgRecordNotLinked())
		case errors.Is(err, portal.ErrSignInAgain):
			say(r.syncMsg, tr.T("sync.sign_in_record"))
		default:
			say(r.syncMsg, tr.T("sync.offline_record"))
		}
	}
	if !done {
		u.refreshSyncLines()
		return
	}
	switch {
	case u.record != nil:
		u.refreshSyncLines()
		u.loadRecord()
	case u.messages != nil:
		u.loadMessages()
	case u.appointments != nil:
		u.loadAppointments()
	case u.today != nil:
		u.refreshToday()
	case u.settings != nil:
		u.loadPortal()
	}
}

// syncInfo is what the status line needs.
type syncInfo struct {
	portal data.Portal
	queued int
}

func loadSyncInfo(ctx context.Context, st *data.Store) (syncInfo, error) {
	var si syncInfo
	var err error
	if si.portal, err = st.PortalConnection(ctx); err != nil {
		return si, err
	}
	msgs, err := st.ListMessages(ctx)
	var te *data.TamperedError
	if err != nil && !errors.As(err, &te) {
		return si, err
	}
	for _, m := range msgs {
		if m.Direction == data.DirectionOut && m.State == data.MessageQueued {
			si.queued++
		}
	}
	return si, nil
}

// syncText words the sync status: "Synced 2 min ago", "Offline — 1 note waiting",
// "Sign in again", "Not connected to a portal".
func syncText(si syncInfo, sy syncState, now time.Time) string {
	switch {
	case si.portal.URL == "":
		return tr.T("sync.status_not_connected")
	case sy.running:
		return tr.T("sync.status_syncing")
	case errors.Is(sy.lastErr, portal.ErrSignInAgain):
		return tr.T("sync.status_sign_in")
	case sy.lastErr != nil && si.queued == 0:
		return tr.T("sync.status_offline")
	case sy.lastErr != nil:
		return tr.N("sync.status_offline_waiting", si.queued)
	case si.portal.LastSync.IsZero():
		if si.queued > 0 {
			return tr.N("sync.status_not_synced_waiting", si.queued)
		}
		return tr.T("sync.status_not_synced")
	}
	return tr.T("sync.status_synced", tr.Args{"When": ago(now.Sub(si.portal.LastSync), si.portal.LastSync)})
}

// ago says how long ago t was, d before now: "2 min ago", "on Mon 2 Jan at 15:04" (to go
// in a sentence's {{.When}}).
func ago(d time.Duration, t time.Time) string {
	switch {
	case d < time.Minute:
		return tr.T("sync.ago_just_now")
	case d < time.Hour:
		return tr.N("sync.ago_minutes", int(d/time.Minute))
	case d < 24*time.Hour:
		return tr.N("sync.ago_hours", int(d/time.Hour))
	}
	return tr.T("sync.ago_on", tr.Args{"Date": tr.Format(t, tr.DateNoYear), "Time": tr.Format(t, tr.Clock)})
}

// portalReason is, in the person's language, why the clinic's portal did not take
// something: the reasons the portal sync keeps (in English, which the command line shows)
// said again, the portal's own words left as they came. It is a phrase, to go after
// "Not shared:" or similar, or through sentence; loc is the zone the reason's times were
// written in.
func portalReason(reason string, loc *time.Location) string {
	switch reason {
	case portal.RequestsElsewhere:
		return tr.T("sync.reason_requests_elsewhere")
	case portal.CancelByPhone:
		return tr.T("sync.reason_cancel_by_phone")
	case portal.ClinicCancelled:
		return tr.T("sync.reason_clinic_cancelled")
	case portal.AlreadyBegun:
		return tr.T("sync.reason_already_begun")
	case portal.UnknownToPortal:
		return tr.T("sync.reason_unknown")
	case portal.ReadingsRefused:
		return tr.T("sync.reason_readings_refused")
	case portal.SurveysRefused:
		return tr.T("sync.reason_surveys_refused")
	}
	if at, ok := portal.ParseClinicMoved(reason, loc); ok {
		return tr.T("sync.reason_clinic_moved", tr.Args{"When": apptWhen(at)})
	}
	if why, ok := strings.CutPrefix(reason, portal.RequestRefused); ok {
		return tr.T("sync.reason_request_refused", tr.Args{"Reason": why})
	}
	if why, ok := strings.CutPrefix(reason, portal.CancelRefused); ok {
		return tr.T("sync.reason_cancel_refused", tr.Args{"Reason": why})
	}
	return reason
}

// showSyncLine loads p's status and puts it in l (on the UI goroutine, if keep still holds).
func (u *UI) showSyncLine(p *openProfile, l *widget.Label, keep func() bool) {
	background(p, func(ctx context.Context) (syncInfo, error) {
		return loadSyncInfo(ctx, p.store)
	}, func(si syncInfo, err error) {
		if !keep() {
			return
		}
		if err != nil {
			say(l, syncReadFailed())
			return
		}
		say(l, syncText(si, p.sync, u.now()))
	})
}

// refreshSyncLines updates the status lines on show.
func (u *UI) refreshSyncLines() {
	if t := u.today; t != nil {
		u.showSyncLine(t.prof, t.syncLine, func() bool { return u.today == t })
	}
	if m := u.messages; m != nil {
		u.showSyncLine(m.prof, m.syncLine, func() bool { return u.messages == m })
	}
	if r := u.record; r != nil {
		u.showSyncLine(r.prof, r.syncLine, func() bool { return u.record == r })
	}
}
