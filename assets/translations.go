package assets

import "embed"

// Translations holds the words of the app in each language, one file per part of the app
// and language: translations/<part>.<language>.json, in go-i18n's JSON form (a key and its
// text, or its plural forms). Package app/tr loads them; docs/TRANSLATING.md explains them.
//
//go:embed translations/*.json
var Translations embed.FS
