package data

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"time"
)

// demoRecord is the demo profile's health record from "the clinic": a US Core-shaped FHIR
// Bundle (problems, a severe and a mild allergy, three medicines, a year of HbA1c and blood
// pressure with some values out of range, a lipid panel, two vaccinations, a visit summary
// and the same to print, as a PDF). Its dates are written {{-N}}, N days before today, so
// the trends always end near the day the profile is made.
//
//go:embed demorecord/record.json
var demoRecord []byte

var demoDay = regexp.MustCompile(`\{\{-(\d+)\}\}`)

// demoLinkedMedicine is the demo record's medicine that the demo's own Metformin was added
// from, before the clinic raised its dose: the Medicines screen shows "your clinic changed
// the dose" on it.
const demoLinkedMedicine = "demo-mr-metformin"

// addDemoRecord stores the demo health record, as the portal sync would.
func (s *Store) addDemoRecord(ctx context.Context, today time.Time) error {
	raw := demoDay.ReplaceAllFunc(demoRecord, func(m []byte) []byte {
		n, _ := strconv.Atoi(string(demoDay.FindSubmatch(m)[1]))
		return []byte(today.AddDate(0, 0, -n).Format(time.DateOnly))
	})
	var bundle struct {
		Entry []struct {
			Resource json.RawMessage `json:"resource"`
		} `json:"entry"`
	}
	if err := json.Unmarshal(raw, &bundle); err != nil {
		return fmt.Errorf("demo health record: %w", err)
	}
	var batch []ClinicalResource
	for _, e := range bundle.Entry {
		var head struct {
			ResourceType string `json:"resourceType"`
			ID           string `json:"id"`
			Meta         struct {
				VersionID string `json:"versionId"`
			} `json:"meta"`
		}
		if err := json.Unmarshal(e.Resource, &head); err != nil {
			return fmt.Errorf("demo health record: %w", err)
		}
		batch = append(batch, ClinicalResource{Type: head.ResourceType, RemoteID: head.ID, Version: head.Meta.VersionID, Raw: e.Resource})
	}
	_, err := s.PutClinical(ctx, batch)
	return err
}
