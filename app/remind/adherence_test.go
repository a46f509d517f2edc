package remind

import (
	"testing"
	"time"

	"github.com/patient-companion/companion/data"
)

func TestMedAdherence(t *testing.T) {
	daily := []data.Step{{Times: []data.TimeOfDay{tod("08:00"), tod("20:00")}, Start: date("2026-03-01")}}
	taper := []data.Step{
		{Times: []data.TimeOfDay{tod("08:00"), tod("20:00")}, Start: date("2026-03-01"), End: date("2026-03-15"), Dose: "2 tablets"},
		{Times: []data.TimeOfDay{tod("08:00")}, Start: date("2026-03-16"), Dose: "1 tablet"},
	}
	ev := func(sched, state, at string) data.DoseEvent {
		e := data.DoseEvent{MedicationID: "m", State: state, At: utc(at)}
		if sched != "" {
			e.ScheduledAt = utc(sched)
		}
		return e
	}
	for _, tc := range []struct {
		name    string
		med     data.Medication
		events  []data.DoseEvent
		now     string
		want    Adherence
		comment string
	}{{
		name: "one of each, this morning's dose still open",
		med:  data.Medication{ID: "m", Steps: daily, CreatedAt: utc("2026-03-29T07:00:00Z")},
		events: []data.DoseEvent{
			ev("2026-03-29T08:00:00Z", data.DoseTaken, "2026-03-29T08:10:00Z"),
			ev("2026-03-29T20:00:00Z", data.DoseTaken, "2026-03-29T21:00:00Z"),
			ev("2026-03-30T08:00:00Z", data.DoseSkipped, "2026-03-30T08:00:00Z"),
		},
		now:  "2026-03-31T09:00:00Z",
		want: Adherence{Taken: 1, Late: 1, Skipped: 1, Missed: 1},
	}, {
		name: "a dose taken early counts at once",
		med:  data.Medication{ID: "m", Steps: daily, CreatedAt: utc("2026-03-31T07:00:00Z")},
		events: []data.DoseEvent{
			ev("2026-03-31T08:00:00Z", data.DoseTaken, "2026-03-31T07:40:00Z"),
		},
		now:  "2026-03-31T07:45:00Z",
		want: Adherence{Taken: 1},
	}, {
		name: "recorded missed, and a snooze never answered",
		med:  data.Medication{ID: "m", Steps: daily, CreatedAt: utc("2026-03-30T07:00:00Z")},
		events: []data.DoseEvent{
			ev("2026-03-30T08:00:00Z", data.DoseMissed, "2026-03-30T08:00:00Z"),
			{MedicationID: "m", ScheduledAt: utc("2026-03-30T20:00:00Z"), State: data.DoseSnoozed, At: utc("2026-03-30T20:01:00Z"), SnoozeUntil: utc("2026-03-30T20:11:00Z")},
		},
		now:  "2026-03-31T07:00:00Z",
		want: Adherence{Missed: 2},
	}, {
		name: "nothing before the medicine was added is missed",
		med:  data.Medication{ID: "m", Steps: daily, CreatedAt: utc("2026-03-30T12:00:00Z")},
		now:  "2026-03-31T07:00:00Z",
		want: Adherence{Missed: 1},
	}, {
		name: "a dose just past its time is not missed yet",
		med:  data.Medication{ID: "m", Steps: daily, CreatedAt: utc("2026-03-31T07:00:00Z"), DoseWindow: 3 * time.Hour},
		now:  "2026-03-31T10:30:00Z",
		want: Adherence{},
	}, {
		name: "taper: two a day, then one; only the last 30 days",
		med:  data.Medication{ID: "m", Steps: taper, CreatedAt: utc("2026-02-01T00:00:00Z")},
		events: []data.DoseEvent{
			ev("2026-03-01T08:00:00Z", data.DoseTaken, "2026-03-01T08:00:00Z"), // more than 30 days ago
			ev("2026-03-10T20:00:00Z", data.DoseTaken, "2026-03-10T20:05:00Z"),
			ev("2026-03-20T08:00:00Z", data.DoseSkipped, "2026-03-20T08:05:00Z"),
		},
		now: "2026-03-31T09:00:00Z",
		// 1 March 20:00, 14 days × 2 (2–15 March), 16 March … 30 March × 1 (31 March is open).
		want: Adherence{Taken: 1, Skipped: 1, Missed: 1 + 28 + 15 - 2},
	}, {
		name: "archived: history counts, nothing after archiving is missed",
		med: data.Medication{ID: "m", Steps: []data.Step{{Times: []data.TimeOfDay{tod("08:00")}, Start: date("2026-03-01")}},
			CreatedAt: utc("2026-03-01T00:00:00Z"), Archived: true, ArchivedAt: utc("2026-03-20T12:00:00Z")},
		events: []data.DoseEvent{
			ev("2026-03-02T08:00:00Z", data.DoseTaken, "2026-03-02T08:01:00Z"),
		},
		now: "2026-03-31T09:00:00Z",
		// 2 … 20 March: 19 doses, one taken.
		want: Adherence{Taken: 1, Missed: 18},
	}, {
		name: "schedule changed: answers to the old times count, its unanswered ones do not",
		med: data.Medication{ID: "m", Steps: []data.Step{{Times: []data.TimeOfDay{tod("09:00")}, Start: date("2026-03-01")}},
			CreatedAt: utc("2026-03-01T00:00:00Z"), ScheduleFrom: utc("2026-03-30T12:00:00Z")},
		events: []data.DoseEvent{
			ev("2026-03-29T08:00:00Z", data.DoseTaken, "2026-03-29T08:02:00Z"),
		},
		now: "2026-03-31T12:00:00Z",
		// The 08:00 of 29 March is a fact; of the new 09:00 doses only 31 March's was due.
		want: Adherence{Taken: 1, Missed: 1},
	}, {
		name: "restored: the archived stretch is not missed",
		med: data.Medication{ID: "m", Steps: []data.Step{{Times: []data.TimeOfDay{tod("08:00")}, Start: date("2026-03-01")}},
			CreatedAt: utc("2026-03-01T00:00:00Z"), ScheduleFrom: utc("2026-03-29T12:00:00Z")},
		events: []data.DoseEvent{
			ev("2026-03-10T08:00:00Z", data.DoseMissed, "2026-03-10T08:00:00Z"),
		},
		now:  "2026-03-31T12:00:00Z",
		want: Adherence{Missed: 3}, // 10 March as recorded, 30 and 31 March
	}, {
		name: "as needed: doses logged, nothing missed",
		med:  data.Medication{ID: "m", AsNeeded: true, CreatedAt: utc("2026-01-01T00:00:00Z")},
		events: []data.DoseEvent{
			ev("", data.DoseTaken, "2026-02-01T10:00:00Z"), // too old
			ev("", data.DoseTaken, "2026-03-10T10:00:00Z"),
			ev("", data.DoseTaken, "2026-03-30T22:00:00Z"),
		},
		now:  "2026-03-31T09:00:00Z",
		want: Adherence{AsNeeded: 2},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			got := MedAdherence(tc.med, tc.events, time.UTC, utc(tc.now))
			if got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

// The wall clock decides: in New York a dose at 08:00 local is 13:00 UTC in winter.
func TestMedAdherenceZone(t *testing.T) {
	ny := zone(t, "America/New_York")
	m := data.Medication{ID: "m", Steps: []data.Step{{Times: []data.TimeOfDay{tod("08:00")}, Start: date("2026-03-01")}},
		CreatedAt: utc("2026-03-01T00:00:00Z")}
	evs := []data.DoseEvent{{MedicationID: "m", ScheduledAt: utc("2026-03-02T13:00:00Z"), State: data.DoseTaken, At: utc("2026-03-02T13:10:00Z")}}
	got := MedAdherence(m, evs, ny, utc("2026-03-03T12:00:00Z"))
	// 1 March 08:00 EST was missed, 2 March taken; 3 March 08:00 EST (13:00 UTC) is to come.
	if want := (Adherence{Taken: 1, Missed: 1}); got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
}
