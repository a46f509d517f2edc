package app

// The Health record screen: what the clinic keeps about the person on screen, pulled by the
// portal sync (DESIGN §4) and read by app/health — allergies first and set apart, then
// problems, the clinic's medicines (each with "Add to my medicines", recordmed.go), results
// by panel and by test (each test with its trend chart, trend.go), immunizations and
// documents. Read-only: the clinic's record is changed at the clinic.

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/patient-companion/companion/app/health"
	"github.com/patient-companion/companion/data"
	"github.com/patient-companion/companion/sync/portal"
)

const (
	msgRecordLoading    = "Loading your health record…"
	msgRecordLoadFailed = "Your health record could not be read just now. Please try again."
	msgRecordDamaged    = "Some parts of your health record could not be read because the file was damaged. " +
		"Everything else is shown, and nothing was changed."
	msgRecordUnreadable  = "Some records from your clinic could not be read, so they are not shown."
	msgRecordNotLinked   = "Your clinic's health record shows here: your problems, allergies, medicines, results, vaccinations and documents. Connect your clinic's portal in Settings, then choose Sync now."
	msgRecordEmpty       = "Nothing from your clinic yet. Choose Sync now to fetch your health record."
	msgRecordPDFInside   = "That folder is where your encrypted journal is kept. Choose another folder, for example Documents: the PDF is not encrypted."
	msgRecordPDFFailed   = "The document could not be saved there. Choose another folder, or try again."
	msgRecordPDFNotSent  = "Your clinic did not send this document's file. Ask your clinic for a copy."
	msgRecordSyncRunning = "Syncing with your clinic's portal…"
)

// recordSection is how the screen heads each row type, and how "your clinic does not share
// X" words it.
func recordSection(t string) (title, plural string) {
	switch t {
	case health.TypeAllergy:
		return "Allergies", "allergies"
	case health.TypeCondition:
		return "Problems", "problems"
	case health.TypeMedication:
		return "Medicines from your clinic", "medicines"
	case health.TypeResult:
		return "Results", "results"
	case health.TypeImmunization:
		return "Vaccinations", "vaccinations"
	}
	return "Documents", "documents"
}

// recordScreen is the Health record of the profile on screen.
type recordScreen struct {
	screenBase
	loaded bool

	syncLine  *widget.Label
	sync      *widget.Button
	resync    *widget.Button // nil when the program cannot resync everything (Options.SyncFull)
	syncMsg   *widget.Label
	status    *widget.Label // loading, failure or the empty state
	warning   *widget.Label // damaged or unreadable records
	notice    *widget.Label // what the last action did: "Saved visit-summary.pdf."
	list      *fyne.Container
	scroll    *container.Scroll
	pdfSave   *dialog.FileDialog
	data      recordData
	allergies []*widget.Label          // each allergy's words, for tests
	meds      map[string]*recordMedRow // by row id
	tests     []*recordTest
	notShared []*widget.Label
}

// recordMedRow is a clinic medicine and its "Add to my medicines".
type recordMedRow struct {
	row   health.Row
	add   *widget.Button // nil when it is in the person's medicines already
	added *widget.Label  // "In your medicines", nil otherwise
}

// recordTest is one test of "Results by test": its latest value and its chart.
type recordTest struct {
	name    string
	latest  *widget.Label
	chart   *trendChart // nil with fewer than two values to draw
	summary *widget.Label
	points  []health.Row
}

// recordData is what one load of the screen read.
type recordData struct {
	res       []data.ClinicalResource
	rows      []health.Row
	skipped   int
	damaged   bool
	connected bool
	// linked are the medicines added from the record, by the MedicationRequest's portal id.
	linked map[string]data.Medication
	// notShared are the row types the clinic does not share (health.Types order).
	notShared []string
}

func (u *UI) showRecord() {
	b, ok := u.newScreen(navRecord)
	if !ok {
		return
	}
	s := &recordScreen{screenBase: b}
	u.record = s

	s.syncLine = caption("")
	s.syncLine.Hide()
	s.sync = widget.NewButtonWithIcon("Sync now", theme.ViewRefreshIcon(), u.syncNow)
	buttons := container.NewHBox(tall(s.sync))
	if u.opt.SyncFull != nil {
		s.resync = widget.NewButtonWithIcon("Fetch everything again", theme.ViewRestoreIcon(), u.resyncNow)
		buttons.Add(tall(s.resync))
		if u.largeText() {
			// Two large buttons across are wider than the window.
			buttons = container.NewVBox(container.NewHBox(tall(s.sync)), container.NewHBox(tall(s.resync)))
		}
	}
	if b.prof.sync.running {
		s.sync.Disable()
		if s.resync != nil {
			s.resync.Disable()
		}
	}
	s.syncMsg = paragraph("")
	s.syncMsg.Importance = widget.WarningImportance
	s.syncMsg.Hide()
	s.status = paragraph(msgRecordLoading)
	s.warning = paragraph("")
	s.warning.Importance = widget.WarningImportance
	s.warning.Hide()
	s.notice = paragraph("")
	s.notice.Hide()
	s.list = container.NewVBox()
	intro := caption("From your clinic's records. To correct something, ask your clinic.")
	s.scroll = container.NewVScroll(container.NewPadded(column(760, container.NewVBox(
		heading("Your health record"), intro, buttons, s.syncLine, s.syncMsg,
		s.warning, s.notice, s.status, s.list))))
	u.setContent(u.frame(b, s.scroll))
	u.refreshSyncLines()
	u.loadRecord()
}

// loadRecordData reads the record, the medicines added from it, and what the clinic does
// not share, and turns the record into rows (health.Rows) — all off the UI goroutine.
func loadRecordData(ctx context.Context, st *data.Store) (recordData, error) {
	var rd recordData
	var te *data.TamperedError
	p, err := st.PortalConnection(ctx)
	if err != nil && !errors.As(err, &te) {
		return rd, err
	}
	rd.connected = p.URL != ""
	rd.res, err = st.ClinicalResources(ctx)
	if errors.As(err, &te) {
		rd.damaged = true
	} else if err != nil {
		return rd, err
	}
	meds, err := st.ListMedications(ctx)
	if errors.As(err, &te) {
		rd.damaged = true
	} else if err != nil {
		return rd, err
	}
	rd.linked = map[string]data.Medication{}
	for _, m := range meds {
		if m.FromRecord != "" && !m.Archived {
			rd.linked[m.FromRecord] = m
		}
	}
	if rd.notShared, err = notShared(ctx, st); err != nil {
		return rd, err
	}
	if len(rd.res) > 0 {
		rd.rows, rd.skipped = health.Rows(rd.res)
	}
	return rd, nil
}

// notShared lists the row types the portal refused at the last sync (403, or the scope not
// granted): the screen says "your clinic does not share X" for each instead of an empty
// section. Results are not shared when their Observations are not (a refused
// DiagnosticReport alone still leaves every result to show).
func notShared(ctx context.Context, st *data.Store) ([]string, error) {
	refused, err := portal.NotShared(ctx, st) // kept by the portal sync, per type
	if err != nil {
		return nil, err
	}
	rowType := map[string]string{"Condition": health.TypeCondition, "AllergyIntolerance": health.TypeAllergy,
		"MedicationRequest": health.TypeMedication, "Immunization": health.TypeImmunization,
		"Observation": health.TypeResult, "DocumentReference": health.TypeDocument}
	var out []string
	for _, t := range refused {
		if rt, ok := rowType[t]; ok {
			out = append(out, rt)
		}
	}
	return out, nil
}

// loadRecord reads the record and lays it out.
func (u *UI) loadRecord() {
	s := u.record
	if s == nil {
		return
	}
	st := s.store
	background(s.prof, func(ctx context.Context) (recordData, error) {
		return loadRecordData(ctx, st)
	}, func(rd recordData, err error) {
		if u.record != s {
			return
		}
		if err != nil {
			if !s.loaded {
				say(s.status, msgRecordLoadFailed)
			} else {
				s.notice.Importance = widget.DangerImportance
				say(s.notice, msgRecordLoadFailed)
			}
			return
		}
		s.loaded = true
		switch {
		case rd.damaged:
			say(s.warning, msgRecordDamaged)
		case rd.skipped > 0:
			say(s.warning, msgRecordUnreadable)
		default:
			say(s.warning, "")
		}
		s.data = rd
		u.fillRecord(s)
	})
}

// fillRecord lays out the sections of s.data.
func (u *UI) fillRecord(s *recordScreen) {
	rd := s.data
	loc := s.store.Location()
	s.allergies, s.tests, s.notShared = nil, nil, nil
	s.meds = map[string]*recordMedRow{}
	byType := map[string][]health.Row{}
	for _, r := range rd.rows {
		byType[r.Type] = append(byType[r.Type], r)
	}
	refused := map[string]bool{}
	for _, t := range rd.notShared {
		refused[t] = true
	}
	var objs []fyne.CanvasObject
	switch {
	case len(rd.rows) == 0 && !rd.connected:
		say(s.status, msgRecordNotLinked)
	case len(rd.rows) == 0 && len(rd.notShared) == 0:
		say(s.status, msgRecordEmpty)
	default:
		say(s.status, "")
	}
	if len(rd.rows) == 0 && len(rd.notShared) == 0 {
		s.list.Objects = nil
		s.list.Refresh()
		return
	}
	remote := map[string]string{} // row id → the portal's id, for the medicines' links
	for _, r := range rd.res {
		remote[r.ID] = r.RemoteID
	}
	for _, t := range []string{health.TypeAllergy, health.TypeCondition, health.TypeMedication,
		health.TypeResult, health.TypeImmunization, health.TypeDocument} {
		title, plural := recordSection(t)
		rows := byType[t]
		objs = append(objs, subheading(title))
		if refused[t] {
			l := paragraph("Your clinic does not share " + plural + " through its portal. Ask your clinic if you need them.")
			s.notShared = append(s.notShared, l)
			objs = append(objs, l, widget.NewSeparator())
			continue
		}
		if len(rows) == 0 {
			objs = append(objs, paragraph(noneText(t)), widget.NewSeparator())
			continue
		}
		switch t {
		case health.TypeAllergy:
			// The dangerous ones first: high risk, then the worst reactions.
			rows = slices.Clone(rows)
			sort.SliceStable(rows, func(i, j int) bool { return allergyRank(rows[i]) > allergyRank(rows[j]) })
			for _, r := range rows {
				box, words := allergyBox(r, loc)
				s.allergies = append(s.allergies, words)
				objs = append(objs, box)
			}
		case health.TypeCondition:
			for _, r := range rows {
				detail := r.Detail
				if strings.EqualFold(detail, "Problem list") {
					detail = "" // where the clinic files it, which says nothing to the person
				}
				objs = append(objs, recordItem(r.Name, datedStatus("Since", r, loc), detail))
			}
		case health.TypeMedication:
			for _, r := range rows {
				objs = append(objs, u.recordMedItem(s, r, rd.linked[remote[r.ID]], loc))
			}
		case health.TypeResult:
			objs = append(objs, u.resultSections(s, rows, loc)...)
		case health.TypeImmunization:
			for _, r := range rows {
				objs = append(objs, recordItem(r.Name, datedStatus("Given", r, loc), r.Detail))
			}
		case health.TypeDocument:
			for _, r := range rows {
				objs = append(objs, u.documentItem(s, r, loc))
			}
		}
		objs = append(objs, widget.NewSeparator())
	}
	s.list.Objects = objs
	s.list.Refresh()
}

// noneText is an empty section of a record the clinic shares.
func noneText(t string) string {
	switch t {
	case health.TypeAllergy:
		return "No allergies recorded by your clinic."
	case health.TypeCondition:
		return "No problems recorded by your clinic."
	case health.TypeMedication:
		return "No medicines from your clinic."
	case health.TypeResult:
		return "No results yet."
	case health.TypeImmunization:
		return "No vaccinations recorded by your clinic."
	}
	return "No documents from your clinic."
}

// recordDate writes a record's date, "" when it has none.
func recordDate(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	return t.In(loc).Format("2 Jan 2006")
}

// datedStatus is "Since 3 Mar 2019 · active".
func datedStatus(word string, r health.Row, loc *time.Location) string {
	var parts []string
	if d := recordDate(r.Date, loc); d != "" {
		parts = append(parts, word+" "+d)
	}
	if r.Status != "" {
		parts = append(parts, strings.ReplaceAll(r.Status, "-", " ")) // "not-done": "not done"
	}
	return strings.Join(parts, " · ")
}

// recordItem is a name in bold and its lines under it (empty lines left out).
func recordItem(name string, lines ...string) fyne.CanvasObject {
	title := widget.NewLabelWithStyle(name, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	title.Wrapping = fyne.TextWrapWord
	objs := []fyne.CanvasObject{title}
	for _, l := range lines {
		if l != "" {
			objs = append(objs, paragraph(l))
		}
	}
	return container.New(layout.NewCustomPaddedVBoxLayout(-12), objs...)
}

// allergyBox sets an allergy apart: a warning sign, a red frame, its name and what it does
// in words (the reaction, how severe, and a high risk said as such).
func allergyBox(r health.Row, loc *time.Location) (fyne.CanvasObject, *widget.Label) {
	name := widget.NewLabelWithStyle("Allergy: "+r.Name, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	name.Wrapping = fyne.TextWrapWord
	name.Importance = widget.DangerImportance
	words := paragraph(allergyText(r, loc))
	icon := widget.NewIcon(theme.WarningIcon())
	frame := canvas.NewRectangle(theme.Color(theme.ColorNameError))
	frame.FillColor = nil
	frame.StrokeColor = theme.Color(theme.ColorNameError)
	frame.StrokeWidth = 2
	frame.CornerRadius = 4
	text := container.New(layout.NewCustomPaddedVBoxLayout(-12), name, words)
	body := container.NewBorder(nil, nil, container.NewVBox(icon), nil, text)
	return container.NewPadded(container.NewStack(frame, container.NewPadded(body))), words
}

// allergyRank orders allergies by danger: a high risk first, then by the worst reaction.
func allergyRank(r health.Row) int {
	n := 0
	if r.Criticality == "high" {
		n += 10
	}
	switch r.Severity {
	case "severe":
		n += 3
	case "moderate":
		n += 2
	case "mild":
		n++
	}
	return n
}

// allergyText is an allergy in words: "Severe reaction: hives, trouble breathing. High
// risk: tell every doctor, nurse and pharmacist. Recorded 3 Mar 2019."
func allergyText(r health.Row, loc *time.Location) string {
	var parts []string
	reaction := "Reaction"
	switch r.Severity {
	case "severe":
		reaction = "Severe reaction"
	case "moderate":
		reaction = "Moderate reaction"
	case "mild":
		reaction = "Mild reaction"
	}
	if len(r.Reactions) > 0 {
		parts = append(parts, reaction+": "+strings.Join(r.Reactions, ", ")+".")
	} else if r.Severity != "" {
		parts = append(parts, reaction+".")
	}
	switch r.Criticality {
	case "high":
		parts = append(parts, "High risk: a serious reaction is possible. Tell every doctor, nurse and pharmacist.")
	case "low":
		parts = append(parts, "Low risk of a serious reaction.")
	}
	if d := recordDate(r.Date, loc); d != "" {
		parts = append(parts, "Recorded "+d+".")
	}
	if len(parts) == 0 {
		return "Your clinic recorded this allergy."
	}
	return strings.Join(parts, " ")
}

// resultText is one result in words: "7.9 % — High (normal range 4.0–5.6)".
func resultText(r health.Row) string {
	v := strings.TrimSpace(r.Value + " " + r.Unit)
	if v == "" {
		v = "No value"
	}
	if w := flagWord(r.Flag); w != "" {
		v += " — " + w
	}
	if r.ReferenceRange != "" {
		v += " (normal range " + r.ReferenceRange + ")"
	}
	return v
}

// isReport tells a panel (a DiagnosticReport) from a single result.
func isReport(r health.Row) bool { return len(r.Results) > 0 || (r.Value == "" && r.Number == nil) }

// resultSections are "Results by panel" and "Results by test".
func (u *UI) resultSections(s *recordScreen, rows []health.Row, loc *time.Location) []fyne.CanvasObject {
	byID := map[string]health.Row{}
	var reports, results []health.Row
	for _, r := range rows {
		byID[r.ID] = r
		if isReport(r) {
			reports = append(reports, r)
		} else {
			results = append(results, r)
		}
	}
	var objs []fyne.CanvasObject
	if len(reports) > 0 {
		objs = append(objs, fieldLabel("By panel"))
		for _, rep := range reports {
			lines := []string{datedStatus("On", rep, loc)}
			for _, id := range rep.Results {
				if r, ok := byID[id]; ok {
					lines = append(lines, r.Name+": "+resultText(r))
				}
			}
			if rep.Detail != "" {
				lines = append(lines, "Conclusion: "+rep.Detail)
			}
			objs = append(objs, recordItem(rep.Name, lines...))
		}
	}
	if len(results) > 0 {
		objs = append(objs, fieldLabel("By test"))
		seen := map[string]bool{}
		var latest []health.Row // the newest result of each test (rows are newest first)
		for _, r := range results {
			key := r.Code
			if key == "" {
				key = r.Name
			}
			if !seen[key] {
				seen[key] = true
				latest = append(latest, r)
			}
		}
		var charted, single []*recordTest
		for _, r := range latest {
			t := newRecordTest(r, health.Trend(results, r), loc)
			if t.chart != nil {
				charted = append(charted, t)
			} else {
				single = append(single, t)
			}
		}
		// The tests with a trend first: they are what the person follows over time.
		for _, ts := range [][]*recordTest{charted, single} {
			sort.SliceStable(ts, func(i, j int) bool { return strings.ToLower(ts[i].name) < strings.ToLower(ts[j].name) })
			for _, t := range ts {
				s.tests = append(s.tests, t)
				objs = append(objs, t.box())
			}
		}
	}
	return objs
}

// maxChartPoints is the most values a chart draws: more than this many markers across 700
// pixels cannot be told apart, and each one is a few canvas objects to lay out.
const maxChartPoints = 100

func newRecordTest(latest health.Row, points []health.Row, loc *time.Location) *recordTest {
	t := &recordTest{name: latest.Name, points: points}
	text := "Latest: " + resultText(latest)
	if d := recordDate(latest.Date, loc); d != "" {
		text += ", on " + d
	}
	t.latest = paragraph(text)
	if latest.Flag != "" {
		t.latest.TextStyle.Bold = true
	}
	charted := points
	if len(charted) > maxChartPoints {
		charted = charted[len(charted)-maxChartPoints:] // the latest; the summary counts them all
	}
	td := newTrendData(charted)
	if len(td.points) >= 2 {
		t.chart = newTrendChart(td)
	}
	t.summary = paragraph(trendSummary(latest, points, td, loc))
	return t
}

func (t *recordTest) box() fyne.CanvasObject {
	title := widget.NewLabelWithStyle(t.name, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	title.Wrapping = fyne.TextWrapWord
	objs := []fyne.CanvasObject{container.New(layout.NewCustomPaddedVBoxLayout(-12), title, t.latest)}
	if t.chart != nil {
		objs = append(objs, t.chart)
	}
	objs = append(objs, t.summary)
	return container.NewVBox(objs...)
}

// trendSummary says in words what the chart shows: how many results over what time, the
// range shown as the band, and every value outside it.
func trendSummary(latest health.Row, points []health.Row, td trendData, loc *time.Location) string {
	var b strings.Builder
	switch n := len(points); {
	case n == 1:
		b.WriteString("One result so far.")
	case n > 1:
		fmt.Fprintf(&b, "%d results from %s to %s.", n, points[0].Date.In(loc).Format("Jan 2006"),
			points[n-1].Date.In(loc).Format("Jan 2006"))
	}
	if len(points) > len(td.points) && len(td.points) >= 2 {
		fmt.Fprintf(&b, " The chart shows the latest %d.", len(td.points))
	}
	if td.pair {
		b.WriteString(" The upper line is the top number, the lower line (open circles) the bottom number.")
		if len(td.limits) > 0 && len(points) >= 2 {
			b.WriteString(" The green lines are the limits of the normal range, " + latest.ReferenceRange + ".")
		} else if latest.ReferenceRange != "" {
			b.WriteString(" Normal range " + latest.ReferenceRange + ".")
		}
	} else if latest.ReferenceRange != "" && td.low == nil && td.high == nil {
		b.WriteString(" Normal range " + latest.ReferenceRange + ".")
	} else if latest.ReferenceRange != "" && len(td.points) >= 2 {
		b.WriteString(" The shaded band is the normal range, " + latest.ReferenceRange + ".")
	}
	var out []string
	for _, p := range points {
		if w := flagWord(p.Flag); w != "" {
			out = append(out, strings.TrimSpace(p.Value+" "+p.Unit)+" ("+w+") on "+recordDate(p.Date, loc))
		}
	}
	switch n := len(out); {
	case len(points) == 1:
		// The line above says the one result, flag and all.
	case n == 0:
		if len(points) > 1 && (td.low != nil || td.high != nil || len(td.limits) > 0) {
			b.WriteString(" All within the normal range.")
		}
	case n <= 3:
		b.WriteString(" Outside the normal range: " + strings.Join(out, "; ") + ".")
	default:
		// A long list is not read: how many, and the latest one.
		fmt.Fprintf(&b, " %d of the %d were outside the normal range, the latest %s.", n, len(points), out[n-1])
	}
	return strings.TrimSpace(b.String())
}

// documentItem is a document: its text shown, and a PDF saved where the person chooses.
func (u *UI) documentItem(s *recordScreen, r health.Row, loc *time.Location) fyne.CanvasObject {
	lines := []string{datedStatus("On", r, loc)}
	if r.Detail != "" {
		lines = append(lines, r.Detail)
	}
	item := recordItem(r.Name, lines...)
	a := r.Attachment
	if a == nil || a.ContentType != "application/pdf" {
		return item
	}
	save := widget.NewButtonWithIcon("Save the PDF…", theme.DocumentSaveIcon(), func() { u.saveRecordPDF(s, r) })
	return container.NewVBox(item, container.NewHBox(tall(save)))
}

// saveRecordPDF asks where to save a document's PDF and writes it there: never into the
// data folder (it is not encrypted), never through a temporary file of ours.
func (u *UI) saveRecordPDF(s *recordScreen, r health.Row) {
	if u.record != s {
		return
	}
	a := r.Attachment
	if a == nil || len(a.Data) == 0 {
		s.notice.Importance = widget.WarningImportance
		say(s.notice, msgRecordPDFNotSent)
		return
	}
	pdf := a.Data
	s.pdfSave = u.saveDialog(pdfFileName(r.Name), ".pdf", func() bool { return u.record == s },
		func(w fyne.URIWriteCloser, err error) {
			s.pdfSave = nil
			if err != nil {
				u.recordPDFFailed(s, msgRecordPDFFailed)
				return
			}
			if w == nil {
				return // cancelled
			}
			u.writeRecordPDF(s, pdf, w)
		})
}

func (u *UI) recordPDFFailed(s *recordScreen, msg string) {
	s.notice.Importance = widget.DangerImportance
	say(s.notice, msg)
	u.failed(u.win, "The document was not saved", msg)
}

// pdfFileName is the document's title as a file name.
func pdfFileName(title string) string {
	name := strings.TrimSuffix(icsFileName(title), ".ics")
	if name == "appointment" {
		name = "document"
	}
	return name + ".pdf"
}

// writeRecordPDF writes the PDF through the dialog's file — unless that file is inside the
// data folder, where a plain PDF must not sit beside the encrypted journal: the empty file
// the dialog made there is removed and the person asked to choose another folder.
func (u *UI) writeRecordPDF(s *recordScreen, pdf []byte, w fyne.URIWriteCloser) {
	uri := w.URI()
	dir := u.opt.Profiles.Dir
	background(s.prof, func(ctx context.Context) (string, error) {
		if uri.Scheme() == "file" && insideDir(dir, uri.Path()) {
			err := errors.Join(w.Close(), os.Remove(uri.Path()))
			return msgRecordPDFInside, err
		}
		_, err := w.Write(pdf)
		if err = errors.Join(err, w.Close()); err != nil && uri.Scheme() == "file" {
			_ = os.Remove(uri.Path()) // no half a document left behind
		}
		return "", err
	}, func(refused string, err error) {
		if u.record != s {
			return
		}
		switch {
		case refused != "":
			u.recordPDFFailed(s, refused)
		case err != nil:
			u.recordPDFFailed(s, msgRecordPDFFailed)
		default:
			s.notice.Importance = widget.MediumImportance
			say(s.notice, "Saved "+uri.Name()+". It is not encrypted: keep it somewhere private.")
		}
	})
}

// insideDir reports whether path is dir or inside it.
func insideDir(dir, path string) bool {
	d, err1 := filepath.Abs(dir)
	p, err2 := filepath.Abs(path)
	if err1 != nil || err2 != nil {
		return false
	}
	if rd, err := filepath.EvalSymlinks(d); err == nil {
		d = rd
	}
	if rp, err := filepath.EvalSymlinks(filepath.Dir(p)); err == nil {
		p = filepath.Join(rp, filepath.Base(p))
	}
	rel, err := filepath.Rel(d, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// syncButtons enables Sync now (and Fetch everything again) when no sync runs.
func (s *recordScreen) syncButtons(on bool) {
	setEnabled(on, s.sync)
	if s.resync != nil {
		setEnabled(on, s.resync)
	}
}
