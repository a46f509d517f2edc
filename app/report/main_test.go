package report_test

import (
	"os"
	"testing"

	"github.com/patient-companion/companion/app/tr"
)

// TestMain runs the report's tests in English; the language tests switch for themselves.
func TestMain(m *testing.M) {
	tr.MustSetup("en")
	os.Exit(m.Run())
}
