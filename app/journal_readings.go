package app

// Readings in the Journal's timeline: each page of journal entries is joined by the
// readings taken in the same stretch of time, as lines like "Blood pressure 142/91 mmHg".
// They are shown, not edited there (the Readings screen keeps them), and a search or a
// symptom filter leaves them out: neither looks at readings.

import (
	"context"
	"os"
	"sort"
	"time"

	"github.com/patient-companion/companion/app/tr"
	"github.com/patient-companion/companion/data"
)

// kindReading marks a timeline row that is a reading (never stored as a journal entry).
const kindReading data.Kind = "reading"

func msgReadingNoEdit() string { return tr.T("readings.no_edit_here") }

// editable says whether a timeline row can be edited or deleted in the Journal.
func editable(e data.Entry) bool { return e.Kind != data.KindDose && e.Kind != kindReading }

// noEditText says where a row that cannot be edited here is changed.
func noEditText(e data.Entry) string {
	if e.Kind == kindReading {
		return msgReadingNoEdit()
	}
	return msgDoseNoEdit()
}

// withReadings merges into page (newest first) the readings taken at or after lo (zero: any
// time) and before hi (zero: any time), within f's dates; none with a symptom filter.
func withReadings(ctx context.Context, st *data.Store, page []data.Entry, lo, hi time.Time, f data.EntryFilter) ([]data.Entry, error) {
	if f.Symptom != "" {
		return page, nil
	}
	if lo.IsZero() || f.Since.After(lo) {
		lo = f.Since
	}
	vs, err := st.ListVitals(ctx, "", lo)
	var bad data.TamperedError
	if err = bad.Keep(err); err != nil {
		return page, err
	}
	if len(vs) == 0 {
		return page, bad.OrNil()
	}
	set, err := st.Settings(ctx)
	if err = bad.Keep(err); err != nil {
		return page, err
	}
	units := data.VitalUnitsFor(set, data.Locale(os.Getenv))
	out := append([]data.Entry(nil), page...)
	for _, v := range vs {
		if !hi.IsZero() && !v.At.Before(hi) || !f.Until.IsZero() && !v.At.Before(f.Until) {
			continue
		}
		out = append(out, data.Entry{ID: "reading:" + v.ID, Kind: kindReading, At: v.At,
			Name: readingLine(v, units[v.Type]), Note: v.Note})
	}
	sort.SliceStable(out, func(i, k int) bool { return out[i].At.After(out[k].At) })
	return out, bad.OrNil()
}

// pageStart is the time a page of the timeline reaches back to: its oldest entry's, or
// none (zero) when it is the last page.
func pageStart(p data.EntryPage) time.Time {
	if !p.More || len(p.Entries) == 0 {
		return time.Time{}
	}
	return p.Entries[len(p.Entries)-1].At
}
