// Package words gives the words the app stores in English, whatever the language, and shows
// in the person's: the common symptoms (data.CommonSymptoms) and moods, so that entries name
// a common symptom alike in every language and a report groups them. The window and the
// report for the doctor both show them through here.
package words

import (
	"strings"

	"github.com/patient-companion/companion/app/tr"
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
