package app

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"

	"github.com/patient-companion/companion/app/tr"
	"github.com/patient-companion/companion/data"
)

// TestAddToCalendar: "Add to calendar" on an appointment asks where to save it, and writes
// that one appointment there as an RFC 5545 calendar, through Fyne's own file dialog.
func TestAddToCalendar(t *testing.T) {
	start := fixedNow.Add(48 * time.Hour)
	u := openToday(t, &testClock{t: fixedNow}, func(ctx context.Context, st *data.Store) {
		if _, err := st.AddAppointment(ctx, data.Appointment{Title: "Dentist, check-up", Start: start, Location: "High Street; room 2"}); err != nil {
			t.Fatal(err)
		}
		if _, err := st.AddAppointment(ctx, data.Appointment{Title: "Flu jab", Start: fixedNow.Add(-72 * time.Hour)}); err != nil {
			t.Fatal(err)
		}
	})
	ctrl(u, fyne.Key4)
	a := u.appointments
	if a == nil || len(a.upcoming) != 1 {
		t.Fatal("Appointments did not open with the dentist coming up")
	}
	if h := a.upcoming[0].cal.Size().Height; h < 44 {
		t.Errorf("the Add to calendar button is %.0f px high, want at least 44", h)
	}

	// Cancelled: nothing written, nothing said.
	test.Tap(a.upcoming[0].cal)
	if a.calSave == nil {
		t.Fatal("Add to calendar did not ask where to save")
	}
	tapButton(t, u.win.Canvas().Overlays().Top(), "Cancel")
	if a.calState.Visible() {
		t.Errorf("after Cancel the screen says %q", a.calState.Text)
	}

	dir := t.TempDir()
	test.Tap(a.upcoming[0].cal)
	folder, err := storage.ListerForURI(storage.NewFileURI(dir))
	if err != nil {
		t.Fatal(err)
	}
	a.calSave.SetLocation(folder)
	tapButton(t, u.win.Canvas().Overlays().Top(), "Save")

	path := filepath.Join(dir, "Dentist-check-up.ics") // the suggested name
	raw, err := os.ReadFile(path)
	if err != nil {
		entries, _ := os.ReadDir(dir)
		t.Fatalf("no calendar file: %v (folder holds %v)", err, entries)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}
	s := string(raw)
	for _, want := range []string{
		"BEGIN:VCALENDAR\r\n", "BEGIN:VEVENT\r\n", "SUMMARY:Dentist\\, check-up\r\n", "LOCATION:High Street\\; room 2\r\n",
		"DTSTART:" + start.UTC().Format("20060102T150405Z") + "\r\n", "STATUS:CONFIRMED\r\n", "END:VCALENDAR\r\n",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("the calendar file lacks %q:\n%s", want, s)
		}
	}
	if n := strings.Count(s, "BEGIN:VEVENT"); n != 1 || strings.Contains(s, "Flu jab") {
		t.Errorf("want only the dentist in the file, got %d events:\n%s", n, s)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("the folder holds %d files, want the calendar alone (a temporary file left?)", len(entries))
	}
	assertShows(t, a.calState, tr.T("calendar.saved", tr.Args{"File": "Dentist-check-up.ics"}))
}
