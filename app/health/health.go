// Package health turns the health record the clinic keeps (FHIR resources pulled by the
// portal sync and stored sealed in the profile, data.ClinicalResource) into what people read:
// problems, allergies, the clinic's medicines, results with their trends, immunizations and
// documents. It also maps a clinic medicine's dosage to a local schedule ("Add to my
// medicines"). No Fyne, no I/O: the window and the command line both use it.
package health

import (
	"time"

	"github.com/patient-companion/companion/data"
)

// Row types, as the command line names them (`record list --type`).
const (
	TypeCondition    = "condition"
	TypeAllergy      = "allergy"
	TypeMedication   = "medication"
	TypeImmunization = "immunization"
	TypeResult       = "result"
	TypeDocument     = "document"
)

// Types are the row types in the order the Health record screen shows them.
var Types = []string{TypeCondition, TypeAllergy, TypeMedication, TypeResult, TypeImmunization, TypeDocument}

// Row is one line of the health record, as shown (DESIGN §6.1, `record list`).
type Row struct {
	ID   string    // the data.ClinicalResource's local id
	Type string    // one of Types
	Name string    // "Type 2 diabetes", "Penicillin", "Hemoglobin A1c", "Lipid panel"
	Date time.Time // onset, recorded, effective, issued, occurrence; zero when unknown
	// DatePrecision says how much of Date the clinic gave: PrecisionYear, PrecisionMonth,
	// PrecisionDay (Date is then midnight UTC of the period's first day) or PrecisionTime
	// (an instant); "" when Date is zero. Row.DateText formats it honestly.
	DatePrecision string
	Status        string // the clinic's status: active, resolved, final, completed, ...
	// Value is the result as shown: "7.9", "<0.5" (with its comparator), "142/91", "Positive";
	// "" when there is none (a DiagnosticReport, a condition).
	Value          string
	Unit           string // the unit's human text: "%", "mg/L", "mm[Hg]" shown as "mmHg"
	Flag           string // high|low|abnormal|critical|"" (from interpretation, else the range)
	ReferenceRange string // the lab's text ("70-99 mg/dL fasting"), else "4.0–5.6", "<200", ">40"
	Detail         string // reactions, dosage text, a report's conclusion, a document's text

	// Results: what a trend chart needs.
	// Code is the test's key across time: its LOINC coding's system|code when it has one
	// (a lab may list its local code first, and change it), else the first coding's, else
	// its name.
	Code   string
	Number *float64 // the value as a number, when it is one (the systolic for blood pressure)
	// Comparator is the value's comparator ("<", "<=", ">=", ">") when the lab gave one:
	// Number is then a bound, not the value ("<0.5" has Number 0.5), for a chart to mark.
	Comparator string
	Low, High  *float64 // the reference range as numbers, when known and in the value's unit
	Panel      string   // a result's DiagnosticReport (or grouping Observation) row id; "" when none
	Results    []string // a DiagnosticReport's (or grouping Observation's) result row ids, in its order

	// Allergies: shown prominently.
	Criticality string   // high|low|unable-to-assess|""
	Severity    string   // the worst reaction's severity: severe|moderate|mild|""
	Reactions   []string // manifestations, in words

	// Medicines: the clinic's dosage in words (also in Detail).
	Dosage string

	// Documents: the visit summary's text and/or file (a report's presented form too).
	Attachment *Attachment
}

// Attachment is a document's content: inline data (a PDF) or text.
type Attachment struct {
	ContentType string // "application/pdf", "text/plain", "text/html"
	Title       string
	Data        []byte // the file itself, when the portal sent it
	URL         string // where it is, when the portal only linked it
}

// Rows reads the stored resources into rows, ordered by Types, then newest first (unknown
// dates last; a partial date counts as the first day of its period), then by name. Resources
// entered in error are left out; a Medication resource is not a row of its own (it names a
// MedicationRequest's medicine, whether contained, included or referenced); a resource that
// cannot be read, or lacks a name, is left out and counted in skipped, never a crash.
// A DiagnosticReport (and an Observation grouping others with hasMember) lists the rows of
// its results in Results, and each of them has its Panel (the first, newest, when several
// list it); results not stored, unreadable or entered in error are not listed.
//
// Its words (a dosage in words, "Not given", "Yes") are English, for the command line:
// RowsIn writes them in another language.
func Rows(res []data.ClinicalResource) (rows []Row, skipped int) {
	return buildRows(res, English())
}

// RowsIn is Rows with the words it builds written by tr (the window's language). The
// clinic's own words (names, notes, its text of a dosage) stay as the clinic wrote them.
func RowsIn(res []data.ClinicalResource, tr Words) (rows []Row, skipped int) {
	return buildRows(res, tr)
}

// Trend is every result of the same test (same Code) as r, oldest first: the points of its
// chart.
func Trend(rows []Row, r Row) []Row {
	return trend(rows, r)
}

// WhenTimes maps FHIR timing `when` codes (MORN, NOON, AFT, EVE, NIGHT, HS, ...) to times of
// day. DESIGN §6.1: MORN 08:00, NOON 12:00, AFT 14:00, EVE 18:00, NIGHT/HS 21:00,
// changeable in settings.
type WhenTimes map[string]data.TimeOfDay

// DefaultWhen is the mapping before settings change it.
func DefaultWhen() WhenTimes {
	return WhenTimes{"MORN": 8 * 60, "NOON": 12 * 60, "AFT": 14 * 60, "EVE": 18 * 60, "NIGHT": 21 * 60, "HS": 21 * 60}
}

// Plan is a clinic medicine as a local one, prefilled for "Add to my medicines".
type Plan struct {
	// Medication has Name, Dose, Strength, Form, Instructions, AsNeeded and, when Mapped,
	// Steps; FromRecord and RecordDosage link it to the clinic's MedicationRequest.
	Medication data.Medication
	// Mapped says the schedule came from the dosage's timing. When false, Why says in plain
	// words what could not be mapped ("every 6 hours"), and the editor opens to finish it
	// (in English from MedicinePlan, in tr's language from MedicinePlanIn).
	Mapped bool
	Why    string
}

// MedicinePlan maps a MedicationRequest (res, with the other stored resources to resolve
// its Medication) to a local medicine. An error means res is not a medicine of the record.
//
// A nil when is DefaultWhen. The errors wrap ErrNotMedicine and name no health data.
func MedicinePlan(res data.ClinicalResource, all []data.ClinicalResource, when WhenTimes) (Plan, error) {
	return medicinePlan(res, all, when, English())
}

// MedicinePlanIn is MedicinePlan with the words it builds (Why, a dose, "As needed for …" in
// the instructions) written by tr, for the window. Its errors stay English (no one reads
// them there).
func MedicinePlanIn(res data.ClinicalResource, all []data.ClinicalResource, when WhenTimes, tr Words) (Plan, error) {
	return medicinePlan(res, all, when, tr)
}

// DosageSignature says what a MedicationRequest's dosage is, compactly: stored in a
// medicine added from it (data.Medication.RecordDosage), a different signature later means
// "your clinic changed the dose".
//
// It covers the dosage instructions and the medicine (its concept, its contained
// Medication, or the reference to a stored one), in a canonical form: key order, number
// spelling (1 or 1.0) and the rest of the resource (meta, narrative, status, notes) do not
// change it. "" when res cannot be read.
func DosageSignature(res data.ClinicalResource) string {
	return dosageSignature(res)
}
