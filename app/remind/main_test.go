package remind

import (
	"os"
	"testing"

	"github.com/patient-companion/companion/app/tr"
)

// TestMain words the notices in English, whatever the machine's language (the tests read
// their titles).
func TestMain(m *testing.M) {
	tr.MustSetup("en")
	os.Exit(m.Run())
}
