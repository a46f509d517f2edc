package assets

import _ "embed"

// The report's font: DejaVu Sans (Bitstream Vera licence, fonts/LICENSE-DejaVu.txt). A PDF
// must carry its own font to show names the same on every computer; DejaVu covers Latin,
// Greek, Cyrillic and many more alphabets (not Chinese, Japanese or Korean, whose fonts
// would add megabytes) and the symbols we draw.

// FontRegular is DejaVu Sans.
//
//go:embed fonts/DejaVuSans.ttf
var FontRegular []byte

// FontBold is DejaVu Sans Bold.
//
//go:embed fonts/DejaVuSans-Bold.ttf
var FontBold []byte
