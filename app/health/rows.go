package health

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/patient-companion/companion/data"
)

// errUnreadable marks a resource that lacks what its row needs. It never carries the
// resource's content (no health data in errors).
var errUnreadable = errors.New("unreadable resource")

// pending is a row that lists other rows (a DiagnosticReport's results, a panel
// Observation's members) by their remote ids, resolved once every row is read.
type pending struct {
	row  string   // the listing row's local id
	refs []string // remote Observation ids, in the resource's order
}

// library holds what rows need from other resources: the stored Medication resources
// (a MedicationRequest may name its medicine by reference) by remote id.
type library struct {
	meds map[string]json.RawMessage
}

func newLibrary(res []data.ClinicalResource) library {
	lib := library{meds: map[string]json.RawMessage{}}
	for _, r := range res {
		if r.Type != "Medication" {
			continue
		}
		if r.RemoteID != "" {
			lib.meds[r.RemoteID] = r.Raw
		}
	}
	return lib
}

func buildRows(res []data.ClinicalResource, tr Words) ([]Row, int) {
	lib := newLibrary(res)
	var (
		rows    []Row
		skipped int
		lists   []pending
		// obsRow maps an Observation's remote id to its row's local id.
		obsRow = map[string]string{}
	)
	for _, r := range res {
		row, refs, show, err := readRow(r, lib, tr)
		if err != nil {
			skipped++
			continue
		}
		if !show {
			continue
		}
		if r.Type == "Observation" && r.RemoteID != "" {
			obsRow[r.RemoteID] = row.ID
		}
		if len(refs) > 0 {
			lists = append(lists, pending{row.ID, refs})
		}
		rows = append(rows, row)
	}
	sortRows(rows)
	at := make(map[string]int, len(rows))
	for i, row := range rows {
		at[row.ID] = i
	}
	// Lists are resolved in row order, so a result in two reports belongs to the first one
	// shown (the newest), whatever order the store returned them in.
	sort.SliceStable(lists, func(i, j int) bool { return at[lists[i].row] < at[lists[j].row] })
	listed := map[string][]string{}
	for _, l := range lists {
		li := at[l.row]
		seen := map[string]bool{}
		results := []string{}
		for _, ref := range l.refs {
			id, ok := obsRow[ref]
			if !ok || seen[id] {
				continue // entered in error, unreadable, or not synced (yet)
			}
			if reaches(listed, id, l.row) {
				// Panels that list each other (hasMember both ways) would send a screen
				// walking the panels round in circles: the link closing the loop is dropped.
				continue
			}
			seen[id] = true
			results = append(results, id)
			if m := &rows[at[id]]; m.Panel == "" {
				m.Panel = l.row
			}
		}
		rows[li].Results = results
		listed[l.row] = results
	}
	return rows, skipped
}

// reaches says whether to can be reached from from through the lists so far (or is from).
func reaches(listed map[string][]string, from, to string) bool {
	seen := map[string]bool{}
	stack := []string{from}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if n == to {
			return true
		}
		if seen[n] {
			continue
		}
		seen[n] = true
		stack = append(stack, listed[n]...)
	}
	return false
}

const loincSystem = "http://loinc.org"

func sortRows(rows []Row) {
	rank := make(map[string]int, len(Types))
	for i, t := range Types {
		rank[t] = i
	}
	sort.SliceStable(rows, func(i, j int) bool {
		a, b := &rows[i], &rows[j]
		if rank[a.Type] != rank[b.Type] {
			return rank[a.Type] < rank[b.Type]
		}
		if !a.Date.Equal(b.Date) {
			if a.Date.IsZero() || b.Date.IsZero() {
				return b.Date.IsZero() // unknown dates last
			}
			return a.Date.After(b.Date)
		}
		if an, bn := strings.ToLower(a.Name), strings.ToLower(b.Name); an != bn {
			return an < bn
		}
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		return a.ID < b.ID
	})
}

func trend(rows []Row, r Row) []Row {
	if r.Code == "" {
		return nil
	}
	var out []Row
	for _, x := range rows {
		// A report shares no Code with its tests, but a report's code may recur (each lipid
		// panel); it has no value to chart.
		if x.Type == TypeResult && x.Code == r.Code && x.Value != "" {
			out = append(out, x)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].Date.Equal(out[j].Date) {
			return out[i].Date.Before(out[j].Date)
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// readRow reads one stored resource. show is false for what is deliberately not a row (a
// Medication, a record entered in error); err is for what cannot be read.
func readRow(r data.ClinicalResource, lib library, tr Words) (row Row, refs []string, show bool, err error) {
	// One decoding per resource: each type's struct carries the fields every resource has.
	var (
		head *resource
		fill func(*Row) ([]string, error)
	)
	none := func(err error) ([]string, error) { return nil, err }
	switch r.Type {
	case "Condition":
		var c condition
		head, fill = &c.resource, func(row *Row) ([]string, error) { return none(conditionRow(&c, row, tr)) }
		err = json.Unmarshal(r.Raw, &c)
	case "AllergyIntolerance":
		var a allergy
		head, fill = &a.resource, func(row *Row) ([]string, error) { return none(allergyRow(&a, row, tr)) }
		err = json.Unmarshal(r.Raw, &a)
	case "MedicationRequest":
		var m medicationRequest
		head, fill = &m.resource, func(row *Row) ([]string, error) { return none(medicineRow(&m, lib, row, tr)) }
		err = json.Unmarshal(r.Raw, &m)
	case "Immunization":
		var im immunization
		head, fill = &im.resource, func(row *Row) ([]string, error) { return none(immunizationRow(&im, row, tr)) }
		err = json.Unmarshal(r.Raw, &im)
	case "Observation":
		var o observation
		head, fill = &o.resource, func(row *Row) ([]string, error) { return observationRow(&o, row, tr) }
		err = json.Unmarshal(r.Raw, &o)
	case "DiagnosticReport":
		var d diagnosticReport
		head, fill = &d.resource, func(row *Row) ([]string, error) { return reportRow(&d, row) }
		err = json.Unmarshal(r.Raw, &d)
	case "DocumentReference":
		var d documentReference
		head, fill = &d.resource, func(row *Row) ([]string, error) { return none(documentRow(&d, row)) }
		err = json.Unmarshal(r.Raw, &d)
	case "Medication":
		// Names a MedicationRequest's medicine; read here only to count it if it is damaged.
		var m medication
		if err := json.Unmarshal(r.Raw, &m); err != nil || m.ResourceType != r.Type {
			return Row{}, nil, false, errUnreadable
		}
		return Row{}, nil, false, nil
	default:
		return Row{}, nil, false, errUnreadable
	}
	if err != nil || head.ResourceType != r.Type {
		return Row{}, nil, false, errUnreadable
	}
	if head.Status == "entered-in-error" || head.DocStatus == "entered-in-error" ||
		head.VerificationStatus.has("entered-in-error") {
		return Row{}, nil, false, nil
	}
	row = Row{ID: r.ID, Status: head.Status}
	refs, err = fill(&row)
	if err != nil || row.Name == "" {
		return Row{}, nil, false, errUnreadable
	}
	return row, refs, true, nil
}

func setDate(row *Row, ss ...string) {
	row.Date, row.DatePrecision = firstDate(ss...)
}

func conditionRow(c *condition, row *Row, tr Words) error {
	row.Type = TypeCondition
	row.Name = c.Code.words()
	row.Status = c.ClinicalStatus.firstCode()
	onset := ""
	if c.OnsetPeriod != nil {
		onset = c.OnsetPeriod.Start
	}
	setDate(row, c.OnsetDateTime, onset, c.RecordedDate)
	var detail []string
	for _, cat := range c.Category {
		switch {
		case cat.has("health-concern"):
			detail = append(detail, tr.T("health.category_concern"))
		case cat.has("problem-list-item"):
			detail = append(detail, tr.T("health.category_problem_list"))
		case cat.has("encounter-diagnosis"):
			detail = append(detail, tr.T("health.category_visit"))
		}
	}
	if s := c.Severity.words(); s != "" {
		detail = append(detail, s)
	}
	row.Detail = capitalize(strings.Join(dedupe(detail), ", "))
	return nil
}

// severityWord is a reaction's severity (mild, moderate, severe: FHIR's codes) in tr's
// words; another code as it is.
func severityWord(tr Words, code string) string {
	switch code {
	case "mild":
		return tr.T("health.severity_mild")
	case "moderate":
		return tr.T("health.severity_moderate")
	case "severe":
		return tr.T("health.severity_severe")
	}
	return code
}

// severityRank orders reaction severities, worst last.
var severityRank = map[string]int{"mild": 1, "moderate": 2, "severe": 3}

func allergyRow(a *allergy, row *Row, tr Words) error {
	row.Type = TypeAllergy
	row.Name = a.Code.words()
	row.Status = a.ClinicalStatus.firstCode()
	row.Criticality = a.Criticality
	setDate(row, a.OnsetDateTime, a.RecordedDate)
	var reactions []string
	for _, re := range a.Reaction {
		if row.Name == "" {
			row.Name = re.Substance.words()
		}
		for _, m := range re.Manifestation {
			if w := m.words(); w != "" {
				reactions = append(reactions, w)
			}
		}
		if severityRank[re.Severity] > severityRank[row.Severity] {
			row.Severity = re.Severity
		}
	}
	row.Reactions = dedupe(reactions)
	row.Detail = sentenceList(row.Reactions)
	if row.Severity != "" {
		sev := severityWord(tr, row.Severity)
		if row.Detail != "" {
			row.Detail = tr.T("health.reactions_severity", map[string]any{"Reactions": row.Detail, "Severity": sev})
		} else {
			row.Detail = capitalize(sev)
		}
	}
	return nil
}

func medicineRow(m *medicationRequest, lib library, row *Row, tr Words) error {
	row.Type = TypeMedication
	med, _ := m.medication(lib)
	row.Name = m.name(med)
	setDate(row, m.AuthoredOn)
	var parts []string
	for i := range m.DosageInstruction {
		if w := dosageWords(tr, &m.DosageInstruction[i]); w != "" {
			parts = append(parts, w)
		}
	}
	row.Dosage = strings.Join(parts, "; ")
	row.Detail = row.Dosage
	return nil
}

func immunizationRow(im *immunization, row *Row, tr Words) error {
	row.Type = TypeImmunization
	row.Name = im.VaccineCode.words()
	setDate(row, im.OccurrenceDateTime, im.Recorded)
	if row.Status == "not-done" {
		row.Detail = tr.T("health.not_given")
		if w := im.StatusReason.words(); w != "" {
			row.Detail = tr.T("health.not_given_because", map[string]any{"Reason": w})
		}
	}
	return nil
}

func reportRow(d *diagnosticReport, row *Row) ([]string, error) {
	row.Type = TypeResult
	row.Name = d.Code.words()
	row.Code = codeKey(d.Code, row.Name)
	eff := ""
	if d.EffectivePeriod != nil {
		eff = d.EffectivePeriod.Start
	}
	setDate(row, d.EffectiveDateTime, eff, d.Issued)
	row.Detail = strings.TrimSpace(d.Conclusion)
	if row.Detail == "" {
		var cs []string
		for i := range d.ConclusionCode {
			if w := d.ConclusionCode[i].words(); w != "" {
				cs = append(cs, w)
			}
		}
		row.Detail = sentenceList(cs)
	}
	for _, a := range d.PresentedForm {
		att, err := readAttachment(a)
		if err != nil {
			return nil, err
		}
		if att != nil {
			row.Attachment = att
			break
		}
	}
	return observationRefs(d.Result), nil
}

func observationRefs(refs []reference) []string {
	var out []string
	for _, r := range refs {
		if typ, id := refID(r.Reference); typ == "Observation" && id != "" {
			out = append(out, id)
		}
	}
	return out
}

func documentRow(d *documentReference, row *Row) error {
	row.Type = TypeDocument
	var text string
	for _, c := range d.Content {
		att, err := readAttachment(c.Attachment)
		if err != nil {
			return err
		}
		if att == nil {
			continue
		}
		if row.Attachment == nil {
			row.Attachment = att
		}
		if text == "" && att.Data != nil && isPlainText(att.ContentType) && utf8.Valid(att.Data) {
			text = strings.TrimSpace(string(att.Data))
		}
	}
	desc := strings.TrimSpace(d.Description)
	row.Name = desc
	if row.Name == "" {
		row.Name = d.Type.words()
	}
	if row.Name == "" && row.Attachment != nil {
		row.Name = strings.TrimSpace(row.Attachment.Title)
	}
	ctx := ""
	if d.Context != nil && d.Context.Period != nil {
		ctx = d.Context.Period.Start
	}
	setDate(row, d.Date, ctx)
	row.Detail = text
	if row.Detail == "" && desc != row.Name {
		row.Detail = desc
	}
	return nil
}

func isPlainText(contentType string) bool {
	mt, _, _ := strings.Cut(contentType, ";")
	return strings.EqualFold(strings.TrimSpace(mt), "text/plain")
}

// readAttachment is nil for an attachment with neither data nor a URL, and an error for
// data that is not base64.
func readAttachment(a attachment) (*Attachment, error) {
	out := &Attachment{ContentType: strings.TrimSpace(a.ContentType), Title: strings.TrimSpace(a.Title), URL: strings.TrimSpace(a.URL)}
	if a.Data != "" {
		b, err := decodeBase64(a.Data)
		if err != nil {
			return nil, err
		}
		out.Data = b
	}
	if out.Data == nil && out.URL == "" {
		return nil, nil
	}
	return out, nil
}

func decodeBase64(s string) ([]byte, error) {
	// Some servers wrap base64 at 76 columns; FHIR's base64Binary allows the whitespace.
	s = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
	if b, err := base64.StdEncoding.DecodeString(s); err == nil {
		return b, nil
	}
	b, err := base64.RawStdEncoding.DecodeString(strings.TrimRight(s, "="))
	if err != nil {
		return nil, errUnreadable
	}
	return b, nil
}

// codeKey is what identifies a test across time: its LOINC coding's system|code, else its
// first coding's, else its name.
func codeKey(c *codeable, name string) string {
	if c != nil {
		for _, cd := range c.Coding {
			if cd.System == loincSystem && cd.Code != "" {
				return cd.System + "|" + cd.Code
			}
		}
		for _, cd := range c.Coding {
			if cd.Code != "" {
				return cd.System + "|" + cd.Code
			}
		}
	}
	return name
}

// sentenceList joins items as one phrase: "Hives, wheezing". Later items lose their capital
// unless they look like an acronym or a name with more capitals ("HIV", "McArdle").
func sentenceList(items []string) string {
	out := make([]string, 0, len(items))
	for i, s := range items {
		if i > 0 {
			s = lowerFirst(s)
		}
		out = append(out, s)
	}
	return strings.Join(out, ", ")
}

func lowerFirst(s string) string {
	first, n := utf8.DecodeRuneInString(s)
	if !unicode.IsUpper(first) {
		return s
	}
	word, _, _ := strings.Cut(s[n:], " ")
	for _, r := range word {
		if unicode.IsUpper(r) || unicode.IsDigit(r) {
			return s
		}
	}
	return string(unicode.ToLower(first)) + s[n:]
}

func capitalize(s string) string {
	first, n := utf8.DecodeRuneInString(s)
	if n == 0 || first == utf8.RuneError {
		return s
	}
	return string(unicode.ToUpper(first)) + s[n:]
}

// dedupe keeps the first of equal items (case-insensitively), in order.
func dedupe(items []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range items {
		k := strings.ToLower(s)
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, s)
	}
	return out
}

// medication finds the request's Medication: contained ("#id") or stored ("Medication/id").
// ok is false when the request names its medicine by a concept, or the reference does not
// resolve.
func (m *medicationRequest) medication(lib library) (medication, bool) {
	if m.MedicationReference == nil {
		return medication{}, false
	}
	typ, id := refID(m.MedicationReference.Reference)
	if id == "" {
		return medication{}, false
	}
	var raw json.RawMessage
	switch typ {
	case "#":
		for _, c := range m.Contained {
			var head resource
			if json.Unmarshal(c, &head) == nil && head.ResourceType == "Medication" && head.ID == id {
				raw = c
				break
			}
		}
	case "Medication":
		raw = lib.meds[id]
	}
	var med medication
	if raw == nil || json.Unmarshal(raw, &med) != nil || med.ResourceType != "Medication" {
		return medication{}, false
	}
	return med, true
}

// name is the medicine's name: the request's concept, else its Medication's code (or its
// ingredients), else the reference's display text.
func (m *medicationRequest) name(med medication) string {
	if n := m.MedicationCodeableConcept.words(); n != "" {
		return n
	}
	if n := med.Code.words(); n != "" {
		return n
	}
	var ings []string
	for i := range med.Ingredient {
		if w := med.Ingredient[i].ItemCodeableConcept.words(); w != "" {
			ings = append(ings, w)
		}
	}
	if len(ings) > 0 {
		return strings.Join(ings, " / ")
	}
	if m.MedicationReference != nil {
		return strings.TrimSpace(m.MedicationReference.Display)
	}
	return ""
}
