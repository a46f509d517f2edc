package app

import (
	"context"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/patient-companion/companion/app/tr"
	"github.com/patient-companion/companion/data"
)

// TestReminderKeysInEachLanguage: the reminder window's letters are the language's own,
// distinct, and the ones its key line names.
func TestReminderKeysInEachLanguage(t *testing.T) {
	for _, l := range tr.Languages {
		t.Run(l.Code, func(t *testing.T) {
			inLanguage(t, l.Code)
			keys := []string{tr.T("reminder.key_taken"), tr.T("reminder.key_skip"), tr.T("reminder.key_snooze")}
			line := tr.T("reminder.keys")
			seen := map[string]bool{}
			for _, k := range keys {
				if len([]rune(k)) != 1 || seen[k] || !strings.Contains(line, strings.ToUpper(k)+" ") {
					t.Errorf("%s: key %q (of %q) is not one letter of its own named in %q", l.Code, k, keys, line)
				}
				seen[k] = true
			}
		})
	}
}

// TestReminderKeyInGerman: G (genommen) takes the first dose in German.
func TestReminderKeyInGerman(t *testing.T) {
	inLanguage(t, "de")
	clk := &testClock{t: at(7, 0)}
	u := openToday(t, clk, func(ctx context.Context, st *data.Store) {
		addMed(t, st, "Metformin", "500 mg", hm(9, 0))
	})
	tick(t, u, clk, at(8, 59))
	tick(t, u, clk, at(9, 0))
	w := u.cur.reminder
	if w == nil {
		t.Fatal("a due dose should open the reminder window")
	}
	test.TypeOnCanvas(w.win.Canvas(), "t") // English's letter does nothing here
	if evs := doseEvents(t, u); len(evs) != 0 {
		t.Fatalf("t answered in German: %+v", evs)
	}
	test.TypeOnCanvas(w.win.Canvas(), "G")
	if evs := doseEvents(t, u); len(evs) != 1 || evs[0].State != data.DoseTaken {
		t.Fatalf("after G: events %+v", evs)
	}
}
