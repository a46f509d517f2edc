package app

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/patient-companion/companion/app/health"
	"github.com/patient-companion/companion/app/tr"
	"github.com/patient-companion/companion/data"
	"github.com/patient-companion/companion/sync/fhir/fhirtest"
)

// putRecord stores a health record fixture ("alice") in st as the portal sync would: each
// resource by its type and id.
func putRecord(t *testing.T, st *data.Store, name string) {
	t.Helper()
	res, err := fhirtest.RecordResources(name)
	if err != nil {
		t.Fatal(err)
	}
	var batch []data.ClinicalResource
	for _, r := range res {
		if !slices.Contains(data.ClinicalTypes, r["resourceType"].(string)) {
			continue // the Patient, a Binary
		}
		raw, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		batch = append(batch, data.ClinicalResource{Type: r["resourceType"].(string), RemoteID: r["id"].(string), Version: "1", Raw: raw})
	}
	if _, err := st.PutClinical(context.Background(), batch); err != nil {
		t.Fatal(err)
	}
}

// withRecord is a profile setup that stores Alice's record, then does more.
func withRecord(t *testing.T, more ...func(ctx context.Context, st *data.Store)) func(ctx context.Context, st *data.Store) {
	return func(ctx context.Context, st *data.Store) {
		putRecord(t, st, fhirtest.Alice)
		for _, f := range more {
			f(ctx, st)
		}
	}
}

// openRecord opens a profile and goes to the Health record with Ctrl+7.
func openRecord(t *testing.T, setup func(ctx context.Context, st *data.Store)) *UI {
	t.Helper()
	u := openToday(t, &testClock{t: fixedNow}, setup)
	ctrl(u, fyne.Key7)
	if u.record == nil {
		t.Fatal("Ctrl+7 should show the Health record")
	}
	return u
}

func TestRecordEmptyStates(t *testing.T) {
	u := openRecord(t, nil)
	assertShows(t, u.record.status, msgRecordNotLinked())
	if len(u.record.list.Objects) != 0 {
		t.Error("an empty record lists sections")
	}
	u = openRecord(t, func(ctx context.Context, st *data.Store) {
		if err := st.SetPortalConnection(ctx, data.Portal{URL: "https://portal.example.org/fhir", PatientID: "p1"}); err != nil {
			t.Fatal(err)
		}
	})
	assertShows(t, u.record.status, msgRecordEmpty())
	test.Tap(u.record.nav.record) // the side bar's button shows it too
	if u.record == nil {
		t.Fatal("the Health record button should show the Health record")
	}
}

// TestRecordAllergies: allergies are there, first, in words: the reactions, how severe, and
// a high criticality said as a risk.
func TestRecordAllergies(t *testing.T) {
	u := openRecord(t, withRecord(t))
	s := u.record
	if s.status.Visible() {
		t.Fatalf("status shows %q with a record", s.status.Text)
	}
	if len(s.allergies) != 2 {
		t.Fatalf("%d allergies shown, want 2", len(s.allergies))
	}
	pen := s.allergies[0].Text
	for _, want := range []string{"Severe reaction:", "High risk"} {
		if !strings.Contains(pen, want) {
			t.Errorf("the penicillin allergy reads %q, want it to say %q", pen, want)
		}
	}
	// Allergies come before everything else.
	if l, ok := s.list.Objects[0].(*widget.Label); !ok || l.Text != "Allergies" || !hasTextContaining(s.list.Objects[1], "Allergy: Penicillin") {
		t.Error("the first section should be the allergies, starting with penicillin")
	}
}

// TestRecordTrendFlagsInWords: a result outside its range is flagged in words on the test's
// line and in the chart's summary, and by shape in the chart (a triangle up, not a dot).
func TestRecordTrendFlagsInWords(t *testing.T) {
	u := openRecord(t, withRecord(t))
	var a1c, bp *recordTest
	for _, rt := range u.record.tests {
		switch rt.name {
		case "HbA1c":
			a1c = rt
		case "Blood pressure":
			bp = rt
		}
	}
	if a1c == nil || bp == nil {
		t.Fatalf("tests shown: %v", testNames(u.record.tests))
	}
	if !strings.Contains(a1c.latest.Text, "7.9 % — High") {
		t.Errorf("HbA1c's latest reads %q", a1c.latest.Text)
	}
	if !strings.Contains(a1c.summary.Text, "8.4 % (High)") || !strings.Contains(a1c.summary.Text, "shaded band") {
		t.Errorf("HbA1c's summary reads %q", a1c.summary.Text)
	}
	if a1c.chart == nil {
		t.Fatal("HbA1c has two results: it should have a chart")
	}
	r := test.WidgetRenderer(a1c.chart).(*trendRenderer)
	for i, m := range r.marks {
		if !m.up.Visible() || m.dot.Visible() || m.word == nil || m.word.Text != "High" {
			t.Errorf("HbA1c point %d: a high value should be a triangle up with the word High", i)
		}
	}
	if !r.band.Visible() {
		t.Error("the reference range should show as a band")
	}
	// Blood pressure: both numbers, the old one in range as a dot.
	if bp.chart == nil || !bp.chart.d.pair {
		t.Fatal("blood pressure should be charted with both numbers")
	}
	br := test.WidgetRenderer(bp.chart).(*trendRenderer)
	if len(br.marks) != 2 || br.marks[0].second == nil || !br.marks[0].dot.Visible() || !br.marks[1].up.Visible() {
		t.Error("blood pressure: 128/79 in range as a dot, 142/91 high as a triangle, each with its bottom number")
	}
	if !strings.Contains(bp.latest.Text, "142/91") {
		t.Errorf("blood pressure's latest reads %q", bp.latest.Text)
	}
}

func testNames(ts []*recordTest) []string {
	var out []string
	for _, t := range ts {
		out = append(out, t.name)
	}
	return out
}

// recordMed is the clinic medicine of the record whose name starts with name.
func recordMed(t *testing.T, u *UI, name string) *recordMedRow {
	t.Helper()
	for _, m := range u.record.meds {
		if strings.HasPrefix(m.row.Name, name) {
			return m
		}
	}
	t.Fatalf("no clinic medicine %s on the Health record", name)
	return nil
}

// TestAddToMyMedicines: "Add to my medicines" opens the editor prefilled from the clinic's
// dosage — the `when` codes at the profile's times — and saving keeps the link.
func TestAddToMyMedicines(t *testing.T) {
	u := openRecord(t, withRecord(t, func(ctx context.Context, st *data.Store) {
		if _, err := st.PutSetting(ctx, data.KeyTimeMorning, "07:30"); err != nil {
			t.Fatal(err)
		}
	}))
	test.Tap(recordMed(t, u, "Metformin").add)
	f := u.medForm()
	if u.medications == nil || f == nil {
		t.Fatal("Add to my medicines should open the medicine editor on Medicines")
	}
	if !strings.HasPrefix(f.name.Text, "Metformin") || !f.origin.Visible() {
		t.Fatalf("the editor shows %q, origin %q", f.name.Text, f.origin.Text)
	}
	var times []string
	for _, tf := range f.steps[0].times {
		times = append(times, tf.entry.Text)
	}
	if !slices.Equal(times, []string{"07:30", "18:00"}) {
		t.Errorf("times %v, want MORN at the profile's 07:30 and EVE at 18:00", times)
	}
	test.Tap(f.save)
	if u.medForm() != nil {
		t.Fatalf("saving failed: %q", f.state.Text)
	}
	meds := storedMeds(t, u)
	if len(meds) != 1 || meds[0].FromRecord != "mr-metformin" || meds[0].RecordDosage == "" {
		t.Fatalf("stored %+v", meds)
	}
	if got := meds[0].Steps[0].Times; len(got) != 2 || got[0] != hm(7, 30) || got[1] != hm(18, 0) {
		t.Errorf("stored times %v", got)
	}
	// Back on the Health record, it is in the person's medicines now.
	ctrl(u, fyne.Key7)
	if m := recordMed(t, u, "Metformin"); m.add != nil || m.added == nil {
		t.Error("an added medicine should say it is in your medicines, not offer adding again")
	}
}

// TestAddToMyMedicinesToFinish: a dosage whose timing does not map (every 6 hours) opens the
// editor saying what to finish, and does not save until the schedule is there.
func TestAddToMyMedicinesToFinish(t *testing.T) {
	u := openRecord(t, withRecord(t, func(ctx context.Context, st *data.Store) {
		raw := []byte(`{"resourceType": "MedicationRequest", "id": "mr-every6h", "status": "active", "intent": "order",
			"medicationCodeableConcept": {"text": "Amoxicillin 500 mg capsule"}, "subject": {"reference": "Patient/alice"},
			"dosageInstruction": [{"text": "1 capsule every 6 hours", "timing": {"repeat": {"frequency": 1, "period": 6, "periodUnit": "h"}}}]}`)
		if _, err := st.PutClinical(ctx, []data.ClinicalResource{{Type: "MedicationRequest", RemoteID: "mr-every6h", Raw: raw}}); err != nil {
			t.Fatal(err)
		}
	}))
	test.Tap(recordMed(t, u, "Amoxicillin").add)
	f := u.medForm()
	if f == nil || !f.origin.Visible() || !strings.Contains(f.origin.Text, "Please finish the schedule below before saving") {
		t.Fatalf("the editor should say what to finish, says %q", f.origin.Text)
	}
	test.Tap(f.save)
	if len(storedMeds(t, u)) != 0 || u.medForm() == nil {
		t.Fatal("it should not save before the times are given")
	}
	assertShows(t, f.steps[0].timesErr, msgMedNoTimes())
	f.steps[0].times[0].entry.SetText("06:00")
	test.Tap(f.save)
	if ms := storedMeds(t, u); len(ms) != 1 || ms[0].FromRecord != "mr-every6h" {
		t.Fatalf("stored %+v", ms)
	}
}

// TestEditKeepsRecordLink: editing a medicine added from the record keeps its link (the
// editor dropped FromRecord and RecordDosage before).
func TestEditKeepsRecordLink(t *testing.T) {
	u := openMeds(t, &testClock{t: fixedNow}, func(ctx context.Context, st *data.Store) {
		if _, err := st.AddMedication(ctx, data.Medication{Name: "Lisinopril", Dose: "1 tablet", FromRecord: "mr-lisinopril",
			RecordDosage: "sig-1", Steps: []data.Step{{Times: []data.TimeOfDay{hm(8, 0)}}}}); err != nil {
			t.Fatal(err)
		}
	})
	test.Tap(u.medications.rows[0].edit)
	f := u.medForm()
	f.instructions.SetText("with water")
	test.Tap(f.save)
	m := storedMeds(t, u)[0]
	if m.Instructions != "with water" || m.FromRecord != "mr-lisinopril" || m.RecordDosage != "sig-1" {
		t.Errorf("after editing: instructions %q, link %q %q", m.Instructions, m.FromRecord, m.RecordDosage)
	}
}

// TestDoseChangedNotice: a linked medicine whose record's dosage differs from when it was
// added says "Your clinic changed the dose"; reviewing and saving it takes the notice away.
func TestDoseChangedNotice(t *testing.T) {
	u := openMeds(t, &testClock{t: fixedNow}, withRecord(t, func(ctx context.Context, st *data.Store) {
		res, err := st.ClinicalResources(ctx, "MedicationRequest")
		if err != nil {
			t.Fatal(err)
		}
		sig := map[string]string{}
		for _, r := range res {
			sig[r.RemoteID] = health.DosageSignature(r)
		}
		for _, m := range []data.Medication{
			{Name: "Lisinopril", FromRecord: "mr-lisinopril", RecordDosage: "an older dosage"},
			{Name: "Atorvastatin", FromRecord: "mr-atorvastatin", RecordDosage: sig["mr-atorvastatin"]},
		} {
			m.Steps = []data.Step{{Times: []data.TimeOfDay{hm(8, 0)}}}
			if _, err := st.AddMedication(ctx, m); err != nil {
				t.Fatal(err)
			}
		}
	}))
	var changed, same *medRow
	for _, r := range u.medications.rows {
		switch r.info.med.Name {
		case "Lisinopril":
			changed = r
		case "Atorvastatin":
			same = r
		}
	}
	if changed == nil || changed.changed == nil || !changed.changed.Visible() || changed.changed.Text != "Your clinic changed the dose: now 1 tablet every morning at 8." {
		t.Fatal("Lisinopril's record changed: it should say so")
	}
	if same.changed != nil || same.review != nil {
		t.Error("Atorvastatin's record has not changed: no notice")
	}
	test.Tap(changed.review)
	f := u.medForm()
	if f == nil || !strings.Contains(f.origin.Text, "1 tablet every morning at 8") {
		t.Fatalf("reviewing should open the editor with what the clinic says now")
	}
	test.Tap(f.save)
	for _, r := range u.medications.rows {
		if r.changed != nil {
			t.Errorf("%s still says the dose changed after it was reviewed", r.info.med.Name)
		}
	}
	for _, m := range storedMeds(t, u) {
		if m.Name == "Lisinopril" && (m.FromRecord != "mr-lisinopril" || m.RecordDosage == "" || m.RecordDosage == "an older dosage") {
			t.Errorf("after the review, the link is %q %q: want the record's dosage now", m.FromRecord, m.RecordDosage)
		}
	}
}

// TestRecordPDFNotInDataFolder: a document's PDF is written where the person chose — but
// never inside the data folder, where the empty file the save dialog made is removed again.
func TestRecordPDFNotInDataFolder(t *testing.T) {
	u := openRecord(t, nil)
	s := u.record
	pdf := []byte("%PDF-1.4 a visit summary")
	save := func(path string) {
		t.Helper()
		w, err := storage.Writer(storage.NewFileURI(path))
		if err != nil {
			t.Fatal(err)
		}
		u.writeRecordPDF(s, pdf, w)
	}
	inside := filepath.Join(u.opt.Profiles.Dir, "summary.pdf")
	save(inside)
	if _, err := os.Stat(inside); !os.IsNotExist(err) {
		t.Errorf("a PDF was left in the data folder (%v)", err)
	}
	assertShows(t, s.notice, msgRecordPDFInside())
	outside := filepath.Join(t.TempDir(), "summary.pdf")
	save(outside)
	if b, err := os.ReadFile(outside); err != nil || string(b) != string(pdf) {
		t.Errorf("saved %q, %v", b, err)
	}
	assertShows(t, s.notice, "Saved summary.pdf. It is not encrypted: keep it somewhere private.")
}

func TestRecordMarkup(t *testing.T) {
	u := openRecord(t, nil)
	assertMarkup(t, u, "record_empty.xml")
	u = openRecord(t, withRecord(t))
	assertMarkup(t, u, "record.xml")
}

// TestRecordNotShared: a type the portal refused reads "your clinic does not share X" in its
// section, while the types it shares show as usual.
func TestRecordNotShared(t *testing.T) {
	u := openRecord(t, withRecord(t, func(ctx context.Context, st *data.Store) {
		if err := st.SetPortalConnection(ctx, data.Portal{URL: "https://portal.example.org/fhir", PatientID: "p1"}); err != nil {
			t.Fatal(err)
		}
		for _, typ := range []string{"Immunization", "DiagnosticReport"} {
			if err := st.SetSyncMark(ctx, typ+".not_shared", "yes"); err != nil {
				t.Fatal(err)
			}
		}
	}))
	s := u.record
	if len(s.notShared) != 1 || !strings.HasPrefix(s.notShared[0].Text, "Your clinic does not share vaccinations") {
		t.Fatalf("not shared: %d labels", len(s.notShared))
	}
	if len(s.tests) == 0 || len(s.allergies) != 2 {
		t.Error("the types the clinic shares should still show")
	}
}

// TestRecordFetchEverythingAgain: the Health record's full resync runs Options.SyncFull (not
// the ordinary sync), and the screen reads the record again after it.
func TestRecordFetchEverythingAgain(t *testing.T) {
	u := openToday(t, &testClock{t: fixedNow}, nil)
	ctrl(u, fyne.Key7)
	if u.record.resync != nil {
		t.Fatal("without a full sync there is nothing to offer")
	}
	full := 0
	u.opt.SyncFull = func(ctx context.Context, st *data.Store) error {
		full++
		putRecord(t, st, fhirtest.Alice) // what the portal sends
		return nil
	}
	ctrl(u, fyne.Key1)
	ctrl(u, fyne.Key7)
	test.Tap(u.record.resync)
	if full != 1 {
		t.Fatalf("the full sync ran %d times", full)
	}
	if len(u.record.allergies) != 2 || u.record.sync.Disabled() || u.record.resync.Disabled() {
		t.Error("after the full sync the record should show, and both buttons work again")
	}
}

// TestRecordFitsLargeText: at 200 % text the Health record, with its charts, still fits a
// 1000 px wide window.
func TestRecordFitsLargeText(t *testing.T) {
	u := openRecord(t, withRecord(t))
	pad := 2 * u.win.Canvas().Scale() * 6
	for _, scale := range []float32{1, 1.5, 2} {
		u.setTextScale(scale)
		ctrl(u, fyne.Key1)
		ctrl(u, fyne.Key7)
		if w := u.win.Content().MinSize().Width + pad; w > 1000 {
			t.Errorf("the Health record at %.0f %% text needs %.0f px", scale*100, w)
		}
	}
}

// TestRecordKeyboard: Tab reaches every button of the Health record — Sync now, each Add to
// my medicines, each Save the PDF… — in the order they are on screen.
func TestRecordKeyboard(t *testing.T) {
	u := openRecord(t, withRecord(t))
	c := u.win.Canvas()
	var reached []string
	for i := 0; i < 60; i++ {
		c.FocusNext()
		if b, ok := c.Focused().(*widget.Button); ok {
			if b.Text == "Lock" {
				break // the screen's buttons come before the frame's
			}
			reached = append(reached, b.Text)
		}
	}
	count := func(s string) int {
		n := 0
		for _, r := range reached {
			if r == s {
				n++
			}
		}
		return n
	}
	if count("Sync now") != 1 || count("Add to my medicines") != 4 || count("Save the PDF…") != 2 {
		t.Errorf("Tab reached %q", reached)
	}
}

// TestRecordPerPerson: a caregiver with two open profiles sees each person's own record.
func TestRecordPerPerson(t *testing.T) {
	ctx := context.Background()
	p := testProfiles(t, nil)
	mum, _ := makeProfile(t, p, data.CreateOptions{Name: "Mum", Passphrase: []byte(goodPass), NoKeyring: true})
	makeProfile(t, p, data.CreateOptions{Name: "Dad", Passphrase: []byte("dads passphrase"), NoKeyring: true})
	st, err := p.Open(ctx, mum, data.Credentials{Passphrase: []byte(goodPass)})
	if err != nil {
		t.Fatal(err)
	}
	putRecord(t, st, fhirtest.Alice)
	st.Close()
	u := newTestUI(t, p)
	u.app.Preferences().SetString(prefLastProfile, mum.ID)
	u.showStart()
	unlockWith(t, u, goodPass)
	ctrl(u, fyne.Key7)
	if len(u.record.allergies) != 2 {
		t.Fatalf("Mum's record shows %d allergies", len(u.record.allergies))
	}
	u.record.nav.switcher.SetSelected("Dad")
	unlockWith(t, u, "dads passphrase")
	ctrl(u, fyne.Key7)
	if len(u.record.allergies) != 0 || len(u.record.list.Objects) != 0 {
		t.Fatal("Dad's Health record shows Mum's")
	}
	u.record.nav.switcher.SetSelected("Mum")
	ctrl(u, fyne.Key7)
	if len(u.record.allergies) != 2 {
		t.Error("back on Mum, her record should show again")
	}
}

// TestRecordTestManyValues: a test with more values than a chart can show draws the latest
// ones and says so; the summary still counts them all.
func TestRecordTestManyValues(t *testing.T) {
	var rows []health.Row
	for i := range 150 {
		v := 5 + float64(i%3)
		rows = append(rows, health.Row{Name: "Glucose", Value: "5", Unit: "mmol/L", Number: &v,
			Date: fixedNow.AddDate(0, 0, i-150)})
	}
	rt := newRecordTest(rows[len(rows)-1], rows, time.UTC)
	if rt.chart == nil || len(rt.chart.d.points) != maxChartPoints {
		t.Fatalf("the chart should draw the latest %d values", maxChartPoints)
	}
	if !strings.HasPrefix(rt.summary.Text, "150 results from") || !strings.Contains(rt.summary.Text, "The chart shows the latest 100.") {
		t.Errorf("summary %q", rt.summary.Text)
	}
}

// A medicine being written on Medicines is not replaced by Add to my medicines (what was
// typed would be lost): it comes back as it was, and the person is told.
func TestAddToMyMedicinesKeepsADraft(t *testing.T) {
	u := openRecord(t, withRecord(t))
	ctrl(u, fyne.Key3)
	test.Tap(u.medications.add)
	test.Type(u.medForm().name, "Vitamin D")
	ctrl(u, fyne.Key7)
	test.Tap(recordMed(t, u, "Metformin").add)
	f := u.medForm()
	if f == nil || f.name.Text != "Vitamin D" {
		t.Fatal("the medicine being written was replaced")
	}
	assertShows(t, u.medications.notice, msgRecordMedDraftOpen())
}

// TestRecordInGerman: the Health record speaks the running language — its own words, the
// words app/health builds, dates and the clinic's decimals — while names from the clinic
// stay as they were sent.
func TestRecordInGerman(t *testing.T) {
	tr.MustSetup("de")
	t.Cleanup(func() { tr.MustSetup("en") })
	u := openRecord(t, withRecord(t))
	var a1c *recordTest
	for _, rt := range u.record.tests {
		if rt.name == "HbA1c" {
			a1c = rt
		}
	}
	if a1c == nil {
		t.Fatalf("tests shown: %v", testNames(u.record.tests))
	}
	if !strings.HasPrefix(a1c.latest.Text, "Zuletzt: 7,9 % – Hoch (Normalbereich") || !strings.Contains(a1c.latest.Text, "Sept. 2026") {
		t.Errorf("HbA1c's latest reads %q", a1c.latest.Text)
	}
	if !strings.Contains(a1c.summary.Text, "8,4 % (Hoch)") {
		t.Errorf("HbA1c's summary reads %q", a1c.summary.Text)
	}
	r := test.WidgetRenderer(a1c.chart).(*trendRenderer)
	if r.marks[0].word == nil || r.marks[0].word.Text != "Hoch" {
		t.Error("the chart's marks should say Hoch")
	}
	if len(u.record.allergies) == 0 || !strings.HasPrefix(u.record.allergies[0].Text, "Schwere Reaktion: ") {
		t.Errorf("the first allergy reads %q", u.record.allergies[0].Text)
	}
	if !hasTextContaining(u.win.Content(), "Nicht gegeben: ") || !hasText(u.win.Content(), "Ihre Gesundheitsakte") {
		t.Error("the vaccination not given, or the heading, is not in German")
	}
}
