package health

import (
	"fmt"
	"testing"

	"github.com/patient-companion/companion/data"
)

// BenchmarkRows reads a large record: 5,000 observations in 500 reports, and 200 other
// resources (the size issue 13's sync is measured at).
func BenchmarkRows(b *testing.B) {
	var res []data.ClinicalResource
	for i := range 5000 {
		id := fmt.Sprintf("o%d", i)
		res = append(res, cr("Observation", id, obs(id, fmt.Sprint(i%40), "Test", `"valueQuantity":{"value":7.9,"unit":"%"}`,
			fmt.Sprintf(`"effectiveDateTime":"2025-%02d-%02dT08:00:00Z","referenceRange":[{"low":{"value":4.0},"high":{"value":5.6}}]`, i%12+1, i%28+1))))
	}
	for i := range 500 {
		refs := ""
		for j := range 10 {
			if j > 0 {
				refs += ","
			}
			refs += fmt.Sprintf(`{"reference":"Observation/o%d"}`, i*10+j)
		}
		res = append(res, cr("DiagnosticReport", fmt.Sprint("r", i), `{"resourceType":"DiagnosticReport","status":"final","code":{"text":"Panel"},
		"effectiveDateTime":"2025-01-01","result":[`+refs+`],"conclusion":"ok"}`))
	}
	for i := range 200 {
		res = append(res, cr("Condition", fmt.Sprint("c", i), `{"resourceType":"Condition","code":{"text":"Asthma"},"onsetDateTime":"2019-03"}`))
	}
	b.ReportAllocs()
	for b.Loop() {
		rows, skipped := Rows(res)
		if len(rows) != len(res) || skipped != 0 {
			b.Fatalf("%d rows, %d skipped", len(rows), skipped)
		}
	}
}
