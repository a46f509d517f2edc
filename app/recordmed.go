package app

// "Add to my medicines" on a medicine of the clinic's record, and "Your clinic changed the
// dose" on a medicine added that way whose record the clinic has changed since.
//
// A medicine added from the record stays linked to it: FromRecord is the clinic's
// MedicationRequest (its portal id) and RecordDosage the dosage's signature
// (health.DosageSignature) when it was added or last reviewed. The medicine editor keeps
// both through every later edit (medForm.read).

import (
	"context"
	"errors"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/patient-companion/companion/app/health"
	"github.com/patient-companion/companion/app/tr"
	"github.com/patient-companion/companion/data"
)

func msgRecordMedFailed() string { return tr.T("recordmed.failed") }

// msgRecordMedDraftOpen: a medicine being written is open on Medicines.
func msgRecordMedDraftOpen() string { return tr.T("recordmed.draft_open") }

// recordMedItem is one medicine of the clinic's record, with "Add to my medicines" — or,
// once added, where it is.
func (u *UI) recordMedItem(s *recordScreen, r health.Row, linked data.Medication, loc *time.Location) fyne.CanvasObject {
	mr := &recordMedRow{row: r}
	s.meds[r.ID] = mr
	dosage := r.Dosage
	if dosage == "" {
		dosage = r.Detail
	}
	item := recordItem(r.Name, dosage, datedStatus(datedPrescribed, r, loc))
	if linked.ID != "" {
		mr.added = caption(tr.T("recordmed.in_your_medicines", tr.Args{"Name": linked.Name}))
		return container.NewVBox(item, mr.added)
	}
	mr.add = widget.NewButtonWithIcon(tr.T("recordmed.add"), theme.ContentAddIcon(), func() { u.addFromRecord(s, r.ID) })
	return container.NewVBox(item, container.NewHBox(tall(mr.add)))
}

// whenTimes is the profile's mapping of `when` codes (MORN, EVE…) to times of day: its
// time settings (time_morning…), else the defaults of DESIGN §6.1. A damaged setting reads
// as its default here: the editor shows the times, to be checked before saving.
func whenTimes(ctx context.Context, st *data.Store) (health.WhenTimes, error) {
	when := health.DefaultWhen()
	set, err := st.Settings(ctx)
	var te *data.TamperedError
	if err != nil && !errors.As(err, &te) {
		return nil, err
	}
	for code, t := range set.When {
		when[code] = t
	}
	return when, nil
}

// addFromRecord maps the clinic's medicine (row id) to a local one and opens the medicine
// editor with it on Medicines: to check and save when its schedule mapped, to finish when it
// did not (the editor says what).
func (u *UI) addFromRecord(s *recordScreen, id string) {
	if u.record != s {
		return
	}
	var res data.ClinicalResource
	for _, r := range s.data.res {
		if r.ID == id {
			res = r
		}
	}
	all := s.data.res
	st := s.store
	mr := s.meds[id]
	if mr != nil && mr.add != nil {
		mr.add.Disable()
	}
	background(s.prof, func(ctx context.Context) (health.Plan, error) {
		if res.ID == "" {
			return health.Plan{}, errors.New("no such medicine in the record")
		}
		when, err := whenTimes(ctx, st)
		if err != nil {
			return health.Plan{}, err
		}
		return health.MedicinePlanIn(res, all, when, healthWords{})
	}, func(plan health.Plan, err error) {
		if u.record != s {
			return
		}
		if mr != nil && mr.add != nil {
			mr.add.Enable()
		}
		if err != nil {
			s.notice.Importance = widget.DangerImportance
			say(s.notice, msgRecordMedFailed())
			return
		}
		dosage := ""
		if mr != nil {
			dosage = mr.row.Dosage
		}
		u.showMedications()
		if d := u.medForm(); d != nil {
			// A medicine being written is there again, as it was left: it is not replaced
			// (what was typed would be lost); the person finishes or cancels it first.
			if ms := u.medications; ms != nil {
				ms.notice.Importance = widget.WarningImportance
				say(ms.notice, msgRecordMedDraftOpen())
			}
			return
		}
		u.openMedForm(plan.Medication)
		f := u.medForm()
		if f == nil {
			return
		}
		f.heading.SetText(tr.T("recordmed.heading", tr.Args{"Name": plan.Medication.Name}))
		note := tr.T("recordmed.from_record")
		if dosage != "" {
			note = tr.T("recordmed.from_record_dosage", tr.Args{"Dosage": strings.TrimSuffix(dosage, ".")})
		}
		if plan.Mapped {
			say(f.origin, tr.T("recordmed.check", tr.Args{"From": note}))
		} else {
			why := strings.TrimSuffix(plan.Why, ".")
			if why == "" {
				why = tr.T("recordmed.why_unknown")
			}
			f.origin.Importance = widget.WarningImportance
			say(f.origin, tr.T("recordmed.finish", tr.Args{"From": note, "Why": why}))
			if len(plan.Medication.Steps) == 0 && !plan.Medication.AsNeeded {
				// No made-up 08:00: saving waits for the times the person gives.
				for _, tf := range f.steps[0].times {
					tf.entry.SetText("")
				}
			}
		}
	})
}

// doseChange is what the Medicines screen needs of a linked medicine whose record changed.
type doseChange struct {
	signature string // the record's dosage now
	dosage    string // the record's dosage in words
}

// recordChanges finds the linked medicines of meds whose clinic record now has another
// dosage, by medicine id. Medicines without a link cost nothing (no read).
func recordChanges(ctx context.Context, st *data.Store, meds []data.Medication) (map[string]doseChange, error) {
	linked := false
	for _, m := range meds {
		if m.FromRecord != "" && !m.Archived {
			linked = true
		}
	}
	if !linked {
		return nil, nil
	}
	res, err := st.ClinicalResources(ctx, "MedicationRequest", "Medication")
	var te *data.TamperedError
	if err != nil && !errors.As(err, &te) {
		return nil, err
	}
	byRemote := map[string]data.ClinicalResource{}
	for _, r := range res {
		if r.Type == "MedicationRequest" {
			byRemote[r.RemoteID] = r
		}
	}
	var rows []health.Row
	out := map[string]doseChange{}
	for _, m := range meds {
		r, ok := byRemote[m.FromRecord]
		if m.FromRecord == "" || m.Archived || !ok {
			continue
		}
		sig := health.DosageSignature(r)
		if sig == m.RecordDosage {
			continue
		}
		if rows == nil {
			rows, _ = health.RowsIn(res, healthWords{})
		}
		c := doseChange{signature: sig}
		for _, row := range rows {
			if row.ID == r.ID {
				c.dosage = row.Dosage
			}
		}
		out[m.ID] = c
	}
	return out, nil
}

// doseChangedText is the notice on the medicine: "Your clinic changed the dose: now 2
// tablets twice a day."
func doseChangedText(c doseChange) string {
	if c.dosage == "" {
		return tr.T("recordmed.dose_changed")
	}
	return tr.T("recordmed.dose_changed_now", tr.Args{"Dosage": strings.TrimSuffix(c.dosage, ".")})
}

// reviewDoseChange opens the editor on a linked medicine whose record changed, saying what
// the clinic says now; saving it (changed or not) marks the change as seen.
func (u *UI) reviewDoseChange(m data.Medication, c doseChange) {
	m.RecordDosage = c.signature
	u.openMedForm(m)
	f := u.medForm()
	if f == nil {
		return
	}
	text := tr.T("recordmed.review")
	if c.dosage != "" {
		text = tr.T("recordmed.review_dosage", tr.Args{"Dosage": strings.TrimSuffix(c.dosage, ".")})
	}
	f.origin.Importance = widget.WarningImportance
	say(f.origin, text)
}
