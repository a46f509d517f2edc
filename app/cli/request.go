package cli

// Acting on appointments (issue 15): appointment request, appointment cancel, and the
// questions for the doctor.

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/pflag"

	"github.com/patient-companion/companion/data"
	"github.com/patient-companion/companion/sync/portal"
)

func appointmentRequestFlags(fs *pflag.FlagSet) {
	fs.String("reason", "", "what the appointment is for")
	fs.String("after", "", "the first day that suits (YYYY-MM-DD)")
	fs.String("before", "", "the last day that suits (YYYY-MM-DD)")
	fs.String("with", "", "whom you would like to see (optional)")
}

// bookElsewhere says where to book when the portal does not take requests.
func (c *call) bookElsewhere() string {
	var where []string
	if cl := c.env.Clinic; cl != nil {
		if cl.Portal != nil && cl.Portal.SchedulingURL != "" {
			where = append(where, "book at "+cl.Portal.SchedulingURL)
		}
		if cl.Support.Phone != "" {
			where = append(where, "call "+cl.Support.Phone)
		}
	}
	if len(where) == 0 {
		return "book on the clinic's own website, or call the clinic"
	}
	return strings.Join(where, ", or ")
}

// callClinic says how to reach the clinic by telephone, where the clinic file tells.
func (c *call) callClinic() string {
	if cl := c.env.Clinic; cl != nil && cl.Support.Phone != "" {
		return " on " + cl.Support.Phone
	}
	return ""
}

func appointmentRequest(c *call) error {
	if err := c.noArgs(); err != nil {
		return err
	}
	if strings.TrimSpace(c.str("reason")) == "" {
		return usagef("say what the appointment is for with --reason, like --reason \"Review of my blood pressure\"")
	}
	if err := c.oneLine("with"); err != nil {
		return err
	}
	req := data.Appointment{Reason: c.str("reason"), With: c.str("with")}
	for _, f := range []struct {
		name string
		d    *data.Date
	}{{"after", &req.After}, {"before", &req.Before}} {
		if c.changed(f.name) {
			d, err := data.ParseDate(c.str(f.name))
			if err != nil {
				return usagef("--%s %q is not a date: use YYYY-MM-DD, like 2026-12-01", f.name, c.str(f.name))
			}
			*f.d = d
		}
	}
	s, err := c.openStore()
	if err != nil {
		return err
	}
	defer s.Close()
	// Ask first whether the portal takes requests at all: a request it never will is not
	// kept, the person is told where to book instead. Unreachable: kept and sent later.
	ok, err := portal.AcceptsCreate(c.ctx, s, "Appointment")
	switch {
	case errors.Is(err, portal.ErrNotConnected):
		return usagef("%v: connect with 'companion portal connect URL', or %s", err, c.bookElsewhere())
	case err == nil && !ok:
		return portalError{fmt.Errorf("%s: %s", portal.RequestsElsewhere, c.bookElsewhere())}
	}
	a, err := s.RequestAppointment(c.ctx, req)
	if err != nil {
		return err
	}
	if _, perr := portal.PushProfile(c.ctx, s, nil, nil); perr != nil {
		fmt.Fprintln(c.env.Stderr, "companion: warning: the portal could not be reached: the request is kept and goes to the clinic at the next sync")
	}
	if cur, err := s.Appointment(c.ctx, a.ID); err == nil {
		a = cur
	}
	if a.Error != "" {
		return portalError{fmt.Errorf("%s: %s", a.Error, c.bookElsewhere())}
	}
	return c.out(toAppointmentJSON(a), func(w io.Writer) { fmt.Fprintln(w, a.ID) })
}

func appointmentCancelFlags(fs *pflag.FlagSet) {
	fs.String("reason", "", "why, in your words (the clinic sees it)")
}

func appointmentCancel(c *call) error {
	id, err := c.oneArg("the appointment's id (see: companion appointment list)")
	if err != nil {
		return err
	}
	s, err := c.openStore()
	if err != nil {
		return err
	}
	defer s.Close()
	a, err := s.CancelAppointment(c.ctx, id, c.str("reason"))
	if err != nil {
		return err
	}
	if a.Pending == data.PendingCancel {
		_, perr := portal.PushProfile(c.ctx, s, nil, nil)
		cur, rerr := s.Appointment(c.ctx, a.ID)
		if rerr != nil {
			return rerr
		}
		a = cur
		switch {
		case a.Error == portal.CancelByPhone:
			return portalError{fmt.Errorf("your clinic does not let the app cancel appointments: call the clinic%s", c.callClinic())}
		case a.Error != "":
			return portalError{errors.New(a.Error)}
		case a.Pending == data.PendingCancel && perr != nil:
			return portalError{fmt.Errorf("%w; the cancellation is kept and goes to the clinic at the next sync", perr)}
		}
	}
	return c.out(toAppointmentJSON(a), func(w io.Writer) {
		if a.Pending == data.PendingCancel {
			fmt.Fprintln(w, "Cancellation kept: it goes to the clinic at the next sync.")
			return
		}
		fmt.Fprintf(w, "Cancelled: %s on %s.\n", printable(a.Title), a.Start.Format("Mon 2 Jan 2006 15:04"))
	})
}

type questionJSON struct {
	ID            string `json:"id"`
	AppointmentID string `json:"appointment_id"`
	Text          string `json:"text"`
	Done          bool   `json:"done"`
}

func toQuestionJSON(q data.Question) questionJSON {
	return questionJSON{ID: q.ID, AppointmentID: q.AppointmentID, Text: q.Text, Done: q.Done}
}

func questionAddFlags(fs *pflag.FlagSet) {
	fs.String("appointment", "", "the appointment's id (see: companion appointment list)")
}

func questionAdd(c *call) error {
	text := strings.Join(c.args, " ")
	if !c.changed("appointment") {
		return usagef("say which appointment with --appointment ID (see: companion appointment list)")
	}
	if strings.TrimSpace(text) == "" {
		return usagef("give the question, like: companion question add --appointment ID \"Can I stop the water tablets?\"")
	}
	s, err := c.openStore()
	if err != nil {
		return err
	}
	defer s.Close()
	q, err := s.AddQuestion(c.ctx, c.str("appointment"), text)
	if err != nil {
		return err
	}
	return c.out(toQuestionJSON(q), func(w io.Writer) { fmt.Fprintln(w, q.ID) })
}

func questionListFlags(fs *pflag.FlagSet) {
	fs.String("appointment", "", "only this appointment's questions")
}

func questionList(c *call) error {
	if err := c.noArgs(); err != nil {
		return err
	}
	s, err := c.openStore()
	if err != nil {
		return err
	}
	defer s.Close()
	apptID := ""
	if c.changed("appointment") {
		a, err := s.Appointment(c.ctx, c.str("appointment"))
		if err != nil {
			return err
		}
		apptID = a.ID
	}
	qs, lerr := s.ListQuestions(c.ctx, apptID)
	return printList(c, qs, lerr, toQuestionJSON, func(w io.Writer) {
		if len(qs) == 0 {
			fmt.Fprintln(w, "No questions yet. Write one with: companion question add --appointment ID TEXT")
		}
		for _, q := range qs {
			box := "[ ]"
			if q.Done {
				box = "[x]"
			}
			fmt.Fprintf(w, "%s %s  [%s]\n", box, printable(q.Text), q.ID)
		}
	})
}

func questionDone(c *call) error {
	id, err := c.oneArg("the question's id (see: companion question list)")
	if err != nil {
		return err
	}
	s, err := c.openStore()
	if err != nil {
		return err
	}
	defer s.Close()
	q, err := s.SetQuestionDone(c.ctx, id, true)
	if err != nil {
		return err
	}
	return c.out(toQuestionJSON(q), func(w io.Writer) { fmt.Fprintf(w, "Asked: %s\n", printable(q.Text)) })
}

type surveyJSON struct {
	ID            string `json:"id"`
	AppointmentID string `json:"appointment_id"`
	Title         string `json:"title"`
	State         string `json:"state"`
}

func toSurveyJSON(sv data.Survey) surveyJSON {
	return surveyJSON{ID: sv.ID, AppointmentID: sv.AppointmentID, Title: sv.Title, State: sv.State}
}

// offerSurveys gives the visits of the last weeks their surveys, then lists them all.
func offerSurveys(c *call, s *data.Store) ([]data.Survey, error) {
	clinicQs, err := s.ClinicQuestionnaires(c.ctx)
	if err := keepDamage(err); err != nil {
		return nil, err
	}
	if err := s.OfferSurveys(c.ctx, portal.PickSurvey(clinicQs)); err != nil {
		return nil, err
	}
	return s.ListSurveys(c.ctx)
}

// keepDamage lets a damaged record through (the lists report it), and nothing else.
func keepDamage(err error) error {
	var te *data.TamperedError
	if err == nil || errors.As(err, &te) {
		return nil
	}
	return err
}

func surveyList(c *call) error {
	if err := c.noArgs(); err != nil {
		return err
	}
	s, err := c.openStore()
	if err != nil {
		return err
	}
	defer s.Close()
	surveys, lerr := offerSurveys(c, s)
	if err := keepDamage(lerr); err != nil {
		return err
	}
	return printList(c, surveys, lerr, toSurveyJSON, func(w io.Writer) {
		if len(surveys) == 0 {
			fmt.Fprintln(w, "No surveys: one is offered after each visit, for a month.")
		}
		for _, sv := range surveys {
			state := map[string]string{data.SurveyOpen: "not answered yet", data.SurveyQueued: "answered, waiting to send",
				data.SurveySent: "sent"}[sv.State]
			if sv.Error != "" {
				state += ": " + sv.Error
			}
			fmt.Fprintf(w, "%s (%s)  [%s]\n", printable(sv.Title), printable(state), sv.ID)
			if sv.State != data.SurveyOpen {
				continue
			}
			for _, q := range portal.SurveyQuestions(sv.Questionnaire) {
				kind := map[string]string{"boolean": "true or false", "integer": "a whole number", "decimal": "a number",
					"date": "a date", "choice": "one of: " + strings.Join(q.Options, ", "), "open-choice": "one of: " + strings.Join(q.Options, ", ") + ", or your words"}[q.Type]
				if kind == "" {
					kind = "text"
				}
				fmt.Fprintf(w, "    %s: %s (%s)\n", printable(q.LinkID), printable(q.Text), kind)
			}
		}
	})
}

func surveyAnswerFlags(fs *pflag.FlagSet) {
	fs.String("answers-file", "", `the answers as JSON: {"linkId": value, ...}`)
}

func surveyAnswer(c *call) error {
	id, err := c.oneArg("the survey's id (see: companion survey list)")
	if err != nil {
		return err
	}
	if c.str("answers-file") == "" {
		return usagef(`give the answers with --answers-file F, a JSON object like {"overall": 4, "comment": "Thank you"}`)
	}
	answers, err := readSmallFile(c.str("answers-file"), 64<<10)
	if err != nil {
		return usagef("--answers-file: %v", err)
	}
	s, err := c.openStore()
	if err != nil {
		return err
	}
	defer s.Close()
	if _, err := offerSurveys(c, s); keepDamage(err) != nil {
		return err
	}
	sv, err := s.Survey(c.ctx, id)
	if err != nil {
		return err
	}
	checked, err := portal.CheckAnswers(sv.Questionnaire, answers)
	if err != nil {
		return err
	}
	sv, err = s.AnswerSurvey(c.ctx, sv.ID, checked)
	if err != nil {
		return err
	}
	return c.out(toSurveyJSON(sv), func(w io.Writer) {
		fmt.Fprintln(w, "Thank you: your answers go to the clinic at the next sync.")
	})
}

// readSmallFile reads a file given on the command line, refusing one larger than max.
func readSmallFile(name string, max int64) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > max {
		return nil, fmt.Errorf("%s is larger than %d KB", name, max>>10)
	}
	return b, nil
}
