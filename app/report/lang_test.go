package report_test

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/patient-companion/companion/app/report"
	"github.com/patient-companion/companion/app/tr"
)

// inLanguage makes code the running language for the rest of the test, and English again
// after it.
func inLanguage(t *testing.T, code string) {
	t.Helper()
	tr.MustSetup(code)
	t.Cleanup(func() { tr.MustSetup("en") })
}

// englishHeads are the report's English headings and table heads: none may remain in
// another language's report.
var englishHeads = []string{"Health report", "Medicines", "Symptoms", "Moods", "Readings taken at home",
	"Notes", "Appointments in this period", "Upcoming appointments", "Questions for the doctor",
	"Dose and schedule", "Times logged", "Last logged", "Blood pressure", "Page 1 of", "Made by",
	"Period", "Time zone", "every day", "of 30 taken", "on time", "Room for notes"}

// TestReportLanguages: the report is written in the running language: its headings,
// table heads, dates ("30. März 2026") and numbers with a decimal comma ("157,4 lb").
func TestReportLanguages(t *testing.T) {
	needPoppler(t)
	f := newFixture(t)
	for _, c := range []struct {
		code string
		want []string
	}{
		{"de", []string{"Gesundheitsbericht für den Arztbesuch", "Medikamente", "Beschwerden", "Stimmungen",
			"Zu Hause gemessen", "Notizen", "Termine in diesem Zeitraum", "Kommende Termine",
			"Fragen für den Arzttermin", "Zeitraum", "Seite 1 von", "Blutdruck", "Gewicht",
			"1. März 2026 – 30. März 2026", "157,4 lb", "27 von 30 genommen (90 %)", "08:00 jeden Tag",
			"An die Praxis", "Tagebuch", "Höchstwert", "gebucht", "3,5", "20. Apr. 2026, 14:30"}},
		{"es", []string{"Informe de salud para el médico", "Medicamentos", "Síntomas", "Estados de ánimo",
			"Mediciones en casa", "Notas", "Citas en este periodo", "Próximas citas", "Preguntas para el médico",
			"Página 1 de", "Presión arterial", "Peso", "1 mar 2026 – 30 mar 2026", "157,4 lb",
			"Tomadas: 27 de 30", "08:00 todos los días", "Al equipo médico", "Diario"}},
	} {
		t.Run(c.code, func(t *testing.T) {
			inLanguage(t, c.code)
			r, err := report.Collect(context.Background(), f.s, f.options())
			if err != nil {
				t.Fatal(err)
			}
			path, _ := writePDF(t, r, report.A4)
			// A cell's text wraps over lines: read it as one line, as a person does.
			text := strings.Join(strings.Fields(poppler(t, "pdftotext", "-enc", "UTF-8", path, "-")), " ")
			for _, want := range c.want {
				if !strings.Contains(text, want) {
					t.Errorf("the %s report does not show %q", c.code, want)
				}
			}
			for _, not := range englishHeads {
				if regexp.MustCompile(`\b` + not + `\b`).MatchString(text) {
					t.Errorf("the %s report shows the English %q", c.code, not)
				}
			}
			if dir := os.Getenv("COMPANION_CAPTURE_DIR"); dir != "" {
				b, _ := os.ReadFile(path)
				_ = os.WriteFile(filepath.Join(dir, "report-"+c.code+".pdf"), b, 0o600)
			}
		})
	}
}
