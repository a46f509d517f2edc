package app

import (
	"os"
	"testing"

	"github.com/patient-companion/companion/app/tr"
)

// TestMain runs the window's tests in English, whatever the machine's language; tests of
// other languages switch and switch back (the language is the process's, as in the app).
func TestMain(m *testing.M) {
	tr.MustSetup("en")
	os.Exit(m.Run())
}
