package portal_test

import (
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/patient-companion/companion/data"
	"github.com/patient-companion/companion/sync/fhir"
	"github.com/patient-companion/companion/sync/portal"
)

func TestCheckAnswers(t *testing.T) {
	q := portal.VisitSurvey()
	if got, err := portal.CheckAnswers(q, []byte(`{"overall": 4, "time": true, "comment": "Kind nurse"}`)); err != nil || !strings.Contains(string(got), `"overall":4`) {
		t.Errorf("good answers: %s, %v", got, err)
	}
	for _, bad := range []string{`{}`, `[]`, `not json`, `{"overall": 6}`, `{"overall": 4.5}`, `{"overall": "4"}`,
		`{"time": "yes"}`, `{"colour": "blue"}`, `{"comment": ""}`, `{"recommend": -1}`} {
		if _, err := portal.CheckAnswers(q, []byte(bad)); !errors.Is(err, data.ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", bad, err)
		}
	}
	choice := []byte(`{"resourceType":"Questionnaire","status":"active","item":[{"linkId":"g","type":"group","item":[
		{"linkId":"wait","type":"choice","required":true,"answerOption":[{"valueCoding":{"code":"short","display":"Short"}},{"valueCoding":{"code":"long","display":"Long"}}]}]}]}`)
	if _, err := portal.CheckAnswers(choice, []byte(`{"wait":"long"}`)); err != nil {
		t.Errorf("a choice: %v", err)
	}
	if _, err := portal.CheckAnswers(choice, []byte(`{"wait":"medium"}`)); !errors.Is(err, data.ErrInvalid) {
		t.Errorf("not an option: %v", err)
	}
	if qs := portal.SurveyQuestions(choice); len(qs) != 1 || qs[0].LinkID != "wait" || len(qs[0].Options) != 2 {
		t.Errorf("questions: %+v", qs)
	}
}

// After a visit the clinic's own survey for that kind of visit is offered; the answers reach
// the Medplum engine once although the first answer is lost, as a valid QuestionnaireResponse.
func TestSurveyAnsweredOnce(t *testing.T) {
	w := newApptWorld(t)
	clinicQ := `{"resourceType":"Questionnaire","url":"https://clinic.example.org/q/diabetes-visit","version":"2","status":"active","title":"Your diabetes visit",
		"useContext":[{"code":{"system":"http://terminology.hl7.org/CodeSystem/usage-context-type","code":"focus"},"valueCodeableConcept":{"text":"Diabetes review"}}],
		"item":[{"linkId":"helpful","type":"boolean","text":"Was the visit helpful?","required":true},{"linkId":"wait","type":"integer","text":"Minutes you waited"}]}`
	if _, err := w.direct.Create(w.ctx, "Questionnaire", fhir.Raw(clinicQ), ""); err != nil {
		t.Fatal(err)
	}
	a := w.booked(time.Now().Add(-48 * time.Hour).Truncate(time.Minute).UTC())
	other := w.booked(time.Now().Add(-50 * time.Hour).Truncate(time.Minute).UTC())
	// Make the second one another kind of visit: it gets the built-in survey.
	w.edit(other.RemoteID, map[string]any{"description": "Eye screening", "serviceType": []map[string]string{{"text": "Eye screening"}}})
	w.edit(a.RemoteID, map[string]any{"serviceType": []map[string]string{{"text": "Diabetes review"}}})
	if _, err := w.eng.Sync(w.ctx); err != nil {
		t.Fatal(err)
	}
	qs, err := w.store.ClinicQuestionnaires(w.ctx)
	if err != nil || len(qs) != 1 {
		t.Fatalf("clinic surveys: %d, %v", len(qs), err)
	}
	if err := w.store.OfferSurveys(w.ctx, portal.PickSurvey(qs)); err != nil {
		t.Fatal(err)
	}
	surveys, err := w.store.ListSurveys(w.ctx)
	if err != nil || len(surveys) != 2 {
		t.Fatalf("surveys: %+v, %v", surveys, err)
	}
	var diabetes, eyes data.Survey
	for _, sv := range surveys {
		switch sv.AppointmentID {
		case a.ID:
			diabetes = sv
		case other.ID:
			eyes = sv
		}
	}
	if diabetes.Title != "Your diabetes visit" || eyes.Title != "How was your visit?" || diabetes.State != data.SurveyOpen {
		t.Fatalf("picked %q and %q", diabetes.Title, eyes.Title)
	}
	// Offering again adds nothing.
	w.store.OfferSurveys(w.ctx, portal.PickSurvey(qs))
	if again, _ := w.store.ListSurveys(w.ctx); len(again) != 2 {
		t.Errorf("offered twice: %d", len(again))
	}
	answers, err := portal.CheckAnswers(diabetes.Questionnaire, []byte(`{"helpful": true, "wait": 15}`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.store.AnswerSurvey(w.ctx, diabetes.ID, answers); err != nil {
		t.Fatal(err)
	}
	if _, err := w.store.AnswerSurvey(w.ctx, diabetes.ID, answers); !errors.Is(err, data.ErrInvalid) {
		t.Errorf("answered twice: %v", err)
	}
	w.gate.drops.Store(1)
	res, err := w.eng.Sync(w.ctx)
	if err != nil || res.Pushed != 1 {
		t.Fatalf("sync = %+v, %v", res, err)
	}
	var found []string
	w.direct.Search(w.ctx, "QuestionnaireResponse", url.Values{"identifier": {"urn:ietf:rfc:3986|urn:uuid:" + diabetes.ID}}, func(r fhir.Raw) error {
		found = append(found, string(r))
		return nil
	})
	if len(found) != 1 {
		t.Fatalf("%d responses on the engine, want 1", len(found))
	}
	for _, want := range []string{`"questionnaire":"https://clinic.example.org/q/diabetes-visit|2"`, `"valueBoolean":true`, `"valueInteger":15`, `"status":"completed"`, `"linkId":"helpful"`} {
		if !strings.Contains(found[0], want) {
			t.Errorf("response lacks %s: %s", want, found[0])
		}
	}
	sent, _ := w.store.Survey(w.ctx, diabetes.ID)
	if sent.State != data.SurveySent || sent.RemoteID == "" {
		t.Errorf("after sending: %+v", sent)
	}
	var qr map[string]any
	json.Unmarshal([]byte(found[0]), &qr)
	if qr["resourceType"] != "QuestionnaireResponse" {
		t.Errorf("%v", qr)
	}
}
