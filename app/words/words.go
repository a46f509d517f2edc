// Package words gives what the window and the report for the doctor both say in the person's
// language: the words the app stores in English whatever the language — the common symptoms
// (data.CommonSymptoms) and moods, so that entries name a common symptom alike in every
// language and a report groups them — a medicine's schedule and a reading's name.
package words

import (
	"strings"
	"time"

	"github.com/patient-companion/companion/app/tr"
	"github.com/patient-companion/companion/data"
)

// Moods are offered when logging a mood: stored in English, as they are here, and
// shown in the running language (Mood).
func Moods() []string {
	return []string{"Calm", "Content", "Cheerful", "Tired", "Worried", "Low", "Anxious", "Irritable"}
}

// Symptom is a stored symptom name as shown: one of data.CommonSymptoms (kept in English
// whatever the language) in the running language; anything else the person wrote as it is.
func Symptom(name string) string {
	if tr.Lang() == "en" {
		return name
	}
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "headache":
		return tr.T("journal.symptom_headache")
	case "tiredness":
		return tr.T("journal.symptom_tiredness")
	case "dizziness":
		return tr.T("journal.symptom_dizziness")
	case "nausea":
		return tr.T("journal.symptom_nausea")
	case "shortness of breath":
		return tr.T("journal.symptom_shortness_of_breath")
	case "chest pain":
		return tr.T("journal.symptom_chest_pain")
	case "back pain":
		return tr.T("journal.symptom_back_pain")
	case "joint pain":
		return tr.T("journal.symptom_joint_pain")
	case "swollen ankles":
		return tr.T("journal.symptom_swollen_ankles")
	case "cough":
		return tr.T("journal.symptom_cough")
	case "fever":
		return tr.T("journal.symptom_fever")
	case "trouble sleeping":
		return tr.T("journal.symptom_trouble_sleeping")
	case "low mood":
		return tr.T("journal.symptom_low_mood")
	case "anxiety":
		return tr.T("journal.symptom_anxiety")
	case "palpitations":
		return tr.T("journal.symptom_palpitations")
	case "stomach ache":
		return tr.T("journal.symptom_stomach_ache")
	case "constipation":
		return tr.T("journal.symptom_constipation")
	case "diarrhoea":
		return tr.T("journal.symptom_diarrhoea")
	case "itching":
		return tr.T("journal.symptom_itching")
	case "blurred vision":
		return tr.T("journal.symptom_blurred_vision")
	case "confusion":
		return tr.T("journal.symptom_confusion")
	case "loss of appetite":
		return tr.T("journal.symptom_loss_of_appetite")
	}
	return name
}

// Mood is a stored mood as shown: one of Moods in the running language, anything
// else as it is.
func Mood(name string) string {
	if tr.Lang() == "en" {
		return name
	}
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "calm":
		return tr.T("journal.mood_calm")
	case "content":
		return tr.T("journal.mood_content")
	case "cheerful":
		return tr.T("journal.mood_cheerful")
	case "tired":
		return tr.T("journal.mood_tired")
	case "worried":
		return tr.T("journal.mood_worried")
	case "low":
		return tr.T("journal.mood_low")
	case "anxious":
		return tr.T("journal.mood_anxious")
	case "irritable":
		return tr.T("journal.mood_irritable")
	}
	return name
}

// Schedule is a medicine's schedule in the person's language, for the window and the
// report alike: data.Medication's ScheduleText is the command line's, in English.
func Schedule(m data.Medication) string {
	if m.AsNeeded {
		return tr.T("medicines.only_when_needed")
	}
	s := ""
	for i, st := range m.Steps {
		if i == 0 {
			s = Step(st)
		} else {
			s = tr.T("medicines.step_then", tr.Args{"Before": s, "After": Step(st)})
		}
	}
	return s
}

// Step is one step: "08:00, 20:00 every day from 25 Nov 2025 (2 tablets)".
func Step(st data.Step) string {
	var s string
	if st.Cron != "" {
		s = tr.T("medicines.step_cron", tr.Args{"Cron": st.Cron})
	} else {
		ts := make([]string, len(st.Times))
		for i, t := range st.Times {
			ts[i] = t.String()
		}
		times := strings.Join(ts, ", ")
		switch {
		case len(st.Weekdays) > 0:
			ws := make([]string, len(st.Weekdays))
			for i, w := range st.Weekdays {
				ws[i] = WeekdayShort(w)
			}
			s = tr.T("medicines.step_weekdays", tr.Args{"Times": times, "Days": strings.Join(ws, ", ")})
		case st.EveryDays > 1:
			s = tr.N("medicines.step_every_days", st.EveryDays, tr.Args{"Times": times})
		default:
			s = tr.T("medicines.step_daily", tr.Args{"Times": times})
		}
	}
	date := func(d data.Date) string {
		return tr.Format(time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC), tr.DayMonthYear)
	}
	switch {
	case !st.Start.IsZero() && !st.End.IsZero():
		s = tr.T("medicines.step_from_to", tr.Args{"Step": s, "Start": date(st.Start), "End": date(st.End)})
	case !st.Start.IsZero():
		s = tr.T("medicines.step_from", tr.Args{"Step": s, "Start": date(st.Start)})
	case !st.End.IsZero():
		s = tr.T("medicines.step_until", tr.Args{"Step": s, "End": date(st.End)})
	}
	if st.Dose != "" {
		s = tr.T("medicines.step_dose", tr.Args{"Step": s, "Dose": st.Dose})
	}
	return s
}

// WeekdayShort is a day's short name in the person's language ("Mon", "Mo.").
func WeekdayShort(w time.Weekday) string {
	// 29 Nov 2026 is a Sunday: the day w after it is a w.
	return tr.Layout(time.Date(2026, 11, 29+int(w), 12, 0, 0, 0, time.UTC), "Mon")
}

// Vital names a reading type in plain words, as a heading or a choice.
func Vital(t string) string {
	switch t {
	case data.VitalBloodPressure:
		return tr.T("readings.kind_blood_pressure")
	case data.VitalPulse:
		return tr.T("readings.kind_pulse")
	case data.VitalWeight:
		return tr.T("readings.kind_weight")
	case data.VitalGlucose:
		return tr.T("readings.kind_glucose")
	case data.VitalTemperature:
		return tr.T("readings.kind_temperature")
	case data.VitalOxygen:
		return tr.T("readings.kind_oxygen")
	}
	return t
}
