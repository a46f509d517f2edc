package app

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/patient-companion/companion/data"
)

// openReadings opens a profile (set up by setup) on the Readings screen, with the
// measurement locale given.
func openReadings(t *testing.T, locale string, setup func(ctx context.Context, st *data.Store)) *UI {
	t.Helper()
	t.Setenv("LC_ALL", locale)
	u := openToday(t, &testClock{t: fixedNow}, setup)
	ctrl(u, fyne.Key8)
	if u.readings == nil {
		t.Fatal("Ctrl+8 should show Readings")
	}
	return u
}

func storedVitals(t *testing.T, u *UI) []data.Vital {
	t.Helper()
	vs, err := u.curStore().ListVitals(context.Background(), "", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	return vs
}

// labelsIn is the text of every label inside o, one a line.
func labelsIn(o fyne.CanvasObject) string {
	var b strings.Builder
	walkObjects(o, func(c fyne.CanvasObject) bool {
		if l, ok := c.(*widget.Label); ok && l.Visible() {
			b.WriteString(l.Text + "\n")
		}
		return false
	})
	return b.String()
}

// TestReadingStoredCanonical: a weight typed in pounds (the usual unit in the United
// States) is stored in kilograms, and listed back in pounds.
func TestReadingStoredCanonical(t *testing.T) {
	u := openReadings(t, "en_US.UTF-8", nil)
	s := u.readings
	s.kind.SetSelected("Weight")
	if !strings.Contains(labelsIn(s.valueBox), "Weight (lb)") {
		t.Fatalf("the weight field should say lb:\n%s", labelsIn(s.valueBox))
	}
	test.Type(s.value, "165")
	test.Type(s.note, "after breakfast")
	test.Tap(s.save)
	vs := storedVitals(t, u)
	if len(vs) != 1 {
		t.Fatalf("stored %d readings, want 1", len(vs))
	}
	v := vs[0]
	if v.Type != data.VitalWeight || math.Abs(v.Value-74.84274) > 0.001 || v.Note != "after breakfast" || v.Shared != data.ShareNo {
		t.Errorf("stored %+v, want 74.843 kg, the note, not shared", v)
	}
	if !v.At.Equal(fixedNow) {
		t.Errorf("stored at %v, want now (%v)", v.At, fixedNow)
	}
	assertShows(t, s.saveMsg, "Reading saved. Weight 165 lb.")
	if got := labelsIn(u.readings.list); !strings.Contains(got, "165 lb") || !strings.Contains(got, "Kept on this computer") {
		t.Errorf("the list should show the reading in lb, kept here:\n%s", got)
	}
}

// TestReadingImplausibleRefused: a blood pressure nobody could have is refused next to
// its fields, in words, and nothing is stored.
func TestReadingImplausibleRefused(t *testing.T) {
	u := openReadings(t, "en_GB.UTF-8", nil)
	s := u.readings
	test.Type(s.top, "1400")
	test.Type(s.bottom, "80")
	test.Tap(s.save)
	assertShows(t, s.valueErr, "A top number of 1400 mmHg is not plausible: it should be between 50 and 300.")
	if vs := storedVitals(t, u); len(vs) != 0 {
		t.Errorf("stored %d readings, want none", len(vs))
	}
	s.top.SetText("")
	test.Type(s.top, "140")
	if s.valueErr.Visible() {
		t.Error("the message should go when the number is changed")
	}
	test.Tap(s.save)
	if vs := storedVitals(t, u); len(vs) != 1 || vs[0].Value != 140 || vs[0].Value2 != 80 {
		t.Errorf("stored %+v, want one 140/80", vs)
	}
}

// TestReadingUnitsFollowSettings: the unit setting wins over the locale, and "as usual
// where I live" follows the locale.
func TestReadingUnitsFollowSettings(t *testing.T) {
	u := openReadings(t, "en_US.UTF-8", func(ctx context.Context, st *data.Store) {
		if _, err := st.PutSetting(ctx, data.KeyGlucoseUnit, "mmol/L"); err != nil {
			t.Fatal(err)
		}
		v, err := data.ParseVital(data.VitalGlucose, "6.2", "")
		if err != nil {
			t.Fatal(err)
		}
		v.At = fixedNow.Add(-time.Hour)
		if _, err := st.AddVital(ctx, v, false); err != nil {
			t.Fatal(err)
		}
	})
	s := u.readings
	s.kind.SetSelected("Blood sugar")
	if got := labelsIn(s.valueBox); !strings.Contains(got, "Blood sugar (mmol/L)") {
		t.Errorf("the blood sugar field should follow the setting (mmol/L):\n%s", got)
	}
	if got := labelsIn(s.list); !strings.Contains(got, "6.2 mmol/L") {
		t.Errorf("the list should show mmol/L:\n%s", got)
	}
	s.kind.SetSelected("Temperature")
	if got := labelsIn(s.valueBox); !strings.Contains(got, "Temperature (°F)") {
		t.Errorf("the temperature should be in °F where that is usual:\n%s", got)
	}
}

// TestReadingChartMarksOutsideTarget: with a target range, a reading outside it is told
// in words in the chart's title and in the list, and drawn as a square.
func TestReadingChartMarksOutsideTarget(t *testing.T) {
	u := openReadings(t, "en_GB.UTF-8", func(ctx context.Context, st *data.Store) {
		for i, bp := range []string{"118/76", "142/91", "125/82"} {
			v, err := data.ParseVital(data.VitalBloodPressure, bp, "")
			if err != nil {
				t.Fatal(err)
			}
			v.At = fixedNow.Add(-time.Duration(3-i) * 24 * time.Hour)
			if _, err := st.AddVital(ctx, v, false); err != nil {
				t.Fatal(err)
			}
		}
	})
	s := u.readings
	if got := s.chart.title(); got != "Blood pressure, last 90 days — 3 readings" {
		t.Errorf("chart title without a target: %q", got)
	}
	s.target.SetText("90-135/60-85")
	test.Tap(s.targetBtn)
	assertShows(t, s.targetErr, msgTargetSaved())
	set, err := u.curStore().Settings(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := set.Text("target_blood_pressure"); v != "90-135/60-85" {
		t.Errorf("target_blood_pressure = %q", v)
	}
	if got := s.chart.title(); got != "Blood pressure, last 90 days — 3 readings, 1 above my target range (drawn as squares)" {
		t.Errorf("chart title: %q", got)
	}
	if got := labelsIn(s.list); !strings.Contains(got, "142/91 mmHg — above my target") || strings.Contains(got, "118/76 mmHg — ") {
		t.Errorf("the list should mark only 142/91 as above the target:\n%s", got)
	}
	r := test.TempWidgetRenderer(t, s.chart).(*vitalChartRenderer)
	squares := 0
	for _, p := range r.points {
		if rect, ok := p.(interface{ MinSize() fyne.Size }); ok && rect.MinSize().Width == 16 {
			squares++
		}
	}
	if squares != 2 { // its top and bottom numbers
		t.Errorf("%d squares drawn, want 2 (142 and 91)", squares)
	}

	// A wrong range is refused in words, and the saved one kept.
	s.target.SetText("135-90")
	test.Tap(s.targetBtn)
	assertShows(t, s.targetErr, "Write the range as the top numbers, then the bottom numbers, like 90-135/60-85, or none.")
}

// TestReadingShareLater: a reading kept on this computer is shared from the list.
func TestReadingShareLater(t *testing.T) {
	u := openReadings(t, "en_GB.UTF-8", nil)
	s := u.readings
	if s.share.Checked {
		t.Fatal("sharing should be off by default (share_readings none)")
	}
	test.Type(s.top, "130")
	test.Type(s.bottom, "85")
	test.Tap(s.save)
	tapButton(t, u.readings.list, "Share")
	vs := storedVitals(t, u)
	if len(vs) != 1 || vs[0].Shared != data.ShareQueued {
		t.Fatalf("stored %+v, want one queued to share", vs)
	}
	if got := labelsIn(u.readings.list); !strings.Contains(got, "Waiting to share") {
		t.Errorf("the list should say it waits to be shared:\n%s", got)
	}
}

// TestReadingShareDefault: share_readings for a type ticks "Share with my care team".
func TestReadingShareDefault(t *testing.T) {
	u := openReadings(t, "en_GB.UTF-8", func(ctx context.Context, st *data.Store) {
		if _, err := st.PutSetting(ctx, data.KeyShareReadings, "weight"); err != nil {
			t.Fatal(err)
		}
	})
	s := u.readings
	if s.share.Checked {
		t.Error("blood pressure is not shared always")
	}
	s.kind.SetSelected("Weight")
	if !s.share.Checked {
		t.Error("weight is shared always: the box should be ticked")
	}
	test.Type(s.value, "72,5")
	test.Tap(s.save)
	if vs := storedVitals(t, u); len(vs) != 1 || vs[0].Shared != data.ShareQueued || vs[0].Value != 72.5 {
		t.Errorf("stored %+v, want 72.5 kg queued", vs)
	}
}

// TestUnitSettingsScreen: choosing a unit in Settings saves it, and the Readings screen
// follows; "as usual where I live" goes back to the locale's unit.
func TestUnitSettingsScreen(t *testing.T) {
	u := openReadings(t, "en_GB.UTF-8", nil)
	ctrl(u, fyne.Key6)
	us := u.settings.units
	w := us.fields[0]
	if w.key != data.KeyWeightUnit || w.sel.Selected != "As usual where I live (kg)" || w.sel.Disabled() {
		t.Fatalf("weight unit: %q (disabled %v)", w.sel.Selected, w.sel.Disabled())
	}
	w.sel.SetSelected("lb")
	set, err := u.curStore().Settings(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := set.Text(data.KeyWeightUnit); v != "lb" {
		t.Errorf("weight_unit = %q, want lb", v)
	}
	ctrl(u, fyne.Key8)
	u.readings.kind.SetSelected("Weight")
	if got := labelsIn(u.readings.valueBox); !strings.Contains(got, "Weight (lb)") {
		t.Errorf("Readings should follow the setting:\n%s", got)
	}
	ctrl(u, fyne.Key6)
	u.settings.units.fields[0].sel.SetSelected("As usual where I live (kg)")
	if set, _ = u.curStore().Settings(context.Background()); set.Units[data.VitalWeight] != "auto" {
		t.Errorf("weight_unit = %q, want auto", set.Units[data.VitalWeight])
	}
}

// TestJournalTimelineShowsReadings: readings appear in the Journal's timeline as a line
// each, in the person's units and time order among the entries, and cannot be edited there.
func TestJournalTimelineShowsReadings(t *testing.T) {
	t.Setenv("LC_ALL", "en_US.UTF-8")
	u := openToday(t, &testClock{t: fixedNow}, func(ctx context.Context, st *data.Store) {
		if _, err := st.AddJournalNote(ctx, data.JournalNote{At: fixedNow.Add(-2 * time.Hour), Text: "Walked to the shop"}); err != nil {
			t.Fatal(err)
		}
		for _, r := range []struct {
			typ, value string
			ago        time.Duration
		}{{data.VitalBloodPressure, "142/91", time.Hour}, {data.VitalWeight, "80", 3 * time.Hour}} {
			v, err := data.ParseVital(r.typ, r.value, "")
			if err != nil {
				t.Fatal(err)
			}
			v.At = fixedNow.Add(-r.ago)
			if _, err := st.AddVital(ctx, v, false); err != nil {
				t.Fatal(err)
			}
		}
	})
	ctrl(u, fyne.Key2)
	j := u.journal
	var titles []string
	for _, e := range j.entries {
		titles = append(titles, entryTitle(e))
	}
	want := []string{"Blood pressure 142/91 mmHg", "Note", "Weight 176.4 lb"}
	if strings.Join(titles, " | ") != strings.Join(want, " | ") {
		t.Errorf("timeline: %q, want %q", titles, want)
	}
	for i, it := range j.items {
		if it.day == "" && j.entries[it.entry].Kind == kindReading {
			j.list.Select(i)
			break
		}
	}
	if !j.edit.Disabled() || !j.del.Disabled() || j.selText.Text != msgReadingNoEdit() {
		t.Errorf("a reading selected in the journal: edit disabled %v, delete disabled %v, %q",
			j.edit.Disabled(), j.del.Disabled(), j.selText.Text)
	}
}

// TestReadingsMarkup: the Readings screen with two weeks of blood pressure and a target
// range, and with a refused value.
func TestReadingsMarkup(t *testing.T) {
	setup := func(ctx context.Context, st *data.Store) {
		for d := 14; d >= 0; d -= 2 {
			bp := []string{"128/82", "138/88", "131/84", "126/80"}[d/2%4]
			v, err := data.ParseVital(data.VitalBloodPressure, bp, "")
			if err != nil {
				t.Fatal(err)
			}
			v.At = fixedNow.AddDate(0, 0, -d).Add(-6 * time.Hour)
			if _, err := st.AddVital(ctx, v, d == 0); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := st.PutSetting(ctx, data.TargetKey(data.VitalBloodPressure), "90-135/60-85"); err != nil {
			t.Fatal(err)
		}
	}
	u := openReadings(t, "en_GB.UTF-8", setup)
	assertMarkup(t, u, "readings.xml")
	test.Type(u.readings.top, "80")
	test.Type(u.readings.bottom, "95")
	test.Tap(u.readings.save)
	assertMarkup(t, u, "readings_error.xml")
}

// TestReadingsFitLargeText: the Readings screen fits a 1000-pixel window at 200 % text,
// with readings in its list.
func TestReadingsFitLargeText(t *testing.T) {
	u := openReadings(t, "en_GB.UTF-8", func(ctx context.Context, st *data.Store) {
		v, err := data.ParseVital(data.VitalBloodPressure, "142/91", "")
		if err != nil {
			t.Fatal(err)
		}
		v.At, v.Note = fixedNow.Add(-time.Hour), "after my walk"
		if _, err := st.AddVital(ctx, v, false); err != nil {
			t.Fatal(err)
		}
	})
	pad := 2 * u.win.Canvas().Scale() * 6
	for _, scale := range []float32{1, 2} {
		u.setTextScale(scale)
		ctrl(u, fyne.Key2)
		ctrl(u, fyne.Key8)
		if w := u.win.Content().MinSize().Width + pad; w > 1000 {
			for i, o := range u.readings.body.Objects {
				t.Logf("%d %T %.0f", i, o, o.MinSize().Width)
			}
			t.Errorf("Readings at %.0f %% text needs %.0f px", scale*100, w)
		}
	}
}
