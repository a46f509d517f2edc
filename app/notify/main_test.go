package notify

import (
	"os"
	"testing"

	"github.com/patient-companion/companion/app/tr"
)

// TestMain labels the buttons in English, whatever the machine's language (the dunst test
// chooses them by label).
func TestMain(m *testing.M) {
	tr.MustSetup("en")
	os.Exit(m.Run())
}
