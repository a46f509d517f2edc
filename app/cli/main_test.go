package cli

import (
	"os"
	"testing"

	"github.com/patient-companion/companion/app/tr"
)

// TestMain loads the translations in English, as main does before any command: the
// command line's own text is English, but the visit report it writes is in the chosen
// language's words.
func TestMain(m *testing.M) {
	tr.MustSetup("en")
	os.Exit(m.Run())
}
