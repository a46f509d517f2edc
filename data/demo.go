package data

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"time"
)

// CommonSymptoms are offered as suggestions when logging a symptom.
var CommonSymptoms = []string{
	"Headache", "Tiredness", "Dizziness", "Nausea", "Shortness of breath", "Chest pain",
	"Back pain", "Joint pain", "Swollen ankles", "Cough", "Fever", "Trouble sleeping",
	"Low mood", "Anxiety", "Palpitations", "Stomach ache", "Constipation", "Diarrhoea",
	"Itching", "Blurred vision", "Confusion", "Loss of appetite",
}

var (
	demoMoods = []string{"calm", "content", "tired", "worried", "low", "cheerful", "irritable"}
	demoNotes = []string{
		"Worse after climbing the stairs.", "Better after a rest.", "Started after breakfast.",
		"Woke up with it.", "Took a short walk, helped a little.", "Slept badly the night before.",
		"Gone by lunchtime.", "Came on suddenly.", "Mild, did not stop me doing things.",
		"Mentioned it to my daughter.", "",
	}
	demoFreeNotes = []string{
		"Ask the doctor about the new tablets.", "Blood test next week, remember to fast.",
		"Walked to the shop and back.", "Visited by the nurse today.",
		"Pharmacy changed the brand of my water tablets.", "Felt well enough to do some gardening.",
	}
)

// AddDemoEntries adds n realistic, synthetic journal entries spread back from today over up
// to five years. The same n always gives the same entries (times are relative to today),
// which makes benchmarks and screenshots repeatable. It writes in batches so 100,000 entries
// take seconds, and reports progress after each batch when progress is not nil.
func (s *Store) AddDemoEntries(ctx context.Context, n int, progress func(done, total int)) error {
	return s.addDemoEntries(ctx, n, progress, english)
}

// english is DemoWords for demo data in English, as written here.
func english(s string) string { return s }

// DemoWords puts a demo text, as written here in English, in the person's language (the
// app's translations of DemoTexts), so a demo profile made in German reads German.
type DemoWords func(english string) string

// DemoTexts are every text a demo profile may hold, in English: what DemoWords translates.
func DemoTexts() []string {
	out := append([]string{}, demoNotes...)
	out = append(out, demoFreeNotes...)
	out = append(out, demoProfileTexts...)
	return slices.DeleteFunc(out, func(s string) bool { return s == "" })
}

func (s *Store) addDemoEntries(ctx context.Context, n int, progress func(done, total int), w DemoWords) error {
	if n < 0 {
		return invalid("input.demo_negative", nil, "the number of demo entries cannot be negative")
	}
	rng := rand.New(rand.NewPCG(20261125, uint64(n)))
	now := s.now().In(s.loc)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, s.loc)
	days := min(5*365, max(30, n/3))
	// Written oldest first, as a real journal grows, so the file's layout (and so the
	// benchmarks that read it) resembles a real one.
	entries := make([]Entry, n)
	for i := range entries {
		entries[i] = demoEntry(rng, today, days, now, w)
	}
	sort.SliceStable(entries, func(i, j int) bool { return entries[i].At.Before(entries[j].At) })
	const batch = 5000
	for done := 0; done < n; {
		m := min(batch, n-done)
		err := s.inTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
			for _, e := range entries[done : done+m] {
				if err := s.insertEntry(ctx, tx, e); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("add demo entries: %w", err)
		}
		done += m
		if progress != nil {
			progress(done, n)
		}
	}
	s.mu.Lock()
	s.index = nil // rebuilt on the next search
	s.mu.Unlock()
	return nil
}

func demoEntry(rng *rand.Rand, today time.Time, days int, now time.Time, w DemoWords) Entry {
	day := today.AddDate(0, 0, -rng.IntN(days))
	at := day.Add(time.Duration(7*60+rng.IntN(15*60)) * time.Minute) // 07:00–22:00
	if at.After(now) {
		at = now.Add(-time.Duration(rng.IntN(60)+1) * time.Minute)
	}
	e := Entry{ID: randID(rng), At: at.Truncate(time.Millisecond), CreatedAt: at, UpdatedAt: at}
	switch r := rng.IntN(100); {
	case r < 70:
		sev := rng.IntN(8) + 1
		// Common symptoms and moods are stored in English and shown in the person's language
		// (the window's symptomWord and moodWord), so they group and filter as one.
		e.Kind, e.Name, e.Severity = KindSymptom, CommonSymptoms[rng.IntN(len(CommonSymptoms))], &sev
		if note := demoNotes[rng.IntN(len(demoNotes))]; note != "" {
			e.Note = w(note)
		}
		if rng.IntN(3) == 0 {
			e.Duration = time.Duration(15*(1+rng.IntN(16))) * time.Minute
		}
	case r < 85:
		e.Kind, e.Name = KindMood, demoMoods[rng.IntN(len(demoMoods))]
	default:
		e.Kind, e.Note = KindNote, w(demoFreeNotes[rng.IntN(len(demoFreeNotes))])
	}
	return e
}

// randID is newID drawn from rng, so demo data is repeatable.
func randID(rng *rand.Rand) string {
	var b [16]byte
	for i := range b {
		b[i] = byte(rng.UintN(256))
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// AddDemoProfile fills a profile with three months of realistic, synthetic data for first
// looks and screenshots: symptoms and moods, four medications (three scheduled, one as
// needed) with their dose history — mostly taken, some late, a few skipped or missed — past
// and upcoming appointments (questions for the doctor on one), a short thread with the care
// team, and a health record from the clinic (demorecord.go), whose Metformin the demo's own
// was added from before the clinic raised the dose. The same day gives the same data.
func (s *Store) AddDemoProfile(ctx context.Context) error { return s.AddDemoProfileIn(ctx, nil) }

// demoProfileTexts are AddDemoProfile's own texts (beside the journal's), for DemoTexts.
var demoProfileTexts = []string{"1 tablet", "2 tablets", "1 capsule", "with food", "in the evening",
	"Diabetes review", "Blood test", "Eye screening", "Riverside Health Centre, room 4", "Riverside Health Centre",
	"City Hospital, eye clinic", "Can I drive home after the eye drops?", "Should I bring my reading glasses?",
	"My blood sugar readings have been higher in the mornings this week. Should I change anything?",
	"Thank you for letting us know. Please keep a note of the readings and bring them to your blood test on Thursday.",
	"Nurse Patel", "Dr Okafor", "Is it fine to take paracetamol with my other tablets?",
	"Yes, paracetamol is fine with your other medicines. Do not take more than 8 tablets in 24 hours."}

// AddDemoProfileIn is AddDemoProfile with its texts in the person's language (nil: English).
// The health record from "the clinic" stays as the clinic wrote it.
func (s *Store) AddDemoProfileIn(ctx context.Context, w DemoWords) error {
	if w == nil {
		w = english
	}
	if err := s.addDemoEntries(ctx, 270, nil, w); err != nil {
		return err
	}
	now := s.now().In(s.loc)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, s.loc)
	start := today.AddDate(0, 0, -90)
	rng := rand.New(rand.NewPCG(20261125, 90))
	type med struct {
		m     Medication
		times []TimeOfDay
		stock Units // counted after the history (set then, so the history does not use it up)
	}
	meds := []med{
		{Medication{Name: "Metformin", Strength: "500 mg", Form: "tablet", Dose: w("1 tablet"), Instructions: w("with food")}, []TimeOfDay{8 * 60, 18 * 60}, 42 * UnitScale},
		// Five left: within its refill days, so the demo shows the refill reminder.
		{Medication{Name: "Ramipril", Strength: "5 mg", Form: "capsule", Dose: w("1 capsule")}, []TimeOfDay{8 * 60}, 5 * UnitScale},
		{Medication{Name: "Atorvastatin", Strength: "20 mg", Form: "tablet", Dose: w("1 tablet"), Instructions: w("in the evening")}, []TimeOfDay{21 * 60}, 0},
	}
	if err := s.addDemoRecord(ctx, today); err != nil {
		return err
	}
	// Added from the clinic's record when it said 1 tablet twice a day; it says 2 now.
	meds[0].m.FromRecord, meds[0].m.RecordDosage = demoLinkedMedicine, "demo: 1 tablet twice a day"
	for _, d := range meds {
		d.m.Steps = []Step{{Times: d.times, Start: DateOf(start)}}
		m, err := s.AddMedication(ctx, d.m)
		if err != nil {
			return err
		}
		for day := start; !day.After(today); day = day.AddDate(0, 0, 1) {
			for _, t := range d.times {
				at := time.Date(day.Year(), day.Month(), day.Day(), int(t)/60, int(t)%60, 0, 0, s.loc)
				if at.Add(20 * time.Minute).After(now) {
					continue // today's doses still to come, or just due, are left to answer
				}
				ev := DoseEvent{MedicationID: m.ID, ScheduledAt: at, State: DoseTaken, At: at.Add(time.Duration(rng.IntN(20)) * time.Minute)}
				switch r := rng.IntN(100); {
				case r < 6:
					ev.State, ev.At = DoseMissed, at
				case r < 10:
					ev.State = DoseSkipped
				case r < 18:
					ev.At = at.Add(time.Duration(35+rng.IntN(60)) * time.Minute) // late
				}
				if _, err := s.RecordDose(ctx, ev); err != nil {
					return err
				}
			}
		}
		if d.stock > 0 {
			if _, err := s.SetStock(ctx, m.ID, d.stock, true); err != nil {
				return err
			}
		}
	}
	prn, err := s.AddMedication(ctx, Medication{Name: "Paracetamol", Strength: "500 mg", Form: "tablet", Dose: w("2 tablets"), AsNeeded: true})
	if err != nil {
		return err
	}
	for i := 0; i < 12; i++ {
		at := start.Add(time.Duration(rng.IntN(90*24)) * time.Hour).Add(time.Duration(rng.IntN(60)) * time.Minute)
		if _, err := s.RecordDose(ctx, DoseEvent{MedicationID: prn.ID, State: DoseTaken, At: at}); err != nil {
			return err
		}
	}
	if _, err := s.SetStock(ctx, prn.ID, 16*UnitScale, true); err != nil {
		return err
	}
	appts := []Appointment{
		{Title: w("Diabetes review"), Location: w("Riverside Health Centre, room 4"), Start: today.AddDate(0, 0, -60).Add(10*time.Hour + 30*time.Minute)},
		{Title: w("Blood test"), Location: w("Riverside Health Centre"), Start: today.AddDate(0, 0, -21).Add(8*time.Hour + 45*time.Minute)},
		{Title: w("Eye screening"), Location: w("City Hospital, eye clinic"), Start: today.AddDate(0, 0, 3).Add(14 * time.Hour)},
		{Title: w("Diabetes review"), Location: w("Riverside Health Centre, room 4"), Start: today.AddDate(0, 0, 24).Add(10*time.Hour + 30*time.Minute)},
	}
	for i, a := range appts {
		a.End = a.Start.Add(30 * time.Minute)
		saved, err := s.AddAppointment(ctx, a)
		if err != nil {
			return err
		}
		if i == 2 { // the eye screening: questions written down for the doctor
			for _, q := range []string{"Can I drive home after the eye drops?", "Should I bring my reading glasses?"} {
				if _, err := s.AddQuestion(ctx, saved.ID, w(q)); err != nil {
					return err
				}
			}
		}
	}
	thread := []struct {
		in       bool
		daysAgo  int
		text     string
		fromWhom string
	}{
		{false, 20, "My blood sugar readings have been higher in the mornings this week. Should I change anything?", ""},
		{true, 19, "Thank you for letting us know. Please keep a note of the readings and bring them to your blood test on Thursday.", "Nurse Patel"},
		{false, 6, "Is it fine to take paracetamol with my other tablets?", ""},
		{true, 5, "Yes, paracetamol is fine with your other medicines. Do not take more than 8 tablets in 24 hours.", "Dr Okafor"},
	}
	for i, m := range thread {
		at := today.AddDate(0, 0, -m.daysAgo).Add(time.Duration(9+i) * time.Hour)
		if m.in {
			if _, err := s.UpsertIncomingMessage(ctx, fmt.Sprintf("demo-%d", i), Message{Text: w(m.text), Sender: w(m.fromWhom), At: at}); err != nil {
				return err
			}
			continue
		}
		// Demo notes were sent long ago: written on their day, sent, with no outbox item.
		now := toMillis(s.now())
		row := messageRow{id: newID(), at: toMillis(at), direction: DirectionOut, state: MessageSent,
			remoteID: sql.NullString{String: fmt.Sprintf("demo-out-%d", i), Valid: true}, created: now, updated: now}
		if err := s.inTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
			return s.writeMessage(ctx, tx, row, messageRecord{Text: w(m.text)})
		}); err != nil {
			return err
		}
	}
	return s.addDemoVitals(ctx, today, now)
}

// addDemoVitals adds six weeks of morning blood pressure (every other day, drifting down as
// the Ramipril works, a few above the target range set with it) and a weekly weight, so the
// Readings screen has a chart to show. None is shared: a demo profile sends nothing.
func (s *Store) addDemoVitals(ctx context.Context, today, now time.Time) error {
	rng := rand.New(rand.NewPCG(20261125, 14))
	var rs []Vital
	for d := 42; d >= 0; d -= 2 {
		at := today.AddDate(0, 0, -d).Add(7*time.Hour + time.Duration(40+rng.IntN(30))*time.Minute)
		sys := 146 - float64(42-d)/2 + float64(rng.IntN(11)) - 5
		dia := 89 - float64(42-d)/4 + float64(rng.IntN(7)) - 3
		rs = append(rs, Vital{Type: VitalBloodPressure, At: at, Value: math.Round(sys), Value2: math.Round(dia)})
	}
	for d := 42; d >= 0; d -= 7 {
		at := today.AddDate(0, 0, -d).Add(7*time.Hour + 30*time.Minute)
		kg := 81.4 - float64(42-d)/14*0.4 + float64(rng.IntN(5))/10
		rs = append(rs, Vital{Type: VitalWeight, At: at, Value: math.Round(kg*10) / 10})
	}
	for _, v := range rs {
		if v.At.After(now) {
			continue
		}
		if _, err := s.AddVital(ctx, v, false); err != nil {
			return err
		}
	}
	if _, err := s.PutSetting(ctx, TargetKey(VitalBloodPressure), "90-135/60-85"); err != nil {
		return err
	}
	return nil
}
