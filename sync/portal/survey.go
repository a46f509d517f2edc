package portal

// Saying how a visit went (issue 15): after a finished appointment, the clinic's own
// Questionnaire for that kind of visit when the portal offers one, otherwise a built-in
// five-question experience survey. The answers go as a QuestionnaireResponse through the
// outbox, created once on our urn:uuid identifier.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/patient-companion/companion/data"
	"github.com/patient-companion/companion/sync/fhir"
)

// SurveysRefused is the reason kept on a survey's answers the clinic's portal does not take.
const SurveysRefused = "your clinic does not take surveys through the app"

// VisitSurveyURL is the canonical URL of the built-in survey.
const VisitSurveyURL = "https://patient-companion.org/fhir/Questionnaire/visit-experience"

// visitSurvey is the built-in experience survey: short, plain words, every question optional.
const visitSurvey = `{
  "resourceType": "Questionnaire",
  "url": "` + VisitSurveyURL + `",
  "version": "1",
  "name": "VisitExperience",
  "title": "How was your visit?",
  "status": "active",
  "item": [
    {"linkId": "overall", "type": "integer", "text": "Overall, how was your visit? (1 = very poor, 5 = very good)",
     "extension": [{"url": "http://hl7.org/fhir/StructureDefinition/minValue", "valueInteger": 1},
                   {"url": "http://hl7.org/fhir/StructureDefinition/maxValue", "valueInteger": 5}]},
    {"linkId": "time", "type": "boolean", "text": "Did you have enough time to ask your questions?"},
    {"linkId": "next-steps", "type": "boolean", "text": "Do you know what to do next?"},
    {"linkId": "recommend", "type": "integer", "text": "How likely are you to recommend the clinic to family or friends? (0 = not at all, 10 = very likely)",
     "extension": [{"url": "http://hl7.org/fhir/StructureDefinition/minValue", "valueInteger": 0},
                   {"url": "http://hl7.org/fhir/StructureDefinition/maxValue", "valueInteger": 10}]},
    {"linkId": "comment", "type": "text", "text": "Anything else you want to tell the clinic?"}
  ]
}`

// VisitSurvey is the built-in survey's Questionnaire.
func VisitSurvey() []byte { return []byte(visitSurvey) }

type questionnaire struct {
	URL        string `json:"url"`
	Version    string `json:"version"`
	Title      string `json:"title"`
	Name       string `json:"name"`
	Status     string `json:"status"`
	UseContext []struct {
		ValueCodeableConcept *struct {
			Text   string `json:"text"`
			Coding []struct {
				Code    string `json:"code"`
				Display string `json:"display"`
			} `json:"coding"`
		} `json:"valueCodeableConcept"`
	} `json:"useContext"`
	Item []qItem `json:"item"`
}

type qItem struct {
	LinkID       string  `json:"linkId"`
	Text         string  `json:"text"`
	Type         string  `json:"type"`
	Required     bool    `json:"required"`
	Item         []qItem `json:"item"`
	AnswerOption []struct {
		ValueCoding *struct {
			System  string `json:"system"`
			Code    string `json:"code"`
			Display string `json:"display"`
		} `json:"valueCoding"`
		ValueString  *string `json:"valueString"`
		ValueInteger *int64  `json:"valueInteger"`
	} `json:"answerOption"`
	Extension []struct {
		URL          string `json:"url"`
		ValueInteger *int64 `json:"valueInteger"`
	} `json:"extension"`
}

// PickSurvey chooses the survey for a finished appointment: the clinic's Questionnaire
// whose use context names the appointment's kind of visit, else the built-in one.
func PickSurvey(clinic []json.RawMessage) func(data.Appointment) (string, []byte) {
	return func(a data.Appointment) (string, []byte) {
		service := strings.ToLower(strings.TrimSpace(a.Service))
		for _, raw := range clinic {
			var q questionnaire
			if json.Unmarshal(raw, &q) != nil || q.Status != "active" || service == "" {
				continue
			}
			for _, uc := range q.UseContext {
				cc := uc.ValueCodeableConcept
				if cc == nil {
					continue
				}
				match := strings.ToLower(cc.Text) == service
				for _, c := range cc.Coding {
					match = match || strings.ToLower(c.Display) == service || strings.ToLower(c.Code) == service
				}
				if match {
					title := q.Title
					if title == "" {
						title = q.Name
					}
					return title, raw
				}
			}
		}
		return "How was your visit?", VisitSurvey()
	}
}

// flatItems lists a questionnaire's questions, groups opened.
func flatItems(items []qItem) []qItem {
	var out []qItem
	for _, it := range items {
		if it.Type == "group" || it.Type == "display" {
			out = append(out, flatItems(it.Item)...)
			continue
		}
		out = append(out, it)
	}
	return out
}

var dateRe = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

// CheckAnswers checks answers ({"linkId": value, ...}) against a questionnaire: every
// linkId one of its questions, every value of the question's type (and range, and among
// its options), every required question answered, at least one answer. It returns the
// answers as stored.
func CheckAnswers(questionnaireJSON, answers []byte) ([]byte, error) {
	var q questionnaire
	if err := json.Unmarshal(questionnaireJSON, &q); err != nil {
		return nil, fmt.Errorf("the survey cannot be read: %w", data.ErrDamaged)
	}
	var got map[string]any
	dec := json.NewDecoder(strings.NewReader(string(answers)))
	dec.UseNumber()
	if err := dec.Decode(&got); err != nil || got == nil {
		return nil, fmt.Errorf("%w: the answers must be a JSON object like {\"overall\": 4, \"comment\": \"Thank you\"}", data.ErrInvalid)
	}
	items := map[string]qItem{}
	var ids []string
	for _, it := range flatItems(q.Item) {
		items[it.LinkID] = it
		ids = append(ids, it.LinkID)
	}
	if len(got) == 0 {
		return nil, fmt.Errorf("%w: no answers: answer at least one of %s", data.ErrInvalid, strings.Join(ids, ", "))
	}
	for id, v := range got {
		it, ok := items[id]
		if !ok {
			return nil, fmt.Errorf("%w: %q is not a question of this survey (they are %s)", data.ErrInvalid, id, strings.Join(ids, ", "))
		}
		if err := checkAnswer(it, v); err != nil {
			return nil, fmt.Errorf("%w: %s: %v", data.ErrInvalid, id, err)
		}
	}
	for _, id := range ids {
		if _, ok := got[id]; !ok && items[id].Required {
			return nil, fmt.Errorf("%w: %q must be answered", data.ErrInvalid, id)
		}
	}
	return json.Marshal(got)
}

func checkAnswer(it qItem, v any) error {
	switch it.Type {
	case "boolean":
		if _, ok := v.(bool); !ok {
			return errors.New("answer true or false")
		}
	case "integer":
		n, ok := v.(json.Number)
		i, err := n.Int64()
		if !ok || err != nil {
			return errors.New("answer with a whole number")
		}
		for _, e := range it.Extension {
			if e.ValueInteger == nil {
				continue
			}
			if strings.HasSuffix(e.URL, "/minValue") && i < *e.ValueInteger || strings.HasSuffix(e.URL, "/maxValue") && i > *e.ValueInteger {
				return fmt.Errorf("%d is outside what the question allows", i)
			}
		}
	case "decimal":
		n, ok := v.(json.Number)
		f, err := n.Float64()
		if !ok || err != nil || math.IsInf(f, 0) {
			return errors.New("answer with a number")
		}
	case "string", "text", "url":
		s, ok := v.(string)
		if !ok || strings.TrimSpace(s) == "" || len(s) > 4000 {
			return errors.New("answer with some text (at most 4000 characters)")
		}
	case "date":
		s, ok := v.(string)
		if !ok || !dateRe.MatchString(s) {
			return errors.New("answer with a date, YYYY-MM-DD")
		}
	case "choice", "open-choice":
		for _, o := range it.AnswerOption {
			switch {
			case o.ValueCoding != nil && (v == o.ValueCoding.Code || v == o.ValueCoding.Display):
				return nil
			case o.ValueString != nil && v == *o.ValueString:
				return nil
			case o.ValueInteger != nil && fmt.Sprint(v) == fmt.Sprint(*o.ValueInteger):
				return nil
			}
		}
		if s, ok := v.(string); it.Type == "open-choice" && ok && strings.TrimSpace(s) != "" {
			return nil
		}
		return errors.New("answer with one of the question's options")
	default:
		return fmt.Errorf("questions of type %q cannot be answered here", it.Type)
	}
	return nil
}

// questionnaireResponse is a survey's answers as a FHIR QuestionnaireResponse.
func (e *Engine) questionnaireResponse(sv data.Survey) (map[string]any, error) {
	var q questionnaire
	if err := json.Unmarshal(sv.Questionnaire, &q); err != nil {
		return nil, err
	}
	var got map[string]any
	dec := json.NewDecoder(strings.NewReader(string(sv.Answers)))
	dec.UseNumber()
	if err := dec.Decode(&got); err != nil {
		return nil, err
	}
	var items []map[string]any
	for _, it := range flatItems(q.Item) {
		v, ok := got[it.LinkID]
		if !ok {
			continue
		}
		var ans map[string]any
		switch it.Type {
		case "boolean":
			ans = map[string]any{"valueBoolean": v}
		case "integer":
			ans = map[string]any{"valueInteger": v}
		case "decimal":
			ans = map[string]any{"valueDecimal": v}
		case "date":
			ans = map[string]any{"valueDate": v}
		case "choice", "open-choice":
			ans = map[string]any{"valueString": fmt.Sprint(v)}
			for _, o := range it.AnswerOption {
				if o.ValueCoding != nil && (v == o.ValueCoding.Code || v == o.ValueCoding.Display) {
					ans = map[string]any{"valueCoding": o.ValueCoding}
				}
				if o.ValueInteger != nil && fmt.Sprint(v) == fmt.Sprint(*o.ValueInteger) {
					ans = map[string]any{"valueInteger": *o.ValueInteger}
				}
			}
		default:
			ans = map[string]any{"valueString": v}
		}
		items = append(items, map[string]any{"linkId": it.LinkID, "text": it.Text, "answer": []map[string]any{ans}})
	}
	patient := map[string]string{"reference": "Patient/" + e.Patient}
	canonical := q.URL
	if canonical != "" && q.Version != "" {
		canonical += "|" + q.Version
	}
	qr := map[string]any{
		"resourceType": "QuestionnaireResponse",
		"identifier":   map[string]string{"system": identifierSystem, "value": "urn:uuid:" + sv.ID},
		"status":       "completed",
		"subject":      patient,
		"author":       patient,
		"source":       patient,
		"authored":     sv.UpdatedAt.Format(time.RFC3339),
		"item":         items,
	}
	if canonical != "" {
		qr["questionnaire"] = canonical
	}
	return qr, nil
}

func (e *Engine) pushSurvey(ctx context.Context, it data.OutboxItem, res *Result) error {
	sv, err := e.Store.Survey(ctx, it.EntityID)
	if err != nil {
		res.Errors = append(res.Errors, fmt.Sprintf("survey %s: %v", it.EntityID, err))
		return nil
	}
	return e.pushWaiting(ctx, it, waiting{resourceType: "QuestionnaireResponse", id: sv.ID, noun: "survey",
		what: "send survey", elsewhere: SurveysRefused,
		body: func() (any, error) { return e.questionnaireResponse(sv) },
		sent: e.Store.SurveySent, refused: e.Store.SurveyRefused}, res)
}

// pullQuestionnaires keeps the clinic's own surveys that name a kind of visit. A portal
// that does not share them (403, 404, no such type) is fine: the built-in survey stands in.
func (e *Engine) pullQuestionnaires(ctx context.Context) error {
	var found []json.RawMessage
	err := e.search(ctx, "Questionnaire", url.Values{"status": {"active"}, "_count": {"50"}}, func(raw fhir.Raw) error {
		var q questionnaire
		if json.Unmarshal(raw, &q) == nil && len(q.UseContext) > 0 && len(found) < 50 && len(raw) < 256<<10 {
			found = append(found, json.RawMessage(append([]byte(nil), raw...)))
		}
		return nil
	})
	var he *fhir.HTTPError
	switch {
	case errors.As(err, &he) && !he.Temporary() && he.Status != 401:
		return nil
	case err != nil:
		return unreachable("pull surveys", err)
	}
	return e.Store.SetClinicQuestionnaires(ctx, found)
}

// SurveyQuestion is one question of a survey, as a person answers it.
type SurveyQuestion struct {
	LinkID, Text, Type string
	Required           bool
	Options            []string // for a choice: what may be answered
	// Min and Max bound an integer answer where the questionnaire says (nil: no bound), so
	// the window can offer a row of numbers instead of a text field.
	Min, Max *int64
}

// SurveyQuestions lists a questionnaire's questions, groups opened.
func SurveyQuestions(questionnaireJSON []byte) []SurveyQuestion {
	var q questionnaire
	if json.Unmarshal(questionnaireJSON, &q) != nil {
		return nil
	}
	var out []SurveyQuestion
	for _, it := range flatItems(q.Item) {
		sq := SurveyQuestion{LinkID: it.LinkID, Text: it.Text, Type: it.Type, Required: it.Required}
		for _, e := range it.Extension {
			switch {
			case e.ValueInteger == nil:
			case strings.HasSuffix(e.URL, "/minValue"):
				sq.Min = e.ValueInteger
			case strings.HasSuffix(e.URL, "/maxValue"):
				sq.Max = e.ValueInteger
			}
		}
		for _, o := range it.AnswerOption {
			switch {
			case o.ValueCoding != nil:
				sq.Options = append(sq.Options, o.ValueCoding.Code)
			case o.ValueString != nil:
				sq.Options = append(sq.Options, *o.ValueString)
			case o.ValueInteger != nil:
				sq.Options = append(sq.Options, fmt.Sprint(*o.ValueInteger))
			}
		}
		out = append(out, sq)
	}
	return out
}
