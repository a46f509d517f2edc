package cli

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"

	"github.com/spf13/pflag"

	"github.com/patient-companion/companion/app/export"
	"github.com/patient-companion/companion/data"
)

// The export commands write what the profile holds for other programs: CSV for a
// spreadsheet, an RFC 5545 calendar, a FHIR R4 Bundle. The files they write are NOT
// encrypted — that is their point — so they go where the person says and nowhere else:
// each is written atomically through a temporary file beside it, never in /tmp. Like the
// lists, a damaged record does not stop an export: the rest is written, the damaged ones
// are named on stderr, and the exit code is 5.

const exportWarning = "the exported files are not encrypted: keep them somewhere safe"

func exportOutFlag(what string) func(fs *pflag.FlagSet) {
	return func(fs *pflag.FlagSet) {
		fs.String("out", "", what+" (not encrypted)")
	}
}

// exportedFile is one written file in the JSON output of the export commands.
type exportedFile struct {
	Path    string `json:"path"`
	Records int    `json:"records"`
}

type exportJSON struct {
	Files []exportedFile `json:"files"`
	Note  string         `json:"note"`
}

// exportOut is --out, made absolute so that what is reported is where the file went.
func (c *call) exportOut(example string) (string, error) {
	if err := c.noArgs(); err != nil {
		return "", err
	}
	out := c.str("out")
	if strings.TrimSpace(out) == "" {
		return "", usagef("give where to write with --out, like --out %s (the files are not encrypted)", example)
	}
	abs, err := filepath.Abs(out)
	if err != nil {
		return "", usagef("--out %q: %v", out, err)
	}
	if err := c.outsideData(abs); err != nil {
		return "", err
	}
	return abs, nil
}

// outsideData refuses an absolute output path inside the data folder: the plain text would
// sit next to the encrypted journal, in a folder the person believes holds nothing readable.
func (c *call) outsideData(abs string) error {
	p, err := c.profiles()
	if err != nil {
		return err
	}
	if dataDir, err := filepath.Abs(p.Dir); err == nil {
		if rel, err := filepath.Rel(dataDir, abs); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return usagef("--out %s is inside the data folder %s: write the export somewhere else (it is not encrypted)", abs, dataDir)
		}
	}
	return nil
}

// outFile checks that path can be a file: not a folder, in a folder that exists.
func outFile(path string) error {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return usagef("--out %s is a folder: give a file name in it", path)
	}
	if fi, err := os.Stat(filepath.Dir(path)); err != nil || !fi.IsDir() {
		return usagef("--out %s: the folder %s does not exist: create it first", path, filepath.Dir(path))
	}
	return nil
}

// readForExport opens the profile and reads everything; damage comes back with the rest
// (a *data.TamperedError), any other error alone. The caller closes the store.
func (c *call) readForExport() (*data.Store, export.Records, error) {
	s, err := c.openStore()
	if err != nil {
		return nil, export.Records{}, err
	}
	recs, err := export.Read(c.ctx, s)
	var te *data.TamperedError
	if err != nil && !errors.As(err, &te) {
		s.Close()
		return nil, export.Records{}, err
	}
	return s, recs, err
}

// finishExport reports the files written, then the damage if any (exit 5), saying that the
// rest was exported.
func (c *call) finishExport(files []exportedFile, readErr error) error {
	err := c.out(exportJSON{Files: files, Note: exportWarning}, func(w io.Writer) {
		for _, f := range files {
			fmt.Fprintf(w, "wrote %s (%d records)\n", printable(f.Path), f.Records)
		}
		fmt.Fprintln(w, "Note: "+exportWarning+".")
	})
	if err != nil {
		return err
	}
	if readErr != nil {
		return fmt.Errorf("exported everything else, but left out %w", readErr)
	}
	return nil
}

// exportCSV writes one CSV file per kind of record. Their columns are the JSON fields of the
// matching list (entries: journal list; doses: med log, of every medicine; medicines: med
// list; appointments: appointment list; messages: note list, plus the sender), with the same
// values: times in RFC 3339, an absent value an empty cell. An existing file of the same name
// in DIR is replaced (atomically); other files there are left alone.
func exportCSV(c *call) error {
	dir, err := c.exportOut("exported-csv")
	if err != nil {
		return err
	}
	if fi, err := os.Stat(dir); err == nil && !fi.IsDir() {
		return usagef("--out %s is a file: give a folder (it is created if missing)", dir)
	}
	s, recs, readErr := c.readForExport()
	if s == nil {
		return readErr
	}
	defer s.Close()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create the folder %s: %w", dir, errors.Unwrap(err))
	}
	names := recs.MedicationNames()
	var doses []doseJSON
	for _, d := range recs.Doses {
		if d.State != data.DoseSnoozed {
			doses = append(doses, toDoseJSON(d, names[d.MedicationID]))
		}
	}
	type messageCSV struct {
		noteJSON
		Sender string `json:"sender"`
	}
	var msgs []messageCSV
	for _, m := range recs.Messages {
		msgs = append(msgs, messageCSV{toNoteJSON(m), m.Sender})
	}
	tables := []struct {
		name string
		rows any
	}{
		{"entries.csv", mapSlice(recs.Entries, toEntryJSON)},
		{"doses.csv", doses},
		{"medicines.csv", mapSlice(recs.Medications, medJSONAt(s.Location(), c.env.Now()))},
		{"appointments.csv", mapSlice(recs.Appointments, toAppointmentJSON)},
		{"messages.csv", msgs},
	}
	var files []exportedFile
	for _, t := range tables {
		path := filepath.Join(dir, t.name)
		n := 0
		err := export.WriteFile(path, func(w io.Writer) error {
			var err error
			n, err = writeCSV(w, t.rows)
			return err
		})
		if err != nil {
			return err
		}
		files = append(files, exportedFile{Path: path, Records: n})
	}
	return c.finishExport(files, readErr)
}

func mapSlice[T, J any](in []T, f func(T) J) []J {
	out := make([]J, 0, len(in))
	for _, v := range in {
		out = append(out, f(v))
	}
	return out
}

// writeCSV writes rows, a slice of the lists' JSON structs, as CSV: a header of their JSON
// field names, then one line per row. Taking the columns from the structs keeps the files
// and the lists' JSON the same, field for field.
func writeCSV(w io.Writer, rows any) (int, error) {
	v := reflect.ValueOf(rows)
	cw := csv.NewWriter(w)
	cw.UseCRLF = true // RFC 4180
	t := v.Type().Elem()
	if err := cw.Write(csvHeader(t)); err != nil {
		return 0, err
	}
	for i := 0; i < v.Len(); i++ {
		if err := cw.Write(csvRow(v.Index(i))); err != nil {
			return 0, err
		}
	}
	cw.Flush()
	return v.Len(), cw.Error()
}

func csvHeader(t reflect.Type) []string {
	var h []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if f.Anonymous {
			h = append(h, csvHeader(f.Type)...)
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		h = append(h, name)
	}
	return h
}

func csvRow(v reflect.Value) []string {
	var row []string
	for i := 0; i < v.NumField(); i++ {
		f := v.Field(i)
		if v.Type().Field(i).Anonymous {
			row = append(row, csvRow(f)...)
			continue
		}
		if f.Kind() == reflect.Pointer {
			if f.IsNil() {
				row = append(row, "")
				continue
			}
			f = f.Elem()
		}
		var s string
		switch f.Kind() {
		case reflect.String:
			s = f.String()
		case reflect.Bool:
			s = strconv.FormatBool(f.Bool())
		case reflect.Int, reflect.Int64:
			s = strconv.FormatInt(f.Int(), 10)
		case reflect.Float64:
			s = strconv.FormatFloat(f.Float(), 'f', -1, 64) // as JSON writes it: "27.5", "28"
		default:
			panic("csv: unsupported field kind " + f.Kind().String()) // a programming error
		}
		row = append(row, csvCell(s))
	}
	return row
}

// csvCell defuses spreadsheet formula injection: a cell starting with = + - @, a tab or a
// CR is taken as a formula by Excel, LibreOffice or Sheets (a symptom named
// "=HYPERLINK(...)" would run), so it gets a leading apostrophe, which they show as text.
func csvCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// exportICS writes the appointments as an RFC 5545 calendar.
func exportICS(c *call) error {
	return c.exportFile("appointments.ics", func(w io.Writer, recs export.Records) (int, error) {
		return len(recs.Appointments), export.ICS(w, recs.Appointments, c.env.Version, c.env.Now())
	})
}

// exportFHIR writes what the person recorded as a FHIR R4 Bundle (see export.FHIR).
func exportFHIR(c *call) error {
	return c.exportFile("journal.fhir.json", func(w io.Writer, recs export.Records) (int, error) {
		return export.FHIR(w, recs, c.env.Now())
	})
}

// exportFile is an export to one file (--out, example naming one): what can be read is
// written by write, which says how many records it wrote; damaged records are named after.
func (c *call) exportFile(example string, write func(io.Writer, export.Records) (int, error)) error {
	path, err := c.exportOut(example)
	if err != nil {
		return err
	}
	if err := outFile(path); err != nil {
		return err
	}
	s, recs, readErr := c.readForExport()
	if s == nil {
		return readErr
	}
	defer s.Close()
	n := 0
	if err := export.WriteFile(path, func(w io.Writer) error {
		var err error
		n, err = write(w, recs)
		return err
	}); err != nil {
		return err
	}
	return c.finishExport([]exportedFile{{Path: path, Records: n}}, readErr)
}
