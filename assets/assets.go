// Package assets holds files built into the binary: the app icon (and later fonts,
// translations and default clinic settings).
package assets

import _ "embed"

// Icon is the app icon, a 512×512 PNG.
//
//go:embed icon.png
var Icon []byte
