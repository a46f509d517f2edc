package cli

// The health record the clinic keeps (DESIGN §6.1): `record list`, `record show`, and
// `med add --from-record`, which makes a clinic medicine a local one. The resources are
// stored as the portal sent them (data.ClinicalResource); app/health turns them into rows.

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/spf13/pflag"

	"github.com/patient-companion/companion/app/export"
	"github.com/patient-companion/companion/app/health"
	"github.com/patient-companion/companion/data"
)

// recordJSON is one row of `record list` (DESIGN §6.1): absent values are null.
type recordJSON struct {
	ID             string  `json:"id"`
	Type           string  `json:"type"`
	Name           *string `json:"name"`
	Date           *string `json:"date"`
	Status         *string `json:"status"`
	Value          *string `json:"value"`
	Unit           *string `json:"unit"`
	Flag           *string `json:"flag"`
	ReferenceRange *string `json:"reference_range"`
	Detail         *string `json:"detail"`
}

// recordShowJSON is `record show`: the row's fields, then everything else it has.
type recordShowJSON struct {
	recordJSON
	Panel       *string       `json:"panel"`   // a result's report (its row id)
	Results     []recordJSON  `json:"results"` // a report's results, in its order
	Criticality *string       `json:"criticality"`
	Severity    *string       `json:"severity"`
	Reactions   []string      `json:"reactions"`
	Dosage      *string       `json:"dosage"`
	Document    *documentJSON `json:"document"`
}

// documentJSON is a document's content as `record show` reports it.
type documentJSON struct {
	ContentType *string `json:"content_type"`
	Title       *string `json:"title"`
	Size        *int    `json:"size"` // bytes of the file the portal sent; null when it only linked it
	URL         *string `json:"url"`
	Text        *string `json:"text"`     // the document itself, when it is text
	SavedTo     *string `json:"saved_to"` // where --out wrote the file
}

// recordTypes maps a row type to the FHIR types its rows are made from: a medicine needs its
// Medication, a result its report and the report its results.
func recordTypes() map[string][]string {
	return map[string][]string{
		health.TypeCondition:    {"Condition"},
		health.TypeAllergy:      {"AllergyIntolerance"},
		health.TypeMedication:   {"MedicationRequest", "Medication"},
		health.TypeImmunization: {"Immunization"},
		health.TypeResult:       {"Observation", "DiagnosticReport"},
		health.TypeDocument:     {"DocumentReference"},
	}
}

func recordListFlags(fs *pflag.FlagSet) {
	fs.String("type", "", "only rows of this type: "+strings.Join(health.Types, ", "))
}

func recordShowFlags(fs *pflag.FlagSet) {
	fs.String("out", "", "save a document's file (a PDF) here (not encrypted)")
}

// healthRecord is the record as read: its rows and the damage met reading them.
type healthRecord struct {
	rows   []health.Row
	damage error // a *data.TamperedError, or nil
}

// readRecord reads the resources of the given FHIR types (all when none) into rows. Damaged
// resources are left out and reported in damage; any other error is returned.
func (c *call) readRecord(s *data.Store, types ...string) (healthRecord, error) {
	res, err := s.ClinicalResources(c.ctx, types...)
	var te *data.TamperedError
	if err != nil && !errors.As(err, &te) {
		return healthRecord{}, err
	}
	rows, _ := health.Rows(res) // a resource health cannot read is not a row, as in the window
	return healthRecord{rows: rows, damage: err}, nil
}

func recordList(c *call) error {
	if err := c.noArgs(); err != nil {
		return err
	}
	typ := strings.TrimSpace(c.str("type"))
	var types []string
	if c.changed("type") {
		var ok bool
		if types, ok = recordTypes()[typ]; !ok {
			return usagef("--type %q is not a type of the health record: use one of %s", typ, strings.Join(health.Types, ", "))
		}
	}
	s, err := c.openStore()
	if err != nil {
		return err
	}
	defer s.Close()
	rec, err := c.readRecord(s, types...)
	if err != nil {
		return err
	}
	rows := rec.rows
	if typ != "" {
		rows = slices.DeleteFunc(slices.Clone(rows), func(r health.Row) bool { return r.Type != typ })
	}
	loc := s.Location()
	return printList(c, rows, rec.damage, func(r health.Row) recordJSON { return toRecordJSON(r, loc) },
		func(w io.Writer) { printRecord(w, rows, loc, typ) })
}

func recordShow(c *call) error {
	id, err := c.oneArg("record id (see 'companion record list')")
	if err != nil {
		return err
	}
	var out string
	if c.changed("out") {
		if out, err = c.recordOut(); err != nil {
			return err
		}
	}
	s, err := c.openStore()
	if err != nil {
		return err
	}
	defer s.Close()
	rec, err := c.readRecord(s)
	if err != nil {
		return err
	}
	r, err := rec.find(id)
	if err != nil {
		return err
	}
	loc := s.Location()
	j := recordShowJSON{
		recordJSON: toRecordJSON(r, loc), Panel: strPtr(r.Panel), Results: []recordJSON{},
		Criticality: strPtr(r.Criticality), Severity: strPtr(r.Severity), Reactions: append([]string{}, r.Reactions...),
		Dosage: strPtr(r.Dosage),
	}
	byID := rec.byID()
	for _, rid := range r.Results {
		if res, ok := byID[rid]; ok {
			j.Results = append(j.Results, toRecordJSON(res, loc))
		}
	}
	if a := r.Attachment; a != nil {
		d := &documentJSON{ContentType: strPtr(a.ContentType), Title: strPtr(a.Title), URL: strPtr(a.URL)}
		if len(a.Data) > 0 {
			n := len(a.Data)
			d.Size = &n
			if isText(a) {
				d.Text = strPtr(string(a.Data))
			}
		}
		j.Document = d
	}
	if out != "" {
		if err := saveDocument(r, out); err != nil {
			return err
		}
		j.Document.SavedTo = &out
	}
	if err := c.out(j, func(w io.Writer) { printShow(w, j, r, rec, loc, out) }); err != nil {
		return err
	}
	return c.showDamage(s, rec, r)
}

// recordOut is record show's --out, made absolute, refused inside the data folder like the
// exports: the file is the clinic's document in clear.
func (c *call) recordOut() (string, error) {
	out := c.str("out")
	if strings.TrimSpace(out) == "" {
		return "", usagef("give where to save the document with --out, like --out visit-summary.pdf")
	}
	abs, err := filepath.Abs(out)
	if err != nil {
		return "", usagef("--out %q: %v", out, err)
	}
	if err := c.outsideData(abs); err != nil {
		return "", err
	}
	if err := outFile(abs); err != nil {
		return "", err
	}
	return abs, nil
}

// saveDocument writes a document's file to path, atomically beside it (never in a temporary
// folder: it is health data in clear).
func saveDocument(r health.Row, path string) error {
	a := r.Attachment
	switch {
	case a == nil:
		return usagef("record %s is not a document with a file: leave out --out", r.ID)
	case len(a.Data) == 0 && a.URL != "":
		return usagef("your clinic only linked this document, it did not send the file: open it in the portal")
	case len(a.Data) == 0:
		return usagef("your clinic sent no file with this document: leave out --out")
	}
	return export.WriteFile(path, func(w io.Writer) error {
		_, err := w.Write(a.Data)
		return err
	})
}

func isText(a *health.Attachment) bool {
	return strings.HasPrefix(strings.ToLower(a.ContentType), "text/") && utf8.Valid(a.Data)
}

func (rec healthRecord) byID() map[string]health.Row {
	m := make(map[string]health.Row, len(rec.rows))
	for _, r := range rec.rows {
		m[r.ID] = r
	}
	return m
}

// find returns the row id names: the id itself, or a unique prefix of at least 4 characters
// (as for medicines). A record that is damaged is reported as damaged, not as missing.
func (rec healthRecord) find(id string) (health.Row, error) {
	var found []health.Row
	for _, r := range rec.rows {
		if r.ID == id {
			return r, nil
		}
		if len(id) >= 4 && strings.HasPrefix(r.ID, id) {
			found = append(found, r)
		}
	}
	var te *data.TamperedError
	if len(found) == 0 && errors.As(rec.damage, &te) {
		for _, d := range te.Records {
			if d.ID == id || len(id) >= 4 && strings.HasPrefix(d.ID, id) {
				return health.Row{}, &data.TamperedError{Records: []data.RecordRef{d}}
			}
		}
	}
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		return health.Row{}, fmt.Errorf("health record %s (see 'companion record list'): %w", id, data.ErrNotFound)
	}
	return health.Row{}, usagef("%q matches %d records of the health record: give more of the id", id, len(found))
}

// showDamage is the damage that may have left something out of row r (exit 5 after it is
// shown): a damaged result of a report, a report of a result, a medicine's Medication.
// Damage elsewhere in the record is `record list`'s to report.
func (c *call) showDamage(s *data.Store, rec healthRecord, r health.Row) error {
	if rec.damage == nil {
		return nil
	}
	var related []string
	switch r.Type {
	case health.TypeResult:
		related = []string{"Observation", "DiagnosticReport"}
	case health.TypeMedication:
		related = []string{"Medication"}
	default:
		return nil
	}
	_, err := s.ClinicalResources(c.ctx, related...)
	return err
}

// toRecordJSON is a row as `record list` prints it.
func toRecordJSON(r health.Row, loc *time.Location) recordJSON {
	return recordJSON{
		ID: r.ID, Type: r.Type, Name: strPtr(r.Name), Date: strPtr(recordDate(r, loc)), Status: strPtr(r.Status),
		Value: strPtr(r.Value), Unit: strPtr(r.Unit), Flag: strPtr(r.Flag), ReferenceRange: strPtr(r.ReferenceRange),
		Detail: strPtr(r.Detail),
	}
}

// recordDate prints a row's date as precisely as the clinic gave it: a FHIR date without a
// time (an onset, an immunization's day) as YYYY-MM-DD — or YYYY-MM, YYYY when the clinic
// gave only the month or the year: a made-up day would be wrong in a health record — and a
// dateTime as RFC 3339 in the profile's zone.
func recordDate(r health.Row, loc *time.Location) string {
	if r.Date.IsZero() {
		return ""
	}
	if r.DatePrecision == health.PrecisionTime || r.DatePrecision == "" {
		return rfc3339(r.Date.In(loc))
	}
	return r.DateText(loc) // a calendar date, as the clinic wrote it
}

// typeHeadings are the sections of `record list`, allergies first: what a doctor in a hurry
// must see.
func typeHeadings() []struct{ typ, heading, empty string } {
	return []struct{ typ, heading, empty string }{
		{health.TypeAllergy, "Allergies", "No allergies recorded by your clinic."},
		{health.TypeCondition, "Problems", "No problems recorded by your clinic."},
		{health.TypeMedication, "Medicines from your clinic", "No medicines recorded by your clinic."},
		{health.TypeResult, "Results", "No results from your clinic."},
		{health.TypeImmunization, "Immunizations", "No immunizations recorded by your clinic."},
		{health.TypeDocument, "Documents", "No documents from your clinic."},
	}
}

// flagWords says a result's flag in words (never only a colour or a sign).
func flagWords(flag string) string {
	switch flag {
	case "high":
		return "HIGH, above the normal range"
	case "low":
		return "LOW, below the normal range"
	case "critical":
		return "CRITICAL, far outside the normal range"
	case "abnormal":
		return "ABNORMAL"
	}
	return strings.ToUpper(flag)
}

// printRecord is `record list` for people: a section per type, allergies first, a report's
// results under it.
func printRecord(w io.Writer, rows []health.Row, loc *time.Location, only string) {
	if len(rows) == 0 {
		if only != "" {
			fmt.Fprintf(w, "Your health record has no %s rows. Sync with your clinic's portal with: companion sync\n", only)
		} else {
			fmt.Fprintln(w, "Your health record is empty. Sync with your clinic's portal with: companion sync")
		}
		return
	}
	byID := map[string]health.Row{}
	for _, r := range rows {
		byID[r.ID] = r
	}
	first := true
	for _, h := range typeHeadings() {
		if only != "" && h.typ != only {
			continue
		}
		var these []health.Row
		for _, r := range rows {
			if r.Type == h.typ {
				these = append(these, r)
			}
		}
		if !first {
			fmt.Fprintln(w)
		}
		first = false
		fmt.Fprintln(w, h.heading)
		if len(these) == 0 {
			fmt.Fprintln(w, "  "+h.empty)
			continue
		}
		for _, r := range these {
			if _, inPanel := byID[r.Panel]; r.Panel != "" && inPanel {
				continue // listed under its report
			}
			fmt.Fprintln(w, "  "+rowLine(r, loc))
			for _, id := range r.Results {
				if res, ok := byID[id]; ok {
					fmt.Fprintln(w, "      "+rowLine(res, loc))
				}
			}
		}
	}
}

// rowLine is one row on one line: date, name, value and flag, what else matters, its id.
func rowLine(r health.Row, loc *time.Location) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-16s  ", r.DateText(loc)) // blank when unknown: the names stay in a column
	name := r.Name
	if name == "" {
		name = "(no name)"
	}
	b.WriteString(name)
	if r.Value != "" {
		b.WriteString(": " + r.Value)
		if r.Unit != "" {
			b.WriteString(" " + r.Unit)
		}
	}
	if r.Flag != "" {
		b.WriteString(" — " + flagWords(r.Flag))
	}
	if r.ReferenceRange != "" {
		b.WriteString(" (normal " + r.ReferenceRange + ")")
	}
	switch r.Type {
	case health.TypeAllergy:
		if r.Criticality == "high" {
			b.WriteString(" — HIGH RISK")
		}
		if len(r.Reactions) > 0 {
			react := strings.Join(r.Reactions, ", ")
			if r.Severity != "" {
				react = r.Severity + " " + react
			}
			b.WriteString(" — reaction: " + react)
		}
	case health.TypeMedication:
		if r.Dosage != "" {
			b.WriteString(" — " + r.Dosage)
		}
	case health.TypeDocument:
		if a := r.Attachment; a != nil && len(a.Data) > 0 && !isText(a) {
			b.WriteString(" — file attached")
		}
	}
	if r.Status != "" && !routineStatus(r.Status) {
		b.WriteString(" (" + strings.ReplaceAll(r.Status, "-", " ") + ")") // "not done", "entered in error"
	}
	return printable(b.String()) + "  [" + r.ID + "]"
}

// routineStatus is a status not worth a word in a list: what most rows say.
func routineStatus(s string) bool {
	switch s {
	case "active", "final", "completed", "current", "confirmed":
		return true
	}
	return false
}

// printShow is `record show` for people: every field on its own line.
func printShow(w io.Writer, j recordShowJSON, r health.Row, rec healthRecord, loc *time.Location, savedTo string) {
	line := func(label string, v *string) {
		if v != nil {
			fmt.Fprintf(w, "%-15s %s\n", label+":", printable(*v))
		}
	}
	name := "(no name)"
	if j.Name != nil {
		name = *j.Name
	}
	fmt.Fprintf(w, "%s  [%s]\n", printable(name), r.ID)
	t := r.Type
	line("Type", &t)
	if d := r.DateText(loc); d != "" {
		line("Date", &d) // as people read it; the JSON has RFC 3339
	}
	line("Status", j.Status)
	if j.Value != nil {
		v := *j.Value
		if j.Unit != nil {
			v += " " + *j.Unit
		}
		line("Value", &v)
	}
	if j.Flag != nil {
		f := flagWords(*j.Flag)
		line("Flag", &f)
	}
	line("Normal range", j.ReferenceRange)
	line("Criticality", j.Criticality)
	line("Severity", j.Severity)
	if len(j.Reactions) > 0 {
		react := strings.Join(j.Reactions, ", ")
		line("Reactions", &react)
	}
	line("Dosage", j.Dosage)
	if r.Type == health.TypeMedication {
		fmt.Fprintf(w, "Add it to your medicines with: companion med add --from-record %s\n", r.ID)
	}
	if j.Panel != nil {
		if p, ok := rec.byID()[*j.Panel]; ok {
			panel := p.Name + "  [" + p.ID + "]"
			line("Report", &panel)
		}
	}
	// Detail repeats the dosage or the document's text for some rows: once is enough.
	if j.Detail != nil && *j.Detail != r.Dosage && (j.Document == nil || j.Document.Text == nil || *j.Document.Text != *j.Detail) {
		line("Detail", j.Detail)
	}
	if len(j.Results) > 0 {
		fmt.Fprintln(w, "Results:")
		byID := rec.byID()
		for _, res := range j.Results {
			fmt.Fprintln(w, "  "+rowLine(byID[res.ID], loc))
		}
	}
	if d := j.Document; d != nil {
		line("Title", d.Title)
		line("Format", d.ContentType)
		switch {
		case savedTo != "":
			fmt.Fprintf(w, "Saved the file to %s (not encrypted: keep it somewhere safe).\n", printable(savedTo))
		case d.Text != nil:
			fmt.Fprintln(w, "Text:")
			for _, l := range strings.Split(strings.TrimRight(*d.Text, "\n"), "\n") {
				fmt.Fprintln(w, "  "+printable(l))
			}
		case d.Size != nil:
			file := "FILE"
			if strings.Contains(strings.ToLower(r.Attachment.ContentType), "pdf") {
				file = "FILE.pdf"
			}
			fmt.Fprintf(w, "The file (%d bytes) is kept in your profile. Save it with: companion record show %s --out %s\n", *d.Size, r.ID, file)
		case d.URL != nil:
			fmt.Fprintln(w, "Your clinic only linked this document: open it in the portal.")
		}
	}
}

// medAddFromRecord is `med add --from-record ID [--times HH:MM,...]`: a medicine the clinic
// prescribed (a `medication` row) becomes a local one, its schedule from the clinic's
// timing — `when` codes at the times of the time_* settings — or from --times, which
// overrides the timing. It stays linked to the clinic's record (FromRecord, RecordDosage),
// so that `med list` can say when the clinic changes the dose.
func medAddFromRecord(c *call) error {
	if err := c.noArgs(); err != nil {
		return err
	}
	id := strings.TrimSpace(c.str("from-record"))
	if id == "" {
		return usagef("give the id of a medicine of your health record with --from-record (see 'companion record list --type medication')")
	}
	for _, f := range []string{"name", "dose", "strength", "form", "instructions", "as-needed", "cron", "every-days", "weekdays", "start", "end"} {
		if c.changed(f) {
			return usagef("--%s does not go with --from-record: the medicine comes from your clinic's record (change it in the window afterwards), and its times from --times", f)
		}
	}
	var times []data.TimeOfDay
	if c.changed("times") {
		for _, t := range strings.Split(c.str("times"), ",") {
			if !plainTimeOfDay(t) {
				return usagef("%q is not a time of day: use HH:MM on a 24-hour clock, like 08:00 or 20:30", t)
			}
			tod, err := data.ParseTimeOfDay(t)
			if err != nil {
				return err
			}
			times = append(times, tod)
		}
	}
	var window time.Duration
	if w := c.str("dose-window"); w != "" {
		d, err := parseDuration(w)
		if err != nil || d < time.Minute {
			return usagef("--dose-window %q is not a duration of a minute or more, like 30m or 2h", w)
		}
		window = d
	}
	s, err := c.openStore()
	if err != nil {
		return err
	}
	defer s.Close()
	res, all, err := c.recordMedicine(s, id)
	if err != nil {
		return err
	}
	when := health.DefaultWhen()
	if times == nil {
		// A damaged time setting would put doses at a time nobody chose: say so rather
		// than use the default in its place.
		set, err := s.Settings(c.ctx)
		for _, k := range []string{data.KeyTimeMorning, data.KeyTimeNoon, data.KeyTimeAfternoon, data.KeyTimeEvening, data.KeyTimeNight} {
			if err := damageAbout(err, k); err != nil {
				return err
			}
		}
		for code, t := range set.When {
			when[code] = t
		}
	}
	plan, err := health.MedicinePlan(res, all, when)
	if err != nil {
		// Not a medicine the record can give: its text stays out of the error (health data).
		return usagef("record %s is not a medicine your clinic prescribed: give the id of a row of 'companion record list --type medication'", id)
	}
	m := plan.Medication
	switch {
	case times != nil:
		m.AsNeeded = false
		m.Steps = []data.Step{{Times: times}}
	case !plan.Mapped:
		return usagef("your clinic's timing for this medicine cannot be turned into times of day (see 'companion record show %s'): give the times with --times HH:MM,..., like --times 08:00,20:00", id)
	}
	if window > 0 {
		m.DoseWindow = window
	}
	if err := stockFromFlags(c, &m); err != nil {
		return err
	}
	if m.FromRecord == "" {
		m.FromRecord = res.RemoteID
	}
	if m.RecordDosage == "" {
		m.RecordDosage = health.DosageSignature(res)
	}
	// Twice the same prescription would remind twice for each dose.
	meds, lerr := s.ListMedications(c.ctx)
	var te *data.TamperedError
	if lerr != nil && !errors.As(lerr, &te) {
		return lerr
	}
	for _, old := range meds {
		if !old.Archived && old.FromRecord == m.FromRecord {
			return fmt.Errorf("this medicine of your clinic is already in your medicines as %s (see 'companion med list'): %w", old.ID, data.ErrExists)
		}
	}
	m, err = s.AddMedication(c.ctx, m)
	if err != nil {
		return err
	}
	return c.out(medJSONAt(s.Location(), c.env.Now())(m), func(w io.Writer) { fmt.Fprintln(w, m.ID) })
}

// recordMedicine finds the MedicationRequest a `medication` row id names, with every stored
// resource (MedicinePlan resolves its Medication among them). A row of another type is bad
// input (exit 2), an unknown id not found (exit 4), a damaged one damage (exit 5).
func (c *call) recordMedicine(s *data.Store, id string) (data.ClinicalResource, []data.ClinicalResource, error) {
	all, err := s.ClinicalResources(c.ctx)
	var te *data.TamperedError
	if err != nil && !errors.As(err, &te) {
		return data.ClinicalResource{}, nil, err
	}
	rows, _ := health.Rows(all)
	rec := healthRecord{rows: rows, damage: err}
	r, err := rec.find(id)
	if err != nil {
		return data.ClinicalResource{}, nil, err
	}
	if r.Type != health.TypeMedication {
		return data.ClinicalResource{}, nil, usagef("record %s is a %s, not a medicine: give the id of a row of 'companion record list --type medication'", id, r.Type)
	}
	for _, res := range all {
		if res.ID == r.ID {
			return res, all, nil
		}
	}
	return data.ClinicalResource{}, nil, fmt.Errorf("health record %s: %w", id, data.ErrNotFound)
}

// dosesChanged returns, for each medicine linked to the clinic's record whose dosage differs
// now from when it was added ("your clinic changed the dose"), the local id of the clinic's
// record. The record is read only when some medicine is linked; a record that cannot be read
// changes nothing (`record list` reports its damage).
func (c *call) dosesChanged(s *data.Store, meds []data.Medication) map[string]string {
	linked := slices.ContainsFunc(meds, func(m data.Medication) bool { return m.FromRecord != "" })
	if !linked {
		return nil
	}
	res, _ := s.ClinicalResources(c.ctx, "MedicationRequest")
	byRemote := map[string]data.ClinicalResource{}
	for _, r := range res {
		byRemote[r.RemoteID] = r
	}
	changed := map[string]string{}
	for _, m := range meds {
		if r, ok := byRemote[m.FromRecord]; ok && m.FromRecord != "" && health.DosageSignature(r) != m.RecordDosage {
			changed[m.ID] = r.ID
		}
	}
	return changed
}
