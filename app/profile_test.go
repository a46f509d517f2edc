package app

import (
	"context"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/patient-companion/companion/data"
)

func TestChangePassphrase(t *testing.T) {
	u := openToday(t, &testClock{t: fixedNow}, nil)
	ctrl(u, fyne.Key6)
	f := u.settings.profile
	if f == nil {
		t.Fatal("Settings should have the profile section")
	}
	try := func(cur, nw, rep, want string) {
		t.Helper()
		f.curPass.SetText(cur)
		f.newPass.SetText(nw)
		f.repeat.SetText(rep)
		test.Tap(f.change)
		assertShows(t, f.passMsg, want)
	}
	try("wrong passphrase", "a new passphrase", "a new passphrase", msgPassCurrentWrong())
	try(goodPass, "short", "short", msgPassTooShort())
	try(goodPass, "a new passphrase", "another one", msgPassMismatch())
	try(goodPass, "a new passphrase", "a new passphrase", msgPassChanged())
	if f.curPass.Text != "" || f.newPass.Text != "" {
		t.Error("the fields should be cleared after a change")
	}

	test.Tap(u.settings.lockBtn)
	unlockWith(t, u, goodPass)
	assertShows(t, u.unlock.message, msgWrongPassphrase())
	unlockWith(t, u, "a new passphrase")
	if u.today == nil {
		t.Fatalf("the new passphrase should unlock; message %q", u.unlock.message.Text)
	}
}

func TestDeleteProfile(t *testing.T) {
	p := testProfiles(t, nil)
	passProfile(t, p, "Anne")
	bob, _ := makeProfile(t, p, data.CreateOptions{Name: "Bob", Passphrase: []byte("bobs passphrase"), NoKeyring: true})
	u := newTestUI(t, p)
	u.unlock.choice.SetSelected("Bob")
	unlockWith(t, u, "bobs passphrase")
	ctrl(u, fyne.Key6)
	f := u.settings.profile
	if f.confirmBox.Visible() {
		t.Fatal("the confirmation shows only after asking to delete")
	}
	test.Tap(f.deleteBtn)
	if !f.confirmBox.Visible() || !f.confirmDelete.Disabled() {
		t.Fatal("Delete for good should wait for the name")
	}
	test.Type(f.confirmName, "Bo")
	u.deleteProfile()
	if u.curStore() == nil {
		t.Fatal("deleted without the name typed")
	}
	test.Type(f.confirmName, "b")
	if f.confirmDelete.Disabled() {
		t.Fatal("the name typed should enable Delete for good")
	}
	test.Tap(f.confirmDelete)
	if u.cur != nil || u.unlock == nil {
		t.Fatal("deleting should close the profile and show the start screen")
	}
	if u.unlock.choice != nil || u.unlock.profiles[0].Name != "Anne" {
		t.Errorf("after deleting Bob, the profiles are %+v", u.unlock.profiles)
	}
	if _, err := p.Find(context.Background(), bob.ID); err == nil {
		t.Error("Bob's profile is still there")
	}
}
