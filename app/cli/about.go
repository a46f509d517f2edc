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
	}
	return c.out(v, func(w io.Writer) {
		fmt.Fprintf(w, "Patient Companion %s (build %s, %s, %s/%s)\n", c.env.Version, c.env.Build, runtime.Version(), runtime.GOOS, runtime.GOARCH)
		fmt.Fprintf(w, "Data folder: %s\n", p.Dir)
	})
}
