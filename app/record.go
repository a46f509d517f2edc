package app

// The Health record screen: what the clinic keeps about the person on screen, pulled by the
// portal sync (DESIGN §4) and read by app/health — allergies first and set apart, then
// problems, the clinic's medicines (each with "Add to my medicines", recordmed.go), results
// by panel and by test (each test with its trend chart, trend.go), immunizations and
// documents. Read-only: the clinic's record is changed at the clinic.

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
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
	"github.com/patient-companion/companion/app/tr"
	"github.com/patient-companion/companion/data"
	"github.com/patient-companion/companion/sync/portal"
)

func msgRecordLoading() string    { return tr.T("record.loading") }
func msgRecordLoadFailed() string { return tr.T("record.load_failed") }
func msgRecordDamaged() string    { return tr.T("record.damaged") }
func msgRecordUnreadable() string { return tr.T("record.unreadable") }
func msgRecordNotLinked() string  { return tr.T("record.not_linked") }
func msgRecordEmpty() string      { return tr.T("record.empty") }
func msgRecordPDFInside() string  { return tr.T("record.pdf_inside") }
func msgRecordPDFFailed() string  { return tr.T("record.pdf_failed") }
func msgRecordPDFNotSent() string { return tr.T("record.pdf_not_sent") }

// recordSection is how the screen heads each row type, and how it says the clinic does not
// share it.
func recordSection(t string) (title, notShared string) {
	switch t {
	case health.TypeAllergy:
		return tr.T("record.allergies"), tr.T("record.not_shared_allergies")
	case health.TypeCondition:
		return tr.T("record.problems"), tr.T("record.not_shared_problems")
	case health.TypeMedication:
		return tr.T("record.medicines"), tr.T("record.not_shared_medicines")
	case health.TypeResult:
		return tr.T("record.results"), tr.T("record.not_shared_results")
	case health.TypeImmunization:
		return tr.T("record.vaccinations"), tr.T("record.not_shared_vaccinations")
	}
	return tr.T("record.documents"), tr.T("record.not_shared_documents")
}

// healthWords writes app/health's words (a dosage, "Not given", a plan's reason) and the
// clinic's numbers in the person's language.
type healthWords struct{}

func (healthWords) T(key string, args ...map[string]any) string { return tr.T(key, args...) }

func (healthWords) N(key string, count int, args ...map[string]any) string {
	return tr.N(key, count, args...)
}

// Decimal writes a number as the clinic sent it ("7.9", "4.0") the language's way, with as
// many decimals.
func (healthWords) Decimal(s string) string {
	x, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return s
	}
	decimals := 0
	if _, frac, ok := strings.Cut(s, "."); ok {
		decimals = len(frac)
	}
	return tr.Num(x, decimals)
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
	s.sync = widget.NewButtonWithIcon(tr.T("record.sync_now"), theme.ViewRefreshIcon(), u.syncNow)
	buttons := container.NewHBox(tall(s.sync))
	if u.opt.SyncFull != nil {
		s.resync = widget.NewButtonWithIcon(tr.T("record.fetch_again"), theme.ViewRestoreIcon(), u.resyncNow)
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
	s.status = paragraph(msgRecordLoading())
	s.warning = paragraph("")
	s.warning.Importance = widget.WarningImportance
	s.warning.Hide()
	s.notice = paragraph("")
	s.notice.Hide()
	s.list = container.NewVBox()
	intro := caption(tr.T("record.intro"))
	s.scroll = container.NewVScroll(container.NewPadded(column(760, container.NewVBox(
		heading(tr.T("record.heading")), intro, buttons, s.syncLine, s.syncMsg,
		s.warning, s.notice, s.status, s.list))))
	u.setContent(u.frame(b, s.scroll))
	u.refreshSyncLines()
	u.loadRecord()
}

// loadRecordData reads the record, the medicines added from it, and what the clinic does
// not share, and turns the record into rows (health.RowsIn) — all off the UI goroutine.
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
		rd.rows, rd.skipped = health.RowsIn(rd.res, healthWords{})
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
				say(s.status, msgRecordLoadFailed())
			} else {
				s.notice.Importance = widget.DangerImportance
				say(s.notice, msgRecordLoadFailed())
			}
			return
		}
		s.loaded = true
		switch {
		case rd.damaged:
			say(s.warning, msgRecordDamaged())
		case rd.skipped > 0:
			say(s.warning, msgRecordUnreadable())
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
		say(s.status, msgRecordNotLinked())
	case len(rd.rows) == 0 && len(rd.notShared) == 0:
		say(s.status, msgRecordEmpty())
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
		title, notSharedText := recordSection(t)
		rows := byType[t]
		objs = append(objs, subheading(title))
		if refused[t] {
			l := paragraph(notSharedText)
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
				if strings.EqualFold(detail, tr.T("health.category_problem_list")) {
					detail = "" // where the clinic files it, which says nothing to the person
				}
				objs = append(objs, recordItem(r.Name, datedStatus(datedSince, r, loc), detail))
			}
		case health.TypeMedication:
			for _, r := range rows {
				objs = append(objs, u.recordMedItem(s, r, rd.linked[remote[r.ID]], loc))
			}
		case health.TypeResult:
			objs = append(objs, u.resultSections(s, rows, loc)...)
		case health.TypeImmunization:
			for _, r := range rows {
				dated := datedGiven
				if r.Status == "not-done" {
					dated = datedOn // "Given … · not done" would say both
				}
				objs = append(objs, recordItem(r.Name, datedStatus(dated, r, loc), r.Detail))
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
		return tr.T("record.no_allergies")
	case health.TypeCondition:
		return tr.T("record.no_problems")
	case health.TypeMedication:
		return tr.T("record.no_medicines")
	case health.TypeResult:
		return tr.T("record.no_results")
	case health.TypeImmunization:
		return tr.T("record.no_vaccinations")
	}
	return tr.T("record.no_documents")
}

// recordDate writes a record's date, "" when it has none.
func recordDate(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	return tr.Format(t.In(loc), tr.DayMonthYear)
}

// How a row's date is said (datedStatus).
const (
	datedSince      = "since"      // a problem: "Since 3 Mar 2019"
	datedGiven      = "given"      // a vaccination
	datedOn         = "on"         // a result, a document
	datedPrescribed = "prescribed" // a clinic's medicine
)

// datedStatus is "Since 3 Mar 2019 · active", the date said as dated says.
func datedStatus(dated string, r health.Row, loc *time.Location) string {
	var parts []string
	if d := recordDate(r.Date, loc); d != "" {
		args := tr.Args{"Date": d}
		switch dated {
		case datedSince:
			parts = append(parts, tr.T("record.since", args))
		case datedGiven:
			parts = append(parts, tr.T("record.given", args))
		case datedPrescribed:
			parts = append(parts, tr.T("record.prescribed", args))
		default:
			parts = append(parts, tr.T("record.on", args))
		}
	}
	if r.Status != "" {
		parts = append(parts, statusWord(r.Status))
	}
	return strings.Join(parts, " · ")
}

// statusWord is a record's status (FHIR's codes) in words; a code not known here as it is,
// its hyphens as spaces ("not-done": "not done").
func statusWord(code string) string {
	switch code {
	case "active":
		return tr.T("record.status_active")
	case "inactive":
		return tr.T("record.status_inactive")
	case "resolved":
		return tr.T("record.status_resolved")
	case "remission":
		return tr.T("record.status_remission")
	case "recurrence", "relapse":
		return tr.T("record.status_recurrence")
	case "completed":
		return tr.T("record.status_completed")
	case "not-done":
		return tr.T("record.status_not_done")
	case "final":
		return tr.T("record.status_final")
	case "preliminary", "registered", "partial":
		return tr.T("record.status_preliminary")
	case "amended", "corrected", "appended":
		return tr.T("record.status_amended")
	case "cancelled":
		return tr.T("record.status_cancelled")
	case "stopped":
		return tr.T("record.status_stopped")
	case "on-hold":
		return tr.T("record.status_on_hold")
	case "current":
		return tr.T("record.status_current")
	case "superseded":
		return tr.T("record.status_superseded")
	case "unknown":
		return tr.T("record.status_unknown")
	}
	return strings.ReplaceAll(code, "-", " ")
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
	name := widget.NewLabelWithStyle(tr.T("record.allergy_name", tr.Args{"Name": r.Name}), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
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
	if len(r.Reactions) > 0 {
		args := tr.Args{"Reactions": strings.Join(r.Reactions, ", ")}
		switch r.Severity {
		case "severe":
			parts = append(parts, tr.T("record.reaction_severe_list", args))
		case "moderate":
			parts = append(parts, tr.T("record.reaction_moderate_list", args))
		case "mild":
			parts = append(parts, tr.T("record.reaction_mild_list", args))
		default:
			parts = append(parts, tr.T("record.reaction_list", args))
		}
	} else {
		switch r.Severity {
		case "severe":
			parts = append(parts, tr.T("record.reaction_severe"))
		case "moderate":
			parts = append(parts, tr.T("record.reaction_moderate"))
		case "mild":
			parts = append(parts, tr.T("record.reaction_mild"))
		case "":
		default:
			parts = append(parts, tr.T("record.reaction"))
		}
	}
	switch r.Criticality {
	case "high":
		parts = append(parts, tr.T("record.risk_high"))
	case "low":
		parts = append(parts, tr.T("record.risk_low"))
	}
	if d := recordDate(r.Date, loc); d != "" {
		parts = append(parts, tr.T("record.recorded_on", tr.Args{"Date": d}))
	}
	if len(parts) == 0 {
		return tr.T("record.allergy_recorded")
	}
	return strings.Join(parts, " ")
}

// resultText is one result in words: "7.9 % — High (normal range 4.0–5.6)".
func resultText(r health.Row) string {
	v := strings.TrimSpace(r.Value + " " + r.Unit)
	if v == "" {
		v = tr.T("record.no_value")
	}
	if w := flagWord(r.Flag); w != "" {
		v = tr.T("record.result_flag", tr.Args{"Value": v, "Flag": w})
	}
	if r.ReferenceRange != "" {
		v = tr.T("record.result_range", tr.Args{"Value": v, "Range": r.ReferenceRange})
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
		objs = append(objs, fieldLabel(tr.T("record.by_panel")))
		for _, rep := range reports {
			lines := []string{datedStatus(datedOn, rep, loc)}
			for _, id := range rep.Results {
				if r, ok := byID[id]; ok {
					lines = append(lines, tr.T("record.result_line", tr.Args{"Name": r.Name, "Result": resultText(r)}))
				}
			}
			if rep.Detail != "" {
				lines = append(lines, tr.T("record.conclusion", tr.Args{"Text": rep.Detail}))
			}
			objs = append(objs, recordItem(rep.Name, lines...))
		}
	}
	if len(results) > 0 {
		objs = append(objs, fieldLabel(tr.T("record.by_test")))
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
	text := tr.T("record.latest", tr.Args{"Result": resultText(latest)})
	if d := recordDate(latest.Date, loc); d != "" {
		text = tr.T("record.latest_on", tr.Args{"Result": resultText(latest), "Date": d})
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
	// Sentence by sentence, each one whole in the translations.
	var b []string
	rng := tr.Args{"Range": latest.ReferenceRange}
	switch n := len(points); {
	case n == 1:
		b = append(b, tr.T("record.trend_one"))
	case n > 1:
		b = append(b, tr.N("record.trend_count", n, tr.Args{"N": tr.Int(n),
			"From": tr.Format(points[0].Date.In(loc), tr.MonthYear), "To": tr.Format(points[n-1].Date.In(loc), tr.MonthYear)}))
	}
	if len(points) > len(td.points) && len(td.points) >= 2 {
		b = append(b, tr.T("record.trend_latest", tr.Args{"N": tr.Int(len(td.points))}))
	}
	if td.pair {
		b = append(b, tr.T("record.trend_pair"))
		if len(td.limits) > 0 && len(points) >= 2 {
			b = append(b, tr.T("record.trend_limits", rng))
		} else if latest.ReferenceRange != "" {
			b = append(b, tr.T("record.trend_range", rng))
		}
	} else if latest.ReferenceRange != "" && td.low == nil && td.high == nil {
		b = append(b, tr.T("record.trend_range", rng))
	} else if latest.ReferenceRange != "" && len(td.points) >= 2 {
		b = append(b, tr.T("record.trend_band", rng))
	}
	var out []string
	for _, p := range points {
		if w := flagWord(p.Flag); w != "" {
			out = append(out, tr.T("record.trend_outside_one", tr.Args{"Value": strings.TrimSpace(p.Value + " " + p.Unit),
				"Flag": w, "Date": recordDate(p.Date, loc)}))
		}
	}
	switch n := len(out); {
	case len(points) == 1:
		// The line above says the one result, flag and all.
	case n == 0:
		if len(points) > 1 && (td.low != nil || td.high != nil || len(td.limits) > 0) {
			b = append(b, tr.T("record.trend_all_within"))
		}
	case n <= 3:
		b = append(b, tr.T("record.trend_outside", tr.Args{"List": strings.Join(out, "; ")}))
	default:
		// A long list is not read: how many, and the latest one.
		b = append(b, tr.N("record.trend_outside_many", len(points), tr.Args{"Out": tr.Int(n), "N": tr.Int(len(points)), "Latest": out[n-1]}))
	}
	return strings.Join(b, " ")
}

// documentItem is a document: its text shown, and a PDF saved where the person chooses.
func (u *UI) documentItem(s *recordScreen, r health.Row, loc *time.Location) fyne.CanvasObject {
	lines := []string{datedStatus(datedOn, r, loc)}
	if r.Detail != "" {
		lines = append(lines, r.Detail)
	}
	item := recordItem(r.Name, lines...)
	a := r.Attachment
	if a == nil || a.ContentType != "application/pdf" {
		return item
	}
	save := widget.NewButtonWithIcon(tr.T("record.save_pdf"), theme.DocumentSaveIcon(), func() { u.saveRecordPDF(s, r) })
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
		say(s.notice, msgRecordPDFNotSent())
		return
	}
	pdf := a.Data
	s.pdfSave = u.saveDialog(pdfFileName(r.Name), ".pdf", func() bool { return u.record == s },
		func(w fyne.URIWriteCloser, err error) {
			s.pdfSave = nil
			if err != nil {
				u.recordPDFFailed(s, msgRecordPDFFailed())
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
	u.failed(u.win, tr.T("record.pdf_not_saved"), msg)
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
			return msgRecordPDFInside(), err
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
			u.recordPDFFailed(s, msgRecordPDFFailed())
		default:
			s.notice.Importance = widget.MediumImportance
			say(s.notice, tr.T("record.pdf_saved", tr.Args{"Name": uri.Name()}))
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
