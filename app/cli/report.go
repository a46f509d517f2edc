package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/pflag"

	"github.com/patient-companion/companion/app/report"
	"github.com/patient-companion/companion/data"
)

type reportJSON struct {
	Out   string `json:"out"`
	From  string `json:"from"`
	To    string `json:"to"`
	Pages int    `json:"pages"`
	Paper string `json:"paper"`
}

func exportReportFlags(fs *pflag.FlagSet) {
	fs.String("out", "", "the PDF file to write")
	fs.String("from", "", "first day (YYYY-MM-DD), included")
	fs.String("to", "", "last day (YYYY-MM-DD), included")
}

// exportReport writes the report for the doctor (DESIGN §6.1). Damaged records are left out
// of it and named after it is written (exit 5): the rest is still worth taking to the visit.
func exportReport(c *call) error {
	if err := c.noArgs(); err != nil {
		return err
	}
	out := c.str("out")
	if out == "" {
		return usagef("give the file to write with --out FILE.pdf")
	}
	var opt report.Options
	for _, f := range []struct {
		name string
		d    *data.Date
	}{{"from", &opt.From}, {"to", &opt.To}} {
		if !c.changed(f.name) {
			continue
		}
		d, err := data.ParseDate(c.str(f.name))
		if err != nil {
			return usagef("--%s %q is not a date: use YYYY-MM-DD, like 2026-03-01", f.name, c.str(f.name))
		}
		*f.d = d
	}
	if !opt.From.IsZero() && !opt.To.IsZero() && opt.To.Before(opt.From) {
		return usagef("--from %s is after --to %s: give the period's first day, then its last", opt.From, opt.To)
	}
	if fi, err := os.Stat(out); err == nil && fi.IsDir() {
		return usagef("--out %s is a folder: give a file name, like %s", out, filepath.Join(out, "report.pdf"))
	}
	if fi, err := os.Stat(filepath.Dir(out)); err != nil || !fi.IsDir() {
		return usagef("--out %s: its folder does not exist", out)
	}
	if abs, err := filepath.Abs(out); err != nil {
		return usagef("--out %q: %v", out, err)
	} else if err := c.outsideData(abs); err != nil {
		return err
	}
	s, err := c.openStore()
	if err != nil {
		return err
	}
	defer s.Close()
	opt.Now = c.env.Now()
	if today := data.DateOf(opt.Now.In(s.Location())); opt.To.IsZero() && today.Before(opt.From) {
		return usagef("--from %s is after today (%s): give --to as well, or an earlier --from", opt.From, today)
	}
	if c.env.Clinic != nil {
		opt.Clinic = c.env.Clinic.Name
	}
	set, err := s.Settings(c.ctx)
	if err != nil {
		return err
	}
	opt.Units = data.VitalUnitsFor(set, c.locale())
	r, readErr := report.Collect(c.ctx, s, opt)
	var te *data.TamperedError
	if readErr != nil && !errors.As(readErr, &te) {
		return readErr
	}
	paper := report.PaperFor(c.env.Getenv)
	var buf bytes.Buffer
	pages, err := report.Write(&buf, r, paper)
	if err != nil {
		return err
	}
	if err := report.SaveFile(out, buf.Bytes()); err != nil {
		return err
	}
	j := reportJSON{Out: out, From: r.From.String(), To: r.To.String(), Pages: pages, Paper: string(paper)}
	if err := c.out(j, func(w io.Writer) {
		n := fmt.Sprintf("%d pages", pages)
		if pages == 1 {
			n = "1 page"
		}
		fmt.Fprintf(w, "%s (%s to %s, %s, %s)\n", printable(out), j.From, j.To, n, paper)
	}); err != nil {
		return err
	}
	return readErr
}
