package app

import (
	"encoding/json"

	"github.com/patient-companion/companion/app/tr"
	"github.com/patient-companion/companion/sync/portal"
)

// isVisitSurvey reports whether a survey's questionnaire is the built-in one
// (portal.VisitSurvey), whose title and questions the window says in the person's
// language. A clinic's own survey is shown in the clinic's words.
func isVisitSurvey(questionnaire []byte) bool {
	var q struct {
		URL string `json:"url"`
	}
	return json.Unmarshal(questionnaire, &q) == nil && q.URL == portal.VisitSurveyURL
}

// visitSurveyText is a built-in survey question in the person's language, by its linkId.
// The answers sent to the clinic keep the questionnaire's English words.
func visitSurveyText(q portal.SurveyQuestion) string {
	switch q.LinkID {
	case "overall":
		return tr.T("survey.overall")
	case "time":
		return tr.T("survey.time")
	case "next-steps":
		return tr.T("survey.next_steps")
	case "recommend":
		return tr.T("survey.recommend")
	case "comment":
		return tr.T("survey.comment")
	}
	return q.Text
}
