package data

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
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
	if n < 0 {
		return invalid("the number of demo entries cannot be negative")
	}
	rng := rand.New(rand.NewPCG(20261125, uint64(n)))
	now := s.now().In(s.loc)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, s.loc)
	days := min(5*365, max(30, n/3))
	// Written oldest first, as a real journal grows, so the file's layout (and so the
	// benchmarks that read it) resembles a real one.
	entries := make([]Entry, n)
	for i := range entries {
		entries[i] = demoEntry(rng, today, days, now)
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

func demoEntry(rng *rand.Rand, today time.Time, days int, now time.Time) Entry {
	day := today.AddDate(0, 0, -rng.IntN(days))
	at := day.Add(time.Duration(7*60+rng.IntN(15*60)) * time.Minute) // 07:00–22:00
	if at.After(now) {
		at = now.Add(-time.Duration(rng.IntN(60)+1) * time.Minute)
	}
	e := Entry{ID: randID(rng), At: at.Truncate(time.Millisecond), CreatedAt: at, UpdatedAt: at}
	switch r := rng.IntN(100); {
	case r < 70:
		sev := rng.IntN(8) + 1
		e.Kind, e.Name, e.Severity = KindSymptom, CommonSymptoms[rng.IntN(len(CommonSymptoms))], &sev
		e.Note = demoNotes[rng.IntN(len(demoNotes))]
		if rng.IntN(3) == 0 {
			e.Duration = time.Duration(15*(1+rng.IntN(16))) * time.Minute
		}
	case r < 85:
		e.Kind, e.Name = KindMood, demoMoods[rng.IntN(len(demoMoods))]
	default:
		e.Kind, e.Note = KindNote, demoFreeNotes[rng.IntN(len(demoFreeNotes))]
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
