package app

import (
	"context"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/patient-companion/companion/data"
	"github.com/patient-companion/companion/data/datatest"
)

func TestRenameProfileInSettings(t *testing.T) {
	u := openToday(t, &testClock{t: fixedNow}, nil)
	makeProfile(t, u.opt.Profiles, data.CreateOptions{Name: "Dad", Passphrase: []byte(goodPass), NoKeyring: true})
	ctrl(u, fyne.Key6)
	f := u.settings.access

	f.name.SetText("dad")
	test.Tap(f.rename)
	assertShows(t, f.renameMsg, "Another profile on this computer has that name. Please choose another.")

	f.name.SetText("  Margaret ")
	test.Tap(f.rename)
	assertShows(t, f.renameMsg, msgRenamed())
	if u.settings.title.Text != "Margaret" || u.win.Title() != "Margaret — Patient Companion" {
		t.Errorf("header %q, window %q: want the new name", u.settings.title.Text, u.win.Title())
	}
	if _, err := u.opt.Profiles.Find(context.Background(), "Margaret"); err != nil {
		t.Fatalf("the new name is not on disk: %v", err)
	}
	// The lock screen offers it under its new name.
	ctrl(u, fyne.KeyL)
	if got := u.unlock.labelsOf; len(got) != 2 || (got[0] != "Margaret" && got[1] != "Margaret") {
		t.Errorf("the lock screen lists %v", got)
	}
}

// TestScreenPIN: a keyring-only profile with a PIN asks for it on the lock screen; wrong
// PINs count towards the wait; the right one shows the screens again.
func TestScreenPIN(t *testing.T) {
	clk := &testClock{t: fixedNow}
	p := testProfiles(t, &datatest.MemKeyring{})
	p.Now = clk.Now
	makeProfile(t, p, data.CreateOptions{Name: "Mum"})
	u := newTestUI(t, p)
	test.Tap(u.unlock.open) // the keyring opens it
	if u.today == nil {
		t.Fatal("the keyring should open a keyring-only profile")
	}
	// Without a PIN the lock screen opens from the keyring (and says nothing is typed).
	ctrl(u, fyne.Key6)
	f := u.settings.access
	if !isShown(u, f.pin) {
		t.Fatal("a keyring-only profile should offer a screen PIN")
	}
	test.Type(f.pin, "12a4")
	test.Type(f.pinAgain, "12a4")
	test.Tap(f.setPIN)
	assertShows(t, f.pinMsg, msgPINBad())
	f.pin.SetText("2468")
	f.pinAgain.SetText("2469")
	test.Tap(f.setPIN)
	assertShows(t, f.pinMsg, msgPINMismatch())
	f.pinAgain.SetText("2468")
	test.Tap(f.setPIN)
	assertShows(t, f.pinMsg, msgPINSet())

	ctrl(u, fyne.KeyL)
	s := u.unlock
	if !isShown(u, s.pass) || s.passName.Text != "PIN" {
		t.Fatalf("the lock screen should ask for the PIN (shows %q, visible %v)", s.passName.Text, isShown(u, s.pass))
	}
	if u.win.Canvas().Focused() != nil || u.typeTo != s.pass {
		t.Error("the PIN field should wait unfocused (a blinking cursor redraws the window) and take the first key typed")
	}
	test.Tap(s.open)
	assertShows(t, s.message, msgNoPIN())
	for i := 0; i < freeTries; i++ {
		test.Type(s.pass, "1111")
		test.Tap(s.open)
	}
	if !u.isLocked() {
		t.Fatal("a wrong PIN unlocked the screen")
	}
	if !s.open.Disabled() {
		t.Error("after three wrong PINs, Open should wait")
	}
	clk.Set(fixedNow.Add(maxWait))
	u.checkIdle(clk.Now())
	test.Type(s.pass, "2468")
	pressEnter(t, u)
	if u.isLocked() || u.today == nil {
		t.Fatal("the right PIN should show Today again")
	}

	// Removing the PIN: the lock screen opens from the keyring again.
	ctrl(u, fyne.Key6)
	test.Tap(u.settings.access.removePIN)
	assertShows(t, u.settings.access.pinMsg, msgPINRemoved())
	ctrl(u, fyne.KeyL)
	if isShown(u, u.unlock.pass) {
		t.Error("without a PIN, a keyring-only profile's lock screen asks for nothing")
	}
	test.Tap(u.unlock.open)
	if u.isLocked() {
		t.Fatal("Open should unlock from the keyring")
	}
}

// TestKeyringOnOff: a passphrase profile can also open with the keyring, and stop again.
func TestKeyringOnOff(t *testing.T) {
	ctx := context.Background()
	kr := &datatest.MemKeyring{}
	p := testProfiles(t, kr)
	info, _ := makeProfile(t, p, data.CreateOptions{Name: "Mum", Passphrase: []byte(goodPass), NoKeyring: true})
	u := newTestUI(t, p)
	unlockWith(t, u, goodPass)
	ctrl(u, fyne.Key6)
	f := u.settings.access
	if isShown(u, f.pinBox) {
		t.Error("a profile with a passphrase has no screen PIN")
	}
	if !isShown(u, f.keyringOn) || isShown(u, f.keyringOff) {
		t.Fatal("a passphrase-only profile should offer the keyring")
	}
	test.Tap(f.keyringOn)
	assertShows(t, f.keyringMsg, msgKeyringAdded())
	if !isShown(u, f.keyringOff) {
		t.Error("with the keyring on, it should offer to stop using it")
	}
	check, err := p.Open(ctx, info, data.Credentials{})
	if err != nil {
		t.Fatalf("the keyring should open it now: %v", err)
	}
	check.Close()

	test.Tap(f.keyringOff)
	assertShows(t, f.keyringMsg, msgKeyringRemoved())
	if kr.Len() != 0 {
		t.Error("the keyring still holds the profile's key")
	}
	if _, err := p.Open(ctx, info, data.Credentials{}); err == nil {
		t.Fatal("the keyring still opens it")
	}
}

// TestPINSetBehindTheFlag: a PIN the window's flag does not know about (set while Settings
// was going, or read with an error) is still asked for: the keyring alone does not unlock.
func TestPINSetBehindTheFlag(t *testing.T) {
	p := testProfiles(t, &datatest.MemKeyring{})
	makeProfile(t, p, data.CreateOptions{Name: "Mum"})
	u := newTestUI(t, p)
	test.Tap(u.unlock.open)
	if err := u.curStore().SetPIN(context.Background(), "2468"); err != nil {
		t.Fatal(err)
	}
	ctrl(u, fyne.KeyL)
	test.Tap(u.unlock.open) // no PIN field yet: the keyring is offered
	if !u.isLocked() {
		t.Fatal("a profile with a PIN was shown by the keyring alone")
	}
	s := u.unlock
	if s.passName.Text != "PIN" || !isShown(u, s.pass) || s.message.Text != msgNoPIN() {
		t.Fatalf("the lock screen should now ask for the PIN (label %q, message %q)", s.passName.Text, s.message.Text)
	}
	test.Type(s.pass, "2468")
	test.Tap(s.open)
	if u.isLocked() {
		t.Fatal("the right PIN should unlock")
	}
}

// TestWrongTriesOutliveOtherProfiles: opening another profile does not forget wrong tries
// made on one, so a PIN cannot be tried three at a time without end.
func TestWrongTriesOutliveOtherProfiles(t *testing.T) {
	u := openToday(t, &testClock{t: fixedNow}, nil)
	for i := 0; i < freeTries; i++ {
		u.wrongTry("anne")
	}
	if !u.waiting(u.now()) {
		t.Fatal("three wrong tries should make Open wait")
	}
	u.rightTry("a-new-profile")
	if !u.waiting(u.now()) {
		t.Fatal("opening another profile must not end the wait")
	}
	u.rightTry("anne")
	if u.waiting(u.now()) || u.failures != 0 {
		t.Fatal("Anne opened with her passphrase: the count starts again")
	}
}
