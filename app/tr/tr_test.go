package tr_test

import (
	"bytes"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/patient-companion/companion/app/tr"
	"github.com/patient-companion/companion/assets"
	"github.com/patient-companion/companion/data"
)

// parts are the translation files' parts (base, today, …), each of which must come in
// every language.
func parts(t *testing.T) map[string][]string {
	t.Helper()
	files, err := fs.Glob(assets.Translations, "translations/*.json")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".json")
		part, code, ok := strings.Cut(name, ".")
		if !ok || !tr.Supported(code) {
			t.Errorf("%s: name it <part>.<language>.json, with a language of %v", f, tr.Languages)
			continue
		}
		out[part] = append(out[part], code)
	}
	return out
}

// TestKeysComplete: every part comes in every language, with the same keys, the same
// {{.Fields}} and the plural forms each language needs; a key the code asks for exists.
func TestKeysComplete(t *testing.T) {
	for part, codes := range parts(t) {
		for _, l := range tr.Languages {
			if !slices.Contains(codes, l.Code) {
				t.Errorf("translations/%s.%s.json is missing", part, l.Code)
			}
		}
	}
	en, err := tr.Words("en")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range tr.Languages[1:] {
		words, err := tr.Words(l.Code)
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range en {
			w, ok := words[k]
			if !ok {
				t.Errorf("%s: %q is missing", l.Code, k)
				continue
			}
			if a, b := fields(v), fields(w); !slices.Equal(a, b) {
				t.Errorf("%s: %q fills %v, English fills %v", l.Code, k, b, a)
			}
			if _, plural := v.(map[string]any); plural {
				if _, ok := w.(map[string]any); !ok {
					t.Errorf("%s: %q must have plural forms, as in English", l.Code, k)
				}
			}
		}
		for k := range words {
			if _, ok := en[k]; !ok {
				t.Errorf("%s: %q is not an English key (renamed or removed?)", l.Code, k)
			}
		}
	}
	for _, l := range tr.Languages {
		words, _ := tr.Words(l.Code)
		for k, v := range words {
			m, ok := v.(map[string]any)
			if !ok {
				continue
			}
			// go-i18n needs the form CLDR chooses for each count; English, German and Spanish
			// use one and other (Spanish also many, for a million and up: not counts we show).
			for _, f := range []string{"one", "other"} {
				if s, _ := m[f].(string); s == "" {
					t.Errorf("%s: %q has no %q form", l.Code, k, f)
				}
			}
		}
	}
	for _, en := range data.DemoTexts() {
		if _, ok := words0(t)["demo."+en]; !ok {
			t.Errorf("the demo profile's %q has no translation (demo.*.json)", en)
		}
	}
	for key, where := range codeKeys(t) {
		if _, ok := en[key]; !ok {
			t.Errorf("%s asks for %q, which no translation has", where, key)
		}
	}
}

func words0(t *testing.T) map[string]any {
	t.Helper()
	en, err := tr.Words("en")
	if err != nil {
		t.Fatal(err)
	}
	return en
}

var fieldRE = regexp.MustCompile(`\{\{\s*\.(\w+)\s*\}\}`)

// fields are the {{.Field}}s a text (or its plural forms) fills, sorted.
func fields(v any) []string {
	var texts []string
	switch v := v.(type) {
	case string:
		texts = []string{v}
	case map[string]any:
		for _, s := range v {
			if s, ok := s.(string); ok {
				texts = append(texts, s)
			}
		}
	}
	set := map[string]bool{}
	for _, s := range texts {
		for _, m := range fieldRE.FindAllStringSubmatch(s, -1) {
			if m[1] != "Count" {
				set[m[1]] = true
			}
		}
	}
	var out []string
	for f := range set {
		out = append(out, f)
	}
	sort.Strings(out)
	return out
}

// codeKeys are the literal keys the code passes to tr.T and tr.N, with where.
func codeKeys(t *testing.T) map[string]string {
	t.Helper()
	root := filepath.Join("..", "..")
	out := map[string]string{}
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && p != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(p, ".go") {
			return nil
		}
		f, err := parser.ParseFile(fset, p, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) == 0 {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			if id, ok := sel.X.(*ast.Ident); !ok || id.Name != "tr" || (sel.Sel.Name != "T" && sel.Sel.Name != "N") {
				return true
			}
			if lit, ok := call.Args[0].(*ast.BasicLit); ok && lit.Kind == token.STRING {
				if k, err := strconv.Unquote(lit.Value); err == nil {
					out[k] = fset.Position(lit.Pos()).String()
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestMain(m *testing.M) {
	tr.MustSetup("en")
	os.Exit(m.Run())
}

// TestFormats writes the same moment and numbers in each language.
func TestFormats(t *testing.T) {
	at := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		code, dateClock, long, num, plural string
	}{
		{"en", "Mon 30 Nov 2026, 08:00", "Monday 30 November 2026", "1,234.5", ""},
		{"es", "lun, 30 nov 2026, 08:00", "lunes, 30 de noviembre de 2026", "1.234,5", ""},
		{"de", "Mo., 30. Nov. 2026, 08:00", "Montag, 30. November 2026", "1.234,5", ""},
	} {
		tr.MustSetup(c.code)
		if got := tr.Lang(); got != c.code {
			t.Fatalf("running %q after Setup(%q)", got, c.code)
		}
		if got := tr.Format(at, tr.DateClock); got != c.dateClock {
			t.Errorf("%s: DateClock = %q, want %q", c.code, got, c.dateClock)
		}
		if got := tr.Format(at, tr.LongDate); got != c.long {
			t.Errorf("%s: LongDate = %q, want %q", c.code, got, c.long)
		}
		if got := tr.Num(1234.5, 1); got != c.num {
			t.Errorf("%s: Num = %q, want %q", c.code, got, c.num)
		}
	}
	tr.MustSetup("en")
	if got := tr.Layout(time.Date(2026, 5, 4, 20, 5, 0, 0, time.UTC), "3:04 PM, Jan"); got != "8:05 PM, May" {
		t.Errorf("12-hour layout = %q", got)
	}
}

func TestChoose(t *testing.T) {
	for _, c := range []struct {
		choice, clinic string
		system         []string
		want           string
	}{
		{"", "", []string{"de-AT"}, "de"},
		{"", "", []string{"es-MX"}, "es"},
		{"", "", []string{"fr-FR"}, "en"},
		{"", "", nil, "en"},
		{"", "es", []string{"de-DE"}, "es"},
		{"de", "es", []string{"en-US"}, "de"},
		{"fr", "", []string{"es"}, "es"},
	} {
		if got := tr.Choose(c.choice, c.clinic, c.system); got != c.want {
			t.Errorf("Choose(%q, %q, %v) = %q, want %q", c.choice, c.clinic, c.system, got, c.want)
		}
	}
}

// TestRelabel: on Windows and macOS, German chosen on a French and English system is filed
// under both; on a German system under none.
func TestRelabel(t *testing.T) {
	if got := tr.Relabel("de", []string{"fr-FR", "en-GB"}); !slices.Equal(got, []string{"fr-FR", "en-GB"}) {
		t.Errorf("Relabel(de, fr en) = %v", got)
	}
	if got := tr.Relabel("de", []string{"de-AT"}); len(got) != 0 {
		t.Errorf("Relabel(de, de-AT) = %v", got)
	}
}

func TestChoiceKept(t *testing.T) {
	dir := t.TempDir()
	if got := tr.ReadChoice(dir); got != "" {
		t.Fatalf("no file: %q", got)
	}
	if err := tr.SaveChoice(dir, "de"); err != nil {
		t.Fatal(err)
	}
	if got := tr.ReadChoice(dir); got != "de" {
		t.Fatalf("after saving de: %q", got)
	}
	if err := tr.SaveChoice(dir, "xx"); err == nil {
		t.Fatal("saved a language we do not speak")
	}
	if got := tr.ReadChoice(dir); got != "de" {
		t.Fatalf("a refused choice changed it: %q", got)
	}
	if err := os.WriteFile(filepath.Join(dir, "computer.json"), []byte("{broken"), 0o600); err != nil {
		t.Fatal(err)
	}
	if got := tr.ReadChoice(dir); got != "" {
		t.Fatalf("a damaged file: %q, want the default", got)
	}
	big := append([]byte(`{"language":"de","x":"`), bytes.Repeat([]byte(" "), 1<<20)...)
	if err := os.WriteFile(filepath.Join(dir, "computer.json"), append(big, `"}`...), 0o600); err != nil {
		t.Fatal(err)
	}
	if got := tr.ReadChoice(dir); got != "" {
		t.Fatalf("a 1 MiB file: %q, want the default", got)
	}
}

func TestPseudo(t *testing.T) {
	if got := tr.Pseudo("Take {{.Name}} at 8"); got != "Ŧàķé {{.Name}} àţ 8" {
		t.Errorf("Pseudo = %q", got)
	}
	if w, ok := tr.HasASCIIWord("Ŧàķé Metformin 500 mg"); !ok || w != "Metformin" {
		t.Errorf("HasASCIIWord = %q %v", w, ok)
	}
	if _, ok := tr.HasASCIIWord("Ŧàķé 8:00 ẋ 2"); ok {
		t.Error("found a word in pseudo text")
	}
}

// sinks are the calls that put text on screen or in a notification or report: a string
// literal with words among their arguments bypasses the translations.
var sinks = map[string]bool{
	"NewLabel": true, "NewLabelWithStyle": true, "NewButton": true, "NewButtonWithIcon": true, "NewCheck": true,
	"NewHyperlink": true, "NewCard": true, "NewFormItem": true, "NewMenuItem": true, "NewMenu": true, "NewText": true,
	"SetText": true, "SetPlaceHolder": true, "SetTitle": true, "NewConfirm": true, "NewInformation": true,
	"ShowConfirm": true, "ShowInformation": true, "NewCustom": true, "NewCustomConfirm": true, "ShowCustom": true,
	"ShowCustomConfirm": true, "NewRichTextWithText": true, "NewRichTextFromMarkdown": true, "ParseMarkdown": true,
	"NewSelect": true, "NewRadioGroup": true, "NewAccordionItem": true, "NewTabItem": true, "formError": true,
	"Notice": true, "SetSubject": true, "CellFormat": true, "MultiCell": true, "Cell": true, "Write": true,
}

// pdfWords are fpdf's own arguments (units, cell borders), not text.
var pdfWords = map[string]bool{"mm": true, "pt": true, "LR": true, "TB": true, "LRB": true, "LRT": true, "LT": true,
	"RT": true, "LB": true, "RB": true, "TLR": true, "BLR": true}

// textFields are the fields of a composite literal that hold text a person reads
// (fyne.Notification{Title, Content}, remind.Notice{Title, Body}, widget.Label{Text}…).
var textFields = map[string]bool{"Title": true, "Body": true, "Text": true, "Content": true, "PlaceHolder": true,
	"Subtitle": true, "Message": true, "Hint": true}

// letterWord finds a word of two or more letters in a literal, outside its %verbs.
var letterWord = regexp.MustCompile(`(^|[^%A-Za-z])[A-Za-z]{2,}`)

// TestNoLiteralText: no text a person reads is written in the code of the window, the
// notifications and the report; it comes from tr.T or tr.N (the pseudo-language test finds
// what this cannot see, such as text kept in a variable first).
func TestNoLiteralText(t *testing.T) {
	fset := token.NewFileSet()
	for _, dir := range []string{"..", "../report", "../remind", "../notify"} {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range files {
			if strings.HasSuffix(p, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(fset, p, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			flag := func(lit *ast.BasicLit, where string) {
				s, err := strconv.Unquote(lit.Value)
				if err == nil && letterWord.MatchString(s) && !pdfWords[s] {
					t.Errorf("%s: %s(… %q …) is text that bypasses the translations", fset.Position(lit.Pos()), where, s)
				}
			}
			ast.Inspect(f, func(n ast.Node) bool {
				if kv, ok := n.(*ast.KeyValueExpr); ok {
					if key, ok := kv.Key.(*ast.Ident); ok && textFields[key.Name] {
						if lit, ok := kv.Value.(*ast.BasicLit); ok && lit.Kind == token.STRING {
							flag(lit, key.Name+":")
						}
					}
					return true
				}
				call, ok := n.(*ast.CallExpr)
				if !ok {
					return true
				}
				name := ""
				switch fn := call.Fun.(type) {
				case *ast.SelectorExpr:
					name = fn.Sel.Name
				case *ast.Ident:
					name = fn.Name
				}
				if !sinks[name] {
					return true
				}
				for _, arg := range call.Args {
					ast.Inspect(arg, func(n ast.Node) bool {
						if c, ok := n.(*ast.CallExpr); ok {
							if sel, ok := c.Fun.(*ast.SelectorExpr); ok {
								if id, ok := sel.X.(*ast.Ident); ok && id.Name == "tr" {
									return false // a key, and the translation's fields
								}
							}
						}
						if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
							flag(lit, name)
						}
						return true
					})
				}
				return true
			})
		}
	}
}

// BenchmarkSetup is what choosing the language adds to every start (window and command).
func BenchmarkSetup(b *testing.B) {
	for b.Loop() {
		tr.MustSetup("de")
	}
	tr.MustSetup("en")
}

// BenchmarkT is one lookup with a field, as a list row makes several.
func BenchmarkT(b *testing.B) {
	tr.MustSetup("de")
	defer tr.MustSetup("en")
	for b.Loop() {
		_ = tr.T("today.dose_logged", tr.Args{"Time": "08:00"})
	}
}

// BenchmarkFormat is a date written the language's way.
func BenchmarkFormat(b *testing.B) {
	tr.MustSetup("de")
	defer tr.MustSetup("en")
	at := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	for b.Loop() {
		_ = tr.Format(at, tr.DateClock)
	}
}
