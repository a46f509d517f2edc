package tr

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
)

// PseudoCode is the language code of the pseudo-language tests use to find words that do not
// come from the translations: every English letter is written as a look-alike outside ASCII
// ("Take it" reads "Ŧàķé ïţ"), so any plain ASCII word left on screen bypassed T.
const PseudoCode = "eo"

// UsePseudo makes the pseudo-language the running one (for tests only; Linux).
func UsePseudo() error {
	words, err := Words("en")
	if err != nil {
		return err
	}
	for k, v := range words {
		if strings.HasPrefix(k, "format.") || k == "locale.code" {
			continue // layouts and the code stay as they are
		}
		switch v := v.(type) {
		case string:
			words[k] = Pseudo(v)
		case map[string]any:
			for f, s := range v {
				if s, ok := s.(string); ok {
					v[f] = Pseudo(s)
				}
			}
		}
	}
	b, err := json.Marshal(words)
	if err != nil {
		return err
	}
	if err := os.Setenv("LANGUAGE", PseudoCode); err != nil {
		return err
	}
	return lang.AddTranslationsForLocale(b, fyne.Locale(PseudoCode))
}

// pseudoLetters are the look-alikes of a–z and A–Z.
var pseudoLetters = [2][]rune{
	[]rune("àƀçđéƒĝĥïĵķĺɱñöþʠŕšţüʋŵẋýž"),
	[]rune("ÀƁÇĐÉƑĜĤÏĴĶĹṀÑÖÞǪŔŠŦÜṼŴẊÝŽ"),
}

// Pseudo writes s's ASCII letters as look-alikes, leaving {{.Fields}} as they are.
func Pseudo(s string) string {
	var b strings.Builder
	depth := 0
	for i, r := range s {
		switch {
		case strings.HasPrefix(s[i:], "{{"):
			depth++
		case strings.HasPrefix(s[i:], "}}") && depth > 0:
			depth--
		}
		if depth > 0 || r > unicode.MaxASCII || !unicode.IsLetter(r) {
			b.WriteRune(r)
			continue
		}
		if unicode.IsUpper(r) {
			b.WriteRune(pseudoLetters[1][r-'A'])
		} else {
			b.WriteRune(pseudoLetters[0][r-'a'])
		}
	}
	return b.String()
}

// HasASCIIWord reports whether s holds a word of two or more ASCII letters: in the
// pseudo-language, a word that did not come from the translations (or came from data).
func HasASCIIWord(s string) (string, bool) {
	run := 0
	start := 0
	for i, r := range s + " " {
		if r < unicode.MaxASCII && unicode.IsLetter(r) {
			if run == 0 {
				start = i
			}
			run++
			continue
		}
		if run >= 2 {
			return s[start:i], true
		}
		run = 0
	}
	return "", false
}

// MustSetup is Setup for tests: it panics on failure.
func MustSetup(code string) {
	if err := Setup(code); err != nil {
		panic(fmt.Sprintf("translations: %v", err))
	}
}
