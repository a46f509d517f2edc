package export

import (
	"bytes"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/patient-companion/companion/data"
)

// TestFoldingKeepsCharacters folds titles of every length with multi-byte characters at
// every offset: each physical line is at most 75 octets of valid UTF-8, and unfolding gives
// the escaped title back.
func TestFoldingKeepsCharacters(t *testing.T) {
	for _, unit := range []string{"a", "é", "—", "😷", "a,é;\\"} {
		for n := 1; n < 120; n++ {
			title := strings.Repeat("x", n%7) + strings.Repeat(unit, n)
			var b bytes.Buffer
			at := time.Date(2026, 3, 12, 10, 30, 0, 0, time.UTC)
			if err := ICS(&b, []data.Appointment{{ID: "id", Title: title, Start: at, Status: "booked"}}, "1", at); err != nil {
				t.Fatal(err)
			}
			var unfolded []string
			for _, l := range strings.Split(strings.TrimSuffix(b.String(), "\r\n"), "\r\n") {
				if len(l) > 75 || !utf8.ValidString(l) || strings.ContainsAny(l, "\r\n") {
					t.Fatalf("title %q: bad physical line %q (%d octets)", title, l, len(l))
				}
				if strings.HasPrefix(l, " ") {
					unfolded[len(unfolded)-1] += l[1:]
				} else {
					unfolded = append(unfolded, l)
				}
			}
			want := "SUMMARY:" + textValue(title)
			found := false
			for _, l := range unfolded {
				found = found || l == want
			}
			if !found {
				t.Fatalf("title %q: no line %q after unfolding in %q", title, want, unfolded)
			}
		}
	}
}

func TestTextValue(t *testing.T) {
	for in, want := range map[string]string{
		"a,b;c\\d":          `a\,b\;c\\d`,
		"one\r\ntwo\nthree": `one\ntwo\nthree`,
		"bell\a esc\x1b":    "bell esc",
		"tab\there":         "tab\there",
	} {
		if got := textValue(in); got != want {
			t.Errorf("textValue(%q) = %q, want %q", in, got, want)
		}
	}
}
