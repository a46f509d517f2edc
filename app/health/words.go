package health

import (
	"encoding/json"
	"io/fs"
	"strings"
	"text/template"

	"github.com/patient-companion/companion/assets"
)

// Words writes the phrases this package builds ("Not given", "twice a day", "as needed for
// pain", a plan's reason) in one language, from the "health.*" translations. The window
// passes the person's language (app/tr); the command line, whose JSON and text stay
// English whatever the language, passes English (what Rows and MedicinePlan use).
//
// The functions here take it as a parameter named tr, like the app's package: the
// translations' test (app/tr) then checks every key this package asks for exists, as it
// does the window's.
type Words interface {
	// T is the text for key, its {{.Field}}s filled from args.
	T(key string, args ...map[string]any) string
	// N is the plural text for key that fits count; {{.Count}} is count.
	N(key string, count int, args ...map[string]any) string
	// Decimal writes a decimal number as the clinic sent it ("7.9", "4.0") the language's
	// way ("7,9", "4,0"), keeping its digits.
	Decimal(s string) string
}

// English is Words in English, from assets/translations/health.en.json: what the command
// line shows and prints.
func English() Words {
	e := english{texts: map[string]any{}, parsed: map[string]*template.Template{}}
	if b, err := fs.ReadFile(assets.Translations, "translations/health.en.json"); err == nil {
		_ = json.Unmarshal(b, &e.texts) // built into the binary and tested: it reads
	}
	return e
}

// english fills the English texts with text/template, as go-i18n does (the same
// {{.Field}} syntax), and chooses a plural form by English's rule: one for 1, other for
// the rest.
type english struct {
	texts  map[string]any // a string, or map[string]any of plural forms
	parsed map[string]*template.Template
}

func (e english) T(key string, args ...map[string]any) string {
	s, _ := e.texts[key].(string)
	return e.fill(key, s, args)
}

func (e english) N(key string, count int, args ...map[string]any) string {
	forms, _ := e.texts[key].(map[string]any)
	form := "other"
	if count == 1 {
		form = "one"
	}
	s, _ := forms[form].(string)
	data := map[string]any{"Count": count}
	if len(args) > 0 {
		for k, v := range args[0] {
			data[k] = v
		}
	}
	return e.fill(key+"#"+form, s, []map[string]any{data})
}

func (e english) fill(id, s string, args []map[string]any) string {
	if s == "" {
		return id // a missing key shows as itself, as in the window
	}
	if !strings.Contains(s, "{{") {
		return s
	}
	t, ok := e.parsed[id]
	if !ok {
		var err error
		if t, err = template.New(id).Option("missingkey=zero").Parse(s); err != nil {
			return s
		}
		e.parsed[id] = t
	}
	var data map[string]any
	if len(args) > 0 {
		data = args[0]
	}
	var b strings.Builder
	if err := t.Execute(&b, data); err != nil {
		return s
	}
	return b.String()
}

// Decimal: the command line writes numbers as the clinic sent them.
func (english) Decimal(s string) string { return s }
