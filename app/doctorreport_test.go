package app

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/patient-companion/companion/app/tr"
	"github.com/patient-companion/companion/data"
)

// TestReportForMyDoctor: the dialog from Appointments proposes the period since the last
// appointment, refuses a date it cannot read beside its field, and saves the report.
func TestReportForMyDoctor(t *testing.T) {
	u := openToday(t, &testClock{t: fixedNow}, func(ctx context.Context, st *data.Store) {
		if _, err := st.AddSymptom(ctx, data.Symptom{Name: "Headache", Severity: 6, At: fixedNow.Add(-72 * time.Hour)}); err != nil {
			t.Fatal(err)
		}
		if _, err := st.AddAppointment(ctx, data.Appointment{Title: "GP review", Start: at(9, 0).AddDate(0, 0, -10)}); err != nil {
			t.Fatal(err)
		}
	})
	test.Tap(u.today.nav.appointments)
	a := u.appointments
	test.Tap(a.report.button)
	r := a.report.dlg
	if r == nil {
		t.Fatal("Report for my doctor opened no dialog")
	}
	if r.from.Text != "2025-11-15" || r.to.Text != "2025-11-25" {
		t.Errorf("period %s – %s, want 2025-11-15 – 2025-11-25 (since the last appointment)", r.from.Text, r.to.Text)
	}
	r.preset.SetSelected(tr.T("doctorreport.last_30"))
	if r.from.Text != "2025-10-27" || r.to.Text != "2025-11-25" {
		t.Errorf("the last 30 days: %s – %s, want 2025-10-27 – 2025-11-25", r.from.Text, r.to.Text)
	}
	r.preset.SetSelected(tr.T("doctorreport.since_appt"))
	if r.from.Text != "2025-11-15" {
		t.Errorf("since the last appointment: from %s, want 2025-11-15", r.from.Text)
	}
	if !r.open.Disabled() {
		t.Error("Open is enabled before anything was saved")
	}

	r.from.SetText("2025-11-14")
	if r.preset.Selected != "" {
		t.Errorf("a date changed by hand left the period %q chosen", r.preset.Selected)
	}
	path := filepath.Join(t.TempDir(), "report.pdf")
	r.from.SetText("15 November")
	u.saveReport(r, path)
	assertShows(t, r.fromErr, tr.T("doctorreport.bad_date"))
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("a refused period wrote a file: %v", err)
	}
	r.from.SetText("2025-11-26")
	u.saveReport(r, path)
	assertShows(t, r.toErr, tr.T("doctorreport.order"))

	r.from.SetText("2025-11-15")
	u.saveReport(r, path)
	b, err := os.ReadFile(path)
	if err != nil || !bytes.HasPrefix(b, []byte("%PDF-")) {
		t.Fatalf("no PDF saved: %v", err)
	}
	capture(t, u, "report_dialog.png")
	if r.open.Disabled() || r.saved != path || !strings.HasPrefix(r.state.Text, "Saved (") {
		t.Errorf("after saving: Open disabled %v, saved %q, state %q", r.open.Disabled(), r.saved, r.state.Text)
	}
	if _, err := exec.LookPath("pdftotext"); err == nil {
		out, err := exec.Command("pdftotext", "-enc", "UTF-8", path, "-").Output()
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"Mum", "Headache", "GP review"} {
			if !strings.Contains(string(out), want) {
				t.Errorf("the saved report does not show %q", want)
			}
		}
	} else if os.Getenv("COMPANION_REQUIRE_POPPLER") != "" {
		t.Fatal("pdftotext is missing (install poppler-utils)")
	}

	// Settings has the same button.
	ctrl(u, fyne.Key6)
	test.Tap(u.settings.report.button)
	if u.settings.report.dlg == nil {
		t.Fatal("Report for my doctor in Settings opened no dialog")
	}
}

// capture writes what the test driver draws to COMPANION_CAPTURE_DIR/name, when it is set,
// for a person to look at.
func capture(t *testing.T, u *UI, name string) {
	t.Helper()
	dir := os.Getenv("COMPANION_CAPTURE_DIR")
	if dir == "" {
		return
	}
	u.win.Resize(fyne.NewSize(1000, 700))
	f, err := os.Create(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, u.win.Canvas().Capture()); err != nil {
		t.Fatal(err)
	}
}
