package portal

import (
	"testing"
	"time"
)

// BenchmarkFirstSync pulls 1,000 appointments and 1,000 messages into an empty profile
// (DESIGN §9: < 3 s). The server is the in-process fake; sync/fhir/fhirtest has the real
// engine for the same figure against Medplum.
func BenchmarkFirstSync(b *testing.B) {
	for b.Loop() {
		b.StopTimer()
		h := newHarness(b)
		fill(h, 1000)
		b.StartTimer()
		res, err := h.sync()
		if err != nil || res.Pulled != 2000 {
			b.Fatalf("sync = %+v, %v", res, err)
		}
	}
}

// BenchmarkNoChangeSync is a sync when nothing changed (DESIGN §9: < 200 ms).
func BenchmarkNoChangeSync(b *testing.B) {
	h := newHarness(b)
	fill(h, 1000)
	if _, err := h.sync(); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		res, err := h.sync()
		if err != nil || res.Pulled != 0 {
			b.Fatalf("sync = %+v, %v", res, err)
		}
	}
}

func fill(h *harness, n int) {
	start := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	for i := 0; i < n; i++ {
		h.portal.AddAppointment(start.Add(time.Duration(i)*time.Hour), "booked", "Check-up")
	}
	for i := 0; i < n; i++ {
		h.portal.AddMessage("Your results are fine.", "Dr Okafor", start.Add(-time.Duration(i)*time.Minute))
	}
}
