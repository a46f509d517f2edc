package cli

import (
	"fmt"
	"io"
	"runtime"

	"github.com/patient-companion/companion/data"
)

func about(c *call) error {
	if err := c.noArgs(); err != nil {
		return err
	}
	p, err := c.profiles()
	if err != nil {
		return err
	}
	v := map[string]any{
		"name":            "Patient Companion",
		"version":         c.env.Version,
		"build":           c.env.Build,
		"go":              runtime.Version(),
		"platform":        runtime.GOOS + "/" + runtime.GOARCH,
		"data_dir":        p.Dir,
		"schema_version":  data.SchemaVersion(),
		"clinic":          nil,
		"portal_url":      nil,
		"locked_settings": []string{},
		"support":         nil,
	}
	if cl := c.env.Clinic; cl != nil {
		v["clinic"] = cl.Name
		if cl.Portal != nil {
			v["portal_url"] = cl.Portal.FHIRBaseURL
		}
		v["locked_settings"] = append([]string{}, cl.Locked...)
		v["support"] = map[string]any{"phone": strPtr(cl.Support.Phone), "email": strPtr(cl.Support.Email), "web": strPtr(cl.Support.Web)}
	}
	return c.out(v, func(w io.Writer) {
		fmt.Fprintf(w, "Patient Companion %s (build %s, %s, %s/%s)\n", c.env.Version, c.env.Build, runtime.Version(), runtime.GOOS, runtime.GOARCH)
		if cl := c.env.Clinic; cl != nil {
			fmt.Fprintf(w, "Provided by %s", cl.Name)
			if cl.Support.Phone != "" {
				fmt.Fprintf(w, " (help: %s)", cl.Support.Phone)
			}
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "Data folder: %s\n", printable(p.Dir))
	})
}
