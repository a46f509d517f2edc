// Package tr gives the app's words in the person's language: every string a person reads in
// the window, the notifications, the tray and the visit report comes from T or N, which look
// it up in the translations built into the binary (assets/translations, one file per part of
// the app and language). Dates, times and numbers are written the language's way by Format,
// Num and Int.
//
// The running language lives in Fyne's lang package (go-i18n underneath), which is the one
// place Fyne's own words (a dialog's buttons) are translated too: Setup chooses it once, before
// the first window, and it stays for the life of the process. A new choice applies at the next
// start (Fyne 2.7 has no call to change it while running, fyne#5333).
package tr

import (
	"fyne.io/fyne/v2/lang"
)

// Args fills the {{.Name}} fields of a text.
type Args = map[string]any

// T is the text for key in the running language, its {{.Field}}s filled from args. A key
// missing from the translations shows as itself (and TestKeysComplete fails on it).
func T(key string, args ...Args) string {
	if len(args) == 0 {
		return lang.X(key, key)
	}
	return lang.X(key, key, args[0])
}

// N is the plural text for key that fits count ("1 dose", "2 doses"): the language's CLDR
// rules choose among the key's forms. {{.Count}} is count; args fill the other fields.
func N(key string, count int, args ...Args) string {
	data := Args{"Count": count}
	if len(args) > 0 {
		for k, v := range args[0] {
			data[k] = v
		}
	}
	return lang.XN(key, key, count, data)
}

// Lang is the running language's code: "en", "es" or "de".
func Lang() string { return T("locale.code") }
