package clinic

// A clinic file is written by clinic IT and baked into a build; a mistake in it must be
// refused with a reason at build time (clinic-check, make dist), never accepted half-read.

import (
	"bytes"
	"encoding/json"
	"image"
	"image/png"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// FuzzParse: Parse either refuses a clinic file with a "clinic file:" error, or accepts a
// file that is one valid JSON value whose every field keeps its rules; written back out
// (json.Marshal) it parses to the same clinic.
func FuzzParse(f *testing.F) {
	var logo bytes.Buffer
	png.Encode(&logo, image.NewRGBA(image.Rect(0, 0, 4, 4)))
	if ex, err := os.ReadFile("../clinics/example/clinic.json"); err == nil {
		f.Add(ex, logo.Bytes())
	}
	f.Add([]byte(`{"name":"Riverside Health","logo":"logo.png",
		"portal":{"fhir_base_url":"https://portal.riverside.example/fhir","client_id":"companion"},
		"support":{"phone":"+44 20 7946 0000","email":"help@riverside.example","web":"https://riverside.example/help"},
		"policy":{"auto_lock_minutes":3,"hide_medicine_names":true,"sync_interval_minutes":30},
		"locked":["hide_medicine_names","auto_lock_minutes"]}`), logo.Bytes())
	f.Add([]byte(`{"name":" A ","portal":{"fhir_base_url":"http://127.0.0.1:8080/fhir"},"support":{}}`), []byte(nil))
	f.Add([]byte(`{"name":"A"} {"name":"B"}`), []byte(nil))
	f.Add([]byte(`{"name":"A","logo":"x.png"}`), []byte("not a png"))
	f.Add([]byte(`{"name":"A","locked":["auto_lock_minutes"],"policy":{"auto_lock_minutes":-1}}`), []byte(nil))
	f.Fuzz(func(t *testing.T, b, logo []byte) {
		read := func(name string) ([]byte, error) {
			if len(logo) == 0 {
				return nil, os.ErrNotExist
			}
			return logo, nil
		}
		c, err := Parse(b, read)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "clinic file: ") {
				t.Fatalf("error does not say it is about the clinic file: %v", err)
			}
			if c != nil {
				t.Fatal("an error and a clinic")
			}
			return
		}
		if !json.Valid(b) {
			t.Fatalf("accepted a file that is not one JSON value: %q", b)
		}
		if c.Name == "" || c.Name != strings.TrimSpace(c.Name) {
			t.Fatalf("name %q", c.Name)
		}
		if c.Portal != nil {
			if err := CheckPortalURL(c.Portal.FHIRBaseURL); err != nil {
				t.Fatalf("portal accepted: %v", err)
			}
		}
		if p := c.Policy.AutoLockMinutes; p != nil && (*p < 0 || *p > 1440) {
			t.Fatalf("auto_lock_minutes %d", *p)
		}
		if p := c.Policy.SyncIntervalMinutes; p != nil && (*p < 5 || *p > 1440) {
			t.Fatalf("sync_interval_minutes %d", *p)
		}
		if !slices.IsSorted(c.Locked) {
			t.Fatalf("locked not sorted: %v", c.Locked)
		}
		for _, k := range c.Locked {
			if !c.IsLocked(k) || c.Default(k) == "" {
				t.Fatalf("locked %q without a value", k)
			}
		}
		if c.Logo != "" && (len(c.LogoPNG) == 0 || len(c.LogoPNG) > MaxLogo) {
			t.Fatalf("logo of %d bytes", len(c.LogoPNG))
		}
		// Written back, it reads the same.
		out, err := json.Marshal(c.File)
		if err != nil {
			t.Fatal(err)
		}
		again, err := Parse(out, read)
		if err != nil {
			t.Fatalf("the clinic written back is refused: %v\n%s", err, out)
		}
		if !reflect.DeepEqual(again.File, c.File) || !bytes.Equal(again.LogoPNG, c.LogoPNG) {
			t.Fatalf("round trip changed the clinic:\n%+v\n%+v", c.File, again.File)
		}
	})
}
