// Package clinic reads a clinic's provisioning file (clinic.json: name, logo, portal, support
// contacts and policy) and holds the one baked into this build, if any (docs/CLINICS.md).
package clinic

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"image/png"
	"io"
	"io/fs"
	"net"
	"net/mail"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/patient-companion/companion/app/tr"
)

// MaxLogo is the largest logo accepted (it is shown small, and built into the binary).
const MaxLogo = 512 << 10

// File is clinic.json.
type File struct {
	Name string `json:"name"`
	// Language is the language the app speaks until a person picks one ("en", "es", "de");
	// empty means the computer's.
	Language string  `json:"language,omitempty"`
	Logo     string  `json:"logo,omitempty"` // PNG, relative to the clinic file
	Portal   *Portal `json:"portal,omitempty"`
	Support  Support `json:"support"`
	Policy   Policy  `json:"policy"`
	// Locked lists policy settings people cannot change (in the window or with the command line).
	Locked []string `json:"locked,omitempty"`
}

// Portal is the clinic's FHIR portal.
type Portal struct {
	FHIRBaseURL string `json:"fhir_base_url"`
	ClientID    string `json:"client_id,omitempty"`
	// SchedulingURL is the clinic's own page for booking appointments, opened when the
	// portal does not take requests from the app.
	SchedulingURL string `json:"scheduling_url,omitempty"`
}

// Support is who to call.
type Support struct {
	Phone string `json:"phone,omitempty"`
	Email string `json:"email,omitempty"`
	Web   string `json:"web,omitempty"`
}

// Policy sets profile settings; absent values keep the app's defaults.
type Policy struct {
	AutoLockMinutes     *int  `json:"auto_lock_minutes,omitempty"`
	HideMedicineNames   *bool `json:"hide_medicine_names,omitempty"`
	SyncIntervalMinutes *int  `json:"sync_interval_minutes,omitempty"`
	// BackupFolder is where scheduled backups go by default (a network share, say): a full path.
	BackupFolder *string `json:"backup_folder,omitempty"`
}

// policyKeys are the settings a clinic can set and lock.
var policyKeys = []string{"auto_lock_minutes", "hide_medicine_names", "sync_interval_minutes", "backup_folder"}

// Clinic is a validated clinic file with its logo loaded.
type Clinic struct {
	File
	LogoPNG []byte
}

// Load reads and validates a clinic file; the logo is read relative to it.
func Load(path string) (*Clinic, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("clinic file: %w", err)
	}
	return Parse(b, func(name string) ([]byte, error) {
		return os.ReadFile(filepath.Join(filepath.Dir(path), name))
	})
}

// Parse validates a clinic file's bytes; readLogo reads the logo file it names.
func Parse(b []byte, readLogo func(string) ([]byte, error)) (*Clinic, error) {
	var f File
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("clinic file: %w", err)
	}
	// Anything after the value is a mistake: dec.More() alone let a stray closing bracket
	// through ({"name":"A"}}), as it only looks for another value.
	if len(bytes.Trim(b[dec.InputOffset():], " \t\r\n")) > 0 { // JSON's own white space only
		return nil, errors.New("clinic file: more than one JSON value (or a stray bracket after it)")
	}
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	f.Name = strings.TrimSpace(f.Name)
	if f.Name == "" {
		bad("name is missing")
	}
	if l := f.Language; l != "" && !tr.Supported(l) {
		var codes []string
		for _, l := range tr.Languages {
			codes = append(codes, l.Code)
		}
		bad("language %q is not one the app speaks (%s)", l, strings.Join(codes, ", "))
	}
	if f.Portal != nil {
		if err := CheckPortalURL(f.Portal.FHIRBaseURL); err != nil {
			bad("portal.fhir_base_url: %v", err)
		}
		if w := f.Portal.SchedulingURL; w != "" {
			if u, err := url.Parse(w); err != nil || u.Scheme != "https" || u.Host == "" {
				bad("portal.scheduling_url %q must be an https address", w)
			}
		}
	}
	if e := f.Support.Email; e != "" {
		if a, err := mail.ParseAddress(e); err != nil || a.Address != e {
			bad("support.email %q is not an e-mail address", e)
		}
	}
	if w := f.Support.Web; w != "" {
		if u, err := url.Parse(w); err != nil || u.Scheme != "https" || u.Host == "" {
			bad("support.web %q must be an https address", w)
		}
	}
	if p := f.Policy.AutoLockMinutes; p != nil && (*p < 0 || *p > 1440) {
		bad("policy.auto_lock_minutes must be 0 to 1440")
	}
	if p := f.Policy.SyncIntervalMinutes; p != nil && (*p < 5 || *p > 1440) {
		bad("policy.sync_interval_minutes must be 5 to 1440")
	}
	if p := f.Policy.BackupFolder; p != nil && (*p == "" || !filepath.IsAbs(*p) || strings.ContainsAny(*p, "\n\r\t")) {
		bad("policy.backup_folder must be a folder's full path")
	}
	for _, k := range f.Locked {
		if !contains(policyKeys, k) {
			bad("locked: %q is not a policy setting (%s)", k, strings.Join(policyKeys, ", "))
		} else if f.policyValue(k) == "" {
			bad("locked: %q is locked but the policy does not set it", k)
		}
	}
	c := &Clinic{File: f}
	if f.Logo != "" {
		logo, err := readLogo(f.Logo)
		switch {
		case err != nil:
			bad("logo: %v", err)
		case len(logo) > MaxLogo:
			bad("logo is %d KiB; at most %d KiB", len(logo)>>10, MaxLogo>>10)
		default:
			if _, err := png.DecodeConfig(bytes.NewReader(logo)); err != nil {
				bad("logo %s is not a PNG image", f.Logo)
			}
			c.LogoPNG = logo
		}
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("clinic file: %s", strings.Join(problems, "; "))
	}
	sort.Strings(c.Locked)
	return c, nil
}

// CheckPortalURL accepts https, or http on a loopback address only.
func CheckPortalURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return fmt.Errorf("%q is not an address", raw)
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		h := u.Hostname()
		if ip := net.ParseIP(h); h == "localhost" || (ip != nil && ip.IsLoopback()) {
			return nil
		}
		return fmt.Errorf("%q uses plain http: only https is allowed (http only on this computer's loopback address)", raw)
	}
	return fmt.Errorf("%q must be an https address", raw)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// policyValue is the policy's value for a setting key, as settings text, or "".
func (f *File) policyValue(key string) string {
	switch key {
	case "auto_lock_minutes":
		if f.Policy.AutoLockMinutes != nil {
			return fmt.Sprint(*f.Policy.AutoLockMinutes)
		}
	case "hide_medicine_names":
		if f.Policy.HideMedicineNames != nil {
			return fmt.Sprint(*f.Policy.HideMedicineNames)
		}
	case "sync_interval_minutes":
		if f.Policy.SyncIntervalMinutes != nil {
			return fmt.Sprint(*f.Policy.SyncIntervalMinutes)
		}
	case "backup_folder":
		if f.Policy.BackupFolder != nil {
			return *f.Policy.BackupFolder
		}
	}
	return ""
}

// Default is the clinic's value for a setting ("" when it sets none).
func (c *Clinic) Default(key string) string {
	if c == nil {
		return ""
	}
	return c.policyValue(key)
}

// DefaultLanguage is the language the clinic chose for its installs ("" for the computer's).
func (c *Clinic) DefaultLanguage() string {
	if c == nil {
		return ""
	}
	return c.Language
}

// IsLocked reports whether the clinic locked a setting.
func (c *Clinic) IsLocked(key string) bool { return c != nil && contains(c.Locked, key) }

//go:embed provisioned
var provisioned embed.FS

// Provisioned returns the clinic built into this binary (make dist CLINIC=…), or nil.
func Provisioned() (*Clinic, error) {
	b, err := fs.ReadFile(provisioned, "provisioned/clinic.json")
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return Parse(b, func(name string) ([]byte, error) {
		f, err := provisioned.Open("provisioned/" + filepath.Base(name))
		if err != nil {
			return nil, err
		}
		defer f.Close()
		return io.ReadAll(f)
	})
}
