package app

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/patient-companion/companion/app/tr"
	"github.com/patient-companion/companion/data"
	"github.com/patient-companion/companion/data/datatest"
)

// TestInputErrorsTranslated: the data layer's input errors, made by real calls, show in the
// window in the running language, their numbers and dates written its way, while the
// command line's English message is unchanged.
func TestInputErrorsTranslated(t *testing.T) {
	ctx := context.Background()
	p := datatest.NewProfiles(t, nil)
	s, _ := datatest.CreatePassphrase(t, p, "Ana", "pass-for-tests")
	errOf := func(_ any, err error) error { return err }
	cases := []struct {
		lang    string
		err     error
		cli     string // the command line's message, as before
		want    string // the window's
		wantKey string
	}{
		{"de", errOf(data.ParseVital(data.VitalWeight, "7250", "kg")),
			"a weight of 7250 kg is not plausible: it should be between 0.5 and 500 kg",
			"7250 kg ist für Gewicht nicht möglich: Der Wert sollte zwischen 0,5 und 500 kg liegen.", "input.reading_range"},
		{"de", errOf(data.ParseVital(data.VitalBloodPressure, "80/95", "")),
			"the top number (80) should be higher than the bottom number (95): write it as 120/80",
			"Die obere Zahl (80) muss höher sein als die untere (95): Schreiben Sie etwa 120/80.", "input.bp_order"},
		{"de", errOf(data.ParseTimeOfDay("25:00")),
			`"25:00" is not a time of day: use HH:MM on a 24-hour clock, like 08:00 or 20:30`,
			"„25:00“ ist keine Uhrzeit: Schreiben Sie HH:MM im 24-Stunden-Format, etwa 08:00 oder 20:30.", "input.time_of_day"},
		{"de", errOf(data.ParseUnits("200000")),
			"200000 units is more than the 100000 this app counts",
			"200.000 Stück sind mehr als die 100.000, die diese App zählt.", "input.stock_too_many"},
		{"de", errOf(data.CheckSetting(data.KeyAutoLockMinutes, "5000")),
			"use a whole number from 0 to 1440",
			"Verwenden Sie eine ganze Zahl von 0 bis 1440.", "input.whole_number_range"},
		{"de", errOf(s.AddSymptom(ctx, data.Symptom{Name: strings.Repeat("x", 201), Severity: 3})),
			"the symptom name is longer than 200 characters",
			"Der Name der Beschwerde ist länger als 200 Zeichen.", "input.symptom_name_long"},
		{"de", errOf(s.AddMedication(ctx, data.Medication{Name: " "})),
			"the medication name is empty",
			"Der Name des Medikaments fehlt.", "input.med_name_empty"},
		{"de", errOf(s.RequestAppointment(ctx, data.Appointment{Reason: "Kontrolle", Before: data.Date{Year: 2020, Month: 1, Day: 2}})),
			"2020-01-02 is in the past: give a day from today on",
			"Der 2. Jan. 2020 liegt in der Vergangenheit: Geben Sie einen Tag ab heute an.", "input.request_before_past"},
		{"es", errOf(data.ParseVital(data.VitalGlucose, "abc", "")),
			`"abc" is not a number: write the blood sugar as a number, like 15.1`,
			"«abc» no es un número: escriba el azúcar en sangre como un número, por ejemplo 15,1.", "input.reading_not_number"},
		{"es", errOf(data.ParseDate("31/11")),
			`"31/11" is not a date: use YYYY-MM-DD, like 2026-03-01`,
			"«31/11» no es una fecha: use AAAA-MM-DD, como 2026-03-01.", "input.date"},
	}
	defer tr.MustSetup("en")
	for _, c := range cases {
		var ie *data.InputError
		if !errors.As(c.err, &ie) {
			t.Errorf("%s: %v is no InputError", c.wantKey, c.err)
			continue
		}
		if ie.Msg != c.cli || ie.Key != c.wantKey {
			t.Errorf("%s: message %q key %q, want %q", c.wantKey, ie.Msg, ie.Key, c.cli)
		}
		tr.MustSetup(c.lang)
		if got := inputMessage(c.err); got != c.want {
			t.Errorf("%s in %s:\n got %q\nwant %q", c.wantKey, c.lang, got, c.want)
		}
		tr.MustSetup("en")
		if got := inputMessage(c.err); got == c.want || strings.Contains(got, "input.") {
			t.Errorf("%s in English: %q", c.wantKey, got)
		}
	}
}

// TestInputKeysExist: every translation key the data layer gives an InputError exists (the
// translations' test checks only the keys the app passes to tr.T itself).
func TestInputKeysExist(t *testing.T) {
	words, err := tr.Words("en")
	if err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob(filepath.Join("..", "data", "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	call := regexp.MustCompile(`invalid(?:Field)?\((?:[A-Za-z.]+, )?"([^"]*)"`)
	n := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range call.FindAllStringSubmatch(string(b), -1) {
			n++
			if !strings.HasPrefix(m[1], "input.") {
				t.Errorf("%s: an InputError with no translation key: %s", filepath.Base(f), m[0])
			} else if _, ok := words[m[1]]; !ok {
				t.Errorf("%s: %q is in no translation", filepath.Base(f), m[1])
			}
		}
	}
	if n < 90 {
		t.Errorf("found %d InputErrors in data: is the pattern still right?", n)
	}
}
