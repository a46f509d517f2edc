package tr

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"golang.org/x/text/language"

	"github.com/patient-companion/companion/assets"
)

// Language is one language the app speaks.
type Language struct {
	Code string // "de"
	Name string // in its own words: "Deutsch"
}

// Languages are the languages the app speaks, English first (the fallback).
var Languages = []Language{{"en", "English"}, {"es", "Español"}, {"de", "Deutsch"}}

// Supported reports whether code is one of Languages.
func Supported(code string) bool {
	for _, l := range Languages {
		if l.Code == code {
			return true
		}
	}
	return false
}

// Choose is the language to run in: the person's choice if it is one we speak, else the
// clinic's default, else the closest to the system's languages (systemLocales, most wanted
// first, as BCP 47 tags), else English.
func Choose(choice, clinicDefault string, systemLocales []string) string {
	switch {
	case Supported(choice):
		return choice
	case Supported(clinicDefault):
		return clinicDefault
	}
	var have []language.Tag
	for _, l := range Languages {
		have = append(have, language.Make(l.Code))
	}
	var want []language.Tag
	for _, s := range systemLocales {
		if t, err := language.Parse(s); err == nil {
			want = append(want, t)
		}
	}
	if len(want) == 0 {
		return "en"
	}
	_, i, conf := language.NewMatcher(have).Match(want...)
	if conf == language.No {
		return "en"
	}
	return Languages[i].Code
}

// SystemLocales are this computer's languages, most wanted first (LANGUAGE, LC_ALL,
// LC_MESSAGES, LANG on Linux; the system's list on Windows and macOS).
func SystemLocales() []string {
	return []string{lang.SystemLocale().String()}
}

// Setup loads the translations and makes code (one of Languages) the running language, for
// the app's words and Fyne's own. Call it once, before Fyne shows anything.
//
// Fyne picks its language from the system, with no call to choose another: on Linux and the
// BSDs it reads LANGUAGE, which Setup sets (child processes inherit it, which is what we
// want of a browser opened on the clinic's page); on Windows and macOS, where it asks the
// system, Setup also files the chosen language's words under each of the system's
// languages, so whichever Fyne matches speaks the chosen one (Fyne's own few words, in its
// dialogs, then follow the system there).
func Setup(code string) error {
	if !Supported(code) {
		code = "en"
	}
	if runtime.GOOS != "windows" && runtime.GOOS != "darwin" {
		if err := os.Setenv("LANGUAGE", code); err != nil {
			return fmt.Errorf("choose the language: %w", err)
		}
		for _, k := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
			if v := os.Getenv(k); v == "C" || strings.HasPrefix(v, "C.") || v == "POSIX" {
				// With the C locale Fyne ignores LANGUAGE.
				_ = os.Unsetenv(k)
			}
		}
	}
	// Only the running language's words, in one go: a key missing from them shows as itself
	// (which TestKeysComplete prevents), never as English, so English need not be loaded
	// too; and each file added on its own would make Fyne look up the system's languages
	// again (docs/PERFORMANCE.md, "Languages").
	words, err := Words(code)
	if err != nil {
		return err
	}
	b, err := json.Marshal(words)
	if err != nil {
		return fmt.Errorf("load the translations: %w", err)
	}
	if err := lang.AddTranslationsForLocale(b, fyne.Locale(code)); err != nil {
		return fmt.Errorf("load the translations: %w", err)
	}
	if runtime.GOOS == "windows" || runtime.GOOS == "darwin" {
		for _, s := range Relabel(code, SystemLocales()) {
			if err := lang.AddTranslationsForLocale(b, fyne.Locale(s)); err != nil {
				return fmt.Errorf("load the translations: %w", err)
			}
		}
	}
	return nil
}

// Relabel are the system's languages under which code's words must also be filed so that
// Fyne, matching the system's languages, speaks code: those that would match another.
func Relabel(code string, system []string) []string {
	var out []string
	for _, s := range system {
		if Choose("", "", []string{s}) != code {
			out = append(out, s)
		}
	}
	return out
}

// Words are all of one language's texts by key (a plural text as its forms), from every
// part's file.
func Words(code string) (map[string]any, error) {
	files, err := fs.Glob(assets.Translations, "translations/*."+code+".json")
	if err != nil {
		return nil, fmt.Errorf("load the translations: %w", err)
	}
	out := map[string]any{}
	for _, f := range files {
		b, err := fs.ReadFile(assets.Translations, f)
		if err != nil {
			return nil, fmt.Errorf("load the translations: %w", err)
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, fmt.Errorf("translations %s: %w", path.Base(f), err)
		}
		for k, v := range m {
			out[k] = v
		}
	}
	return out, nil
}

// choiceFile is this computer's settings that are not a profile's: today the language.
const choiceFile = "computer.json"

type computer struct {
	Language string `json:"language,omitempty"`
}

// ReadChoice is the language chosen on this computer for the data folder dir ("" when none
// is, or the file cannot be read: the default then applies, and the window says nothing
// worse than speaking the default).
func ReadChoice(dir string) string {
	f, err := os.Open(filepath.Join(dir, choiceFile))
	if err != nil {
		return ""
	}
	defer f.Close()
	// A few bytes are expected; a file grown huge (or a device put there) is not read whole.
	b, err := io.ReadAll(io.LimitReader(f, 64<<10))
	if err != nil {
		return ""
	}
	var c computer
	if json.Unmarshal(b, &c) != nil || !Supported(c.Language) {
		return ""
	}
	return c.Language
}

// SaveChoice keeps the language chosen ("" for the default) for the next start: written
// beside, then renamed over, so a crash leaves the old choice or the new, never half.
func SaveChoice(dir, code string) error {
	if code != "" && !Supported(code) {
		return fmt.Errorf("language %q: %w", code, errors.ErrUnsupported)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("save the language: %w", err)
	}
	b, _ := json.Marshal(computer{Language: code})
	tmp, err := os.CreateTemp(dir, ".computer-*.json")
	if err != nil {
		return fmt.Errorf("save the language: %w", err)
	}
	_, werr := tmp.Write(append(b, '\n'))
	serr := tmp.Sync()
	cerr := tmp.Close()
	if err := errors.Join(werr, serr, cerr); err != nil {
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("save the language: %w", err)
	}
	if err := os.Rename(tmp.Name(), filepath.Join(dir, choiceFile)); err != nil {
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("save the language: %w", err)
	}
	return nil
}
