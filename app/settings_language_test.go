package app

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/patient-companion/companion/app/tr"
	"github.com/patient-companion/companion/clinic"
	"github.com/patient-companion/companion/data"
)

// openSettingsWith opens Mum's profile in a window for cl (nil for none) and shows Settings.
func openSettingsWith(t *testing.T, cl *clinic.Clinic) *UI {
	t.Helper()
	p := testProfiles(t, nil)
	makeProfile(t, p, data.CreateOptions{Name: "Mum", Passphrase: []byte(goodPass), NoKeyring: true})
	u := newTestUIWith(t, test.NewTempApp(t), Options{Profiles: p, Clinic: cl})
	unlockWith(t, u, goodPass)
	ctrl(u, fyne.Key6)
	if u.settings == nil {
		t.Fatal("Ctrl+6 should show Settings")
	}
	return u
}

// wordsOf is a language's text for key, as the translations hold it.
func wordsOf(t *testing.T, code, key string) string {
	t.Helper()
	words, err := tr.Words(code)
	if err != nil {
		t.Fatal(err)
	}
	s, _ := words[key].(string)
	if s == "" {
		t.Fatalf("%s has no %q", code, key)
	}
	return s
}

// TestLanguageSetting: the language is chosen per computer, in computer.json in the data
// folder, from the keyboard like the other choices; the screen says it comes at the next
// start (in the new language), and a choice that cannot be saved says so and stays as it was.
func TestLanguageSetting(t *testing.T) {
	u := openSettingsWith(t, nil)
	dir := u.opt.Profiles.Dir
	ls := u.settings.language
	if want := []string{"Default (this computer's language)", "English", "Español", "Deutsch"}; !slices.Equal(ls.sel.Options, want) {
		t.Fatalf("choices %q, want %q", ls.sel.Options, want)
	}
	if ls.sel.SelectedIndex() != 0 || ls.msg.Visible() {
		t.Fatalf("nothing chosen yet: shows %q, note %q", ls.sel.Selected, ls.msg.Text)
	}

	// By keyboard: Tab from High contrast reaches it; Right goes down the list.
	c := u.win.Canvas()
	c.Focus(u.settings.contrast)
	c.FocusNext()
	if c.Focused() != ls.sel {
		t.Fatalf("Tab after High contrast reached %T, want the language", c.Focused())
	}
	for range 3 {
		ls.sel.TypedKey(&fyne.KeyEvent{Name: fyne.KeyRight})
	}
	if ls.sel.Selected != "Deutsch" {
		t.Fatalf("Right three times chose %q, want Deutsch", ls.sel.Selected)
	}
	b, err := os.ReadFile(filepath.Join(dir, "computer.json"))
	if err != nil {
		t.Fatal(err)
	}
	if got := tr.ReadChoice(dir); got != "de" {
		t.Fatalf("computer.json %s: language %q, want de", b, got)
	}
	assertShows(t, ls.msg, wordsOf(t, "de", "settings.language_next_start"))

	// Settings shown again reads the choice back.
	ctrl(u, fyne.Key1)
	ctrl(u, fyne.Key6)
	ls = u.settings.language
	if ls.sel.Selected != "Deutsch" {
		t.Fatalf("Settings shows %q after choosing Deutsch", ls.sel.Selected)
	}

	// Default writes no language: the clinic's or the computer's applies again.
	ls.sel.SetSelectedIndex(0)
	if got := tr.ReadChoice(dir); got != "" {
		t.Fatalf("Default saved %q, want none", got)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "computer.json")); string(b) != "{}\n" {
		t.Errorf("computer.json after Default: %s", b)
	}
	if !ls.msg.Visible() || ls.msg.Text == "" {
		t.Error("the note should say the language changes at the next start")
	}
	ls.sel.SetSelected("Español")
	if tr.ReadChoice(dir) != "es" {
		t.Fatal("Español was not saved")
	}

	t.Run("read-only data folder", func(t *testing.T) {
		if os.Geteuid() == 0 {
			t.Skip("root writes into a read-only folder; the next subtest blocks the save another way")
		}
		if err := os.Chmod(dir, 0o500); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = os.Chmod(dir, 0o700) })
		ls.sel.SetSelected("Deutsch")
		assertNotSaved(t, ls, dir)
		if got := tr.ReadChoice(dir); got != "es" {
			t.Errorf("the choice on disk is %q, want the old es", got)
		}
	})

	t.Run("computer.json cannot be replaced", func(t *testing.T) {
		// A folder in its place: renaming over it fails, even for root.
		f := filepath.Join(dir, "computer.json")
		if err := os.Remove(f); err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Join(f, "in-the-way"), 0o700); err != nil {
			t.Fatal(err)
		}
		ls.sel.SetSelected("Deutsch")
		assertNotSaved(t, ls, dir)
		if _, err := os.Stat(filepath.Join(f, "in-the-way")); err != nil {
			t.Errorf("what was in the way should be left alone: %v", err)
		}
		if tmp, _ := filepath.Glob(filepath.Join(dir, ".computer-*")); len(tmp) > 0 {
			t.Errorf("a failed save left %v behind", tmp)
		}
	})
}

// assertNotSaved: the save failed, the screen says so, and the choice shown is the old one.
func assertNotSaved(t *testing.T, ls *languageSetting, dir string) {
	t.Helper()
	assertShows(t, ls.msg, "The language could not be saved, so it stays as it was. Check that this folder can be written to: "+dir)
	if ls.sel.Selected != "Español" || ls.sel.Disabled() {
		t.Errorf("shows %q (disabled %v), want the old choice Español, usable", ls.sel.Selected, ls.sel.Disabled())
	}
}

// TestLanguageSettingClinicDefault: a clinic's build that sets a language names it as the
// default.
func TestLanguageSettingClinicDefault(t *testing.T) {
	u := openSettingsWith(t, &clinic.Clinic{File: clinic.File{Name: "Riverside", Language: "es"}})
	ls := u.settings.language
	if got := ls.sel.Options[0]; got != "Default (Español, set by your clinic)" {
		t.Errorf("the default reads %q", got)
	}
	ls.sel.SetSelected("English")
	ls.sel.SetSelectedIndex(0)
	// Back to the default: the clinic's Spanish, so the note is in Spanish.
	assertShows(t, ls.msg, wordsOf(t, "es", "settings.language_next_start"))
}
