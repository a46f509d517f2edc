package clinic

import (
	"bytes"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func pngBytes(t *testing.T) []byte {
	var b bytes.Buffer
	png.Encode(&b, image.NewRGBA(image.Rect(0, 0, 8, 8)))
	return b.Bytes()
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "logo.png"), pngBytes(t), 0o644)
	good := `{"name":"Riverside Health","logo":"logo.png",
		"portal":{"fhir_base_url":"https://portal.riverside.example/fhir","client_id":"companion"},
		"support":{"phone":"+44 20 7946 0000","email":"help@riverside.example","web":"https://riverside.example/help"},
		"policy":{"auto_lock_minutes":3,"hide_medicine_names":true,"sync_interval_minutes":30},
		"locked":["hide_medicine_names","auto_lock_minutes"]}`
	path := filepath.Join(dir, "clinic.json")
	os.WriteFile(path, []byte(good), 0o644)
	c, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if c.Name != "Riverside Health" || len(c.LogoPNG) == 0 || !c.IsLocked("hide_medicine_names") || c.IsLocked("sync_interval_minutes") {
		t.Fatalf("clinic = %+v", c.File)
	}
	if c.Default("auto_lock_minutes") != "3" || c.Default("hide_medicine_names") != "true" || c.Default("snooze_minutes") != "" {
		t.Fatal("policy defaults wrong")
	}
	var none *Clinic
	if none.IsLocked("x") || none.Default("x") != "" {
		t.Fatal("a nil clinic has a say")
	}
}

func TestInvalid(t *testing.T) {
	logo := pngBytes(t)
	read := func(name string) ([]byte, error) {
		switch name {
		case "logo.png":
			return logo, nil
		case "big.png":
			return append(append([]byte{}, logo...), make([]byte, MaxLogo)...), nil
		case "text.png":
			return []byte("not an image"), nil
		}
		return nil, os.ErrNotExist
	}
	cases := map[string]struct{ json, want string }{
		"missing name":       {`{"support":{}}`, "name is missing"},
		"unknown key":        {`{"name":"A","colour":"blue"}`, "unknown field"},
		"http portal":        {`{"name":"A","portal":{"fhir_base_url":"http://portal.example/fhir"}}`, "plain http"},
		"not a url":          {`{"name":"A","portal":{"fhir_base_url":"portal"}}`, "not an address"},
		"logo not png":       {`{"name":"A","logo":"text.png"}`, "not a PNG"},
		"logo too large":     {`{"name":"A","logo":"big.png"}`, "at most"},
		"logo missing":       {`{"name":"A","logo":"nope.png"}`, "logo"},
		"bad email":          {`{"name":"A","support":{"email":"help at clinic"}}`, "e-mail"},
		"http web":           {`{"name":"A","support":{"web":"http://clinic.example"}}`, "https"},
		"lock unknown":       {`{"name":"A","locked":["colour"]}`, "not a policy setting"},
		"lock without value": {`{"name":"A","locked":["auto_lock_minutes"]}`, "does not set it"},
		"bad auto-lock":      {`{"name":"A","policy":{"auto_lock_minutes":-1}}`, "0 to 1440"},
		"two values":         {`{"name":"A"}{"name":"B"}`, "more than one"},
		"unknown language":   {`{"name":"A","language":"fr"}`, "not one the app speaks (en, es, de)"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := Parse([]byte(tc.json), read)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tc.want)
			}
		})
	}
	if c, err := Parse([]byte(`{"name":"A","language":"de"}`), read); err != nil || c.DefaultLanguage() != "de" {
		t.Fatalf("language de: %v, %v", c, err)
	}
	// A loopback http portal is fine (a clinic's test server on the same machine).
	if _, err := Parse([]byte(`{"name":"A","portal":{"fhir_base_url":"http://127.0.0.1:8080/fhir"}}`), read); err != nil {
		t.Fatal(err)
	}
}

func TestUnprovisionedBuild(t *testing.T) {
	c, err := Provisioned()
	if err != nil || c != nil {
		t.Fatalf("Provisioned() = %v, %v; the repository builds without a clinic", c, err)
	}
}

// The example clinic shipped for clinic IT to copy must stay valid.
func TestExampleClinic(t *testing.T) {
	c, err := Load(filepath.Join("..", "clinics", "example", "clinic.json"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Name == "" || len(c.LogoPNG) == 0 || c.Portal == nil || !c.IsLocked("hide_medicine_names") {
		t.Fatalf("example clinic = %+v", c.File)
	}
}
