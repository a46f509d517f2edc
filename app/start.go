package app

// The start screen: shown while the profiles are listed (and when listing fails), then
// replaced by the create screen (no profile yet) or the unlock screen.

import (
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/patient-companion/companion/app/tr"
	"github.com/patient-companion/companion/data"
)

// profileListing is one listing of the profiles.
type profileListing struct {
	list []data.ProfileInfo
	err  error
}

// listAhead starts listing the profiles in the background, when the first screen is to wait
// for them (wait > 0); nil otherwise.
func (u *UI) listAhead(wait time.Duration) <-chan profileListing {
	if wait <= 0 {
		return nil
	}
	ch := make(chan profileListing, 1)
	ctx := u.ctx
	u.opt.Go(func() {
		l, err := u.opt.Profiles.List(ctx)
		ch <- profileListing{l, err}
	})
	return ch
}

// startScreen is shown while the profiles are listed, and when listing fails.
type startScreen struct {
	message *widget.Label
	retry   *widget.Button
}

// showStart lists the profiles, then shows create (none yet) or unlock.
func (u *UI) showStart() { u.startScreen(nil, 0) }

// startScreen is showStart, given the profiles being listed ahead (listAhead): if they
// arrive within wait, the "Opening…" screen is not shown at all, so the window's first frame is the screen the person needs (it
// nearly always is that quick; a slow disk still gets "Opening…").
func (u *UI) startScreen(listing <-chan profileListing, wait time.Duration) {
	if listing != nil {
		select {
		case r := <-listing:
			if r.err == nil {
				u.clearScreens()
				u.win.SetTitle(windowTitle)
				u.listed(r.list)
				return
			}
		case <-time.After(wait): // the machine's time, not Options.Clock: it bounds a wait for the disk
		}
	}
	u.clearScreens()
	u.win.SetTitle(windowTitle)
	s := &startScreen{
		message: widget.NewLabel(tr.T("start.opening")),
	}
	s.message.Alignment = fyne.TextAlignCenter
	s.message.Wrapping = fyne.TextWrapWord
	s.retry = widget.NewButton(tr.T("start.try_again"), u.showStart)
	s.retry.Importance = widget.HighImportance
	s.retry.Hide()
	u.start = s
	u.setContent(container.NewCenter(column(520, container.NewVBox(s.message, tall(s.retry)))))

	background(u, u.opt.Profiles.List, func(list []data.ProfileInfo, err error) {
		if u.start != s {
			return
		}
		if err != nil {
			s.message.SetText(tr.T("start.list_failed", tr.Args{"Error": err.Error()}))
			s.retry.Show()
			return
		}
		u.listed(list)
	})
}

// listed shows create (no profiles yet) or unlock.
func (u *UI) listed(list []data.ProfileInfo) {
	u.known = list
	u.namePeople()
	if len(list) == 0 {
		u.ahead.drop() // typed for a lock screen that is not coming
		u.showCreate(nil)
		return
	}
	u.showUnlock(list, "")
}

// noteKnown adds a newly opened profile to the switcher's list if it is not there yet.
func (u *UI) noteKnown(pi data.ProfileInfo) {
	for _, k := range u.known {
		if k.ID == pi.ID {
			return
		}
	}
	u.known = append(u.known, pi)
	u.namePeople()
}
