package app

import (
	"context"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/patient-companion/companion/data"
)

// TestCaregiverOverview: Ctrl+0 shows every profile — the open ones with what is due and
// missed and their next appointment, the others as not open — and Show brings one forward.
func TestCaregiverOverview(t *testing.T) {
	ctx := context.Background()
	clk := &testClock{t: at(6, 0)}
	p := testProfiles(t, nil)
	p.Now = clk.Now
	anne := passProfile(t, p, "Anne")
	bob, _ := makeProfile(t, p, data.CreateOptions{Name: "Bob", Passphrase: []byte("bobs passphrase"), NoKeyring: true})
	passProfile(t, p, "Carl")
	st, err := p.Open(ctx, anne, data.Credentials{Passphrase: []byte(goodPass)})
	if err != nil {
		t.Fatal(err)
	}
	addMed(t, st, "Metformin", "500 mg", hm(7, 0), hm(9, 0), hm(20, 0))
	if _, err := st.AddAppointment(ctx, data.Appointment{Title: "Dr Patel", Start: at(16, 30), Status: "booked"}); err != nil {
		t.Fatal(err)
	}
	st.Close()

	u := newTestUI(t, p)
	unlockWith(t, u, goodPass)
	if u.curStore().Info().ID != anne.ID {
		t.Fatal("Anne should open first")
	}
	u.today.nav.switcher.SetSelected("Bob")
	unlockWith(t, u, "bobs passphrase")
	if u.curStore().Info().ID != bob.ID {
		t.Fatal("Bob should be on screen")
	}
	clk.Set(at(9, 15)) // 07:00 missed (window 2 h), 09:00 due, 20:00 later
	ctrl(u, fyne.Key0)
	o := u.overview
	if o == nil || len(o.rows) != 3 {
		t.Fatalf("the overview should list three people, has %v", o)
	}
	byName := map[string]*overviewRow{}
	for _, r := range o.rows {
		byName[r.name.Text] = r
	}
	a := byName["Anne"].detail.Text
	for _, want := range []string{"To take now (1): Metformin", "at 09:00", "Missed today (1)", "at 07:00", "Next appointment: Dr Patel"} {
		if !strings.Contains(a, want) {
			t.Errorf("Anne's row %q should say %q", a, want)
		}
	}
	if strings.Contains(a, "20:00") {
		t.Errorf("Anne's row %q should not list the evening dose yet", a)
	}
	if b := byName["Bob"].detail.Text; !strings.Contains(b, "Nothing to take right now.") || !strings.Contains(b, "No appointments") {
		t.Errorf("Bob's row says %q", b)
	}
	if c := byName["Carl"]; !strings.Contains(c.detail.Text, "Not open") || c.show.Text != "Open…" {
		t.Errorf("Carl's row says %q with %q", c.detail.Text, c.show.Text)
	}
	test.Tap(byName["Anne"].show)
	if u.curStore().Info().ID != anne.ID || u.today == nil {
		t.Fatal("Show should bring Anne forward, on Today")
	}
	// With one profile there is no overview.
	single := openToday(t, &testClock{t: fixedNow}, nil)
	ctrl(single, fyne.Key0)
	if single.overview != nil || single.today.nav.everyone != nil {
		t.Error("with one profile, there is no Everyone screen")
	}
}
