package app

import (
	"context"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/patient-companion/companion/app/tr"
	"github.com/patient-companion/companion/data"
)

// stockMeds adds, at fixedNow (25 Nov 14:30): Metformin with 28 tablets twice a day (till 9
// Dec), Ramipril with 7 capsules in the evening (runs out 2 Dec: refill by 25 Nov, today),
// and Vitamin D with no stock.
func stockMeds(t *testing.T) func(ctx context.Context, st *data.Store) {
	return func(ctx context.Context, st *data.Store) {
		for _, m := range []data.Medication{
			{Name: "Metformin", Dose: "1 tablet", StockKept: true, Stock: 28 * data.UnitScale, Steps: []data.Step{{Times: []data.TimeOfDay{hm(8, 0), hm(20, 0)}}}},
			{Name: "Ramipril", Dose: "1 capsule", StockKept: true, Stock: 7 * data.UnitScale, Steps: []data.Step{{Times: []data.TimeOfDay{hm(20, 0)}}}},
			{Name: "Vitamin D", Dose: "1 tablet", Steps: []data.Step{{Times: []data.TimeOfDay{hm(9, 0)}}}},
		} {
			if _, err := st.AddMedication(ctx, m); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func TestMedicationsStockAndRefill(t *testing.T) {
	u := openMeds(t, &testClock{t: fixedNow}, stockMeds(t))
	s := u.medications
	if len(s.rows) != 3 {
		t.Fatalf("rows %d", len(s.rows))
	}
	met, ram, vit := s.rows[0], s.rows[1], s.rows[2]
	if met.stock == nil || met.stock.Text != "28 tablets left · about 14 days · refill by 2 Dec" || met.refill != nil {
		t.Fatalf("Metformin's stock line: %v", met.stock)
	}
	if vit.stock != nil || vit.refill != nil {
		t.Fatal("no stock kept: no stock line")
	}
	if ram.stock.Text != "7 capsules left · about 7 days · refill by 25 Nov" || ram.refill == nil ||
		ram.refill.text.Text != "Ramipril runs out around 2 Dec — ask for a refill by 25 Nov" {
		t.Fatalf("Ramipril: %q, refill %v", ram.stock.Text, ram.refill)
	}
	// "Ask my clinic for a refill" sends a plain message through the outbox, once.
	test.Tap(ram.refill.ask)
	assertShows(t, ram.refill.state, tr.T("today.refill_asked"))
	if !ram.refill.ask.Disabled() {
		t.Error("the button should not send the request twice")
	}
	msgs, err := u.curStore().ListMessages(context.Background())
	if err != nil || len(msgs) != 1 || msgs[0].Text != "Please could I have a repeat prescription for Ramipril? I have 7 capsules left, which runs out around 2 Dec. Thank you." {
		t.Fatalf("messages = %+v, %v", msgs, err)
	}
	items, err := u.curStore().Outbox(context.Background())
	if err != nil || len(items) != 1 {
		t.Fatalf("outbox = %+v, %v", items, err)
	}

	// Today says so too.
	test.Tap(u.medications.nav.today)
	if u.today == nil || len(u.today.refills) != 1 || u.today.refills[0].text.Text != "Ramipril runs out around 2 Dec — ask for a refill by 25 Nov" {
		t.Fatalf("Today's refill notices: %v", u.today)
	}
}

func TestMedicationsStockMarkup(t *testing.T) {
	u := openMeds(t, &testClock{t: fixedNow}, stockMeds(t))
	assertMarkup(t, u, "medications_stock.xml")
}

// The form keeps the stock and the refill days; an unchanged count does not undo a dose
// taken while the form was open.
func TestMedicationFormStock(t *testing.T) {
	u := openMeds(t, &testClock{t: fixedNow}, nil)
	s := u.medications
	test.Tap(s.add)
	f := s.form
	if f.stock.Text != "" || f.refillDays.Text != "7" {
		t.Fatalf("a new form: stock %q, refill days %q", f.stock.Text, f.refillDays.Text)
	}
	test.Type(f.name, "Metformin")
	test.Type(f.dose, "1 tablet")
	test.Type(f.stock, "lots")
	f.refillDays.SetText("0")
	test.Tap(f.save)
	if s.form == nil || !f.stockErr.Visible() || f.stockErr.Text != msgMedBadStock() || f.refillErr.Text != msgMedBadRefill() {
		t.Fatalf("bad stock and refill days should be refused: %q %q", f.stockErr.Text, f.refillErr.Text)
	}
	f.stock.SetText("30")
	f.refillDays.SetText("5")
	test.Tap(f.save)
	if s.form != nil {
		t.Fatalf("save refused: %q", f.state.Text)
	}
	ms := storedMeds(t, u)
	if len(ms) != 1 || !ms[0].StockKept || ms[0].Stock != 30*data.UnitScale || ms[0].RefillDays != 5 {
		t.Fatalf("stored %+v", ms)
	}

	test.Tap(s.rows[0].edit)
	f = s.form
	if f.stock.Text != "30" || f.refillDays.Text != "5" {
		t.Fatalf("edit form: %q %q", f.stock.Text, f.refillDays.Text)
	}
	// A dose taken meanwhile (the reminder window, the command line).
	if _, err := u.curStore().RecordDose(context.Background(), data.DoseEvent{MedicationID: ms[0].ID, State: data.DoseTaken,
		ScheduledAt: at(8, 0)}); err != nil {
		t.Fatal(err)
	}
	f.instructions.SetText("with food")
	test.Tap(f.save)
	if ms = storedMeds(t, u); ms[0].Stock != 29*data.UnitScale || ms[0].Instructions != "with food" {
		t.Fatalf("after an edit: stock %v", ms[0].Stock)
	}
	// A new count typed is saved; an empty field stops counting.
	test.Tap(s.rows[0].edit)
	s.form.stock.SetText("60")
	test.Tap(s.form.save)
	if ms = storedMeds(t, u); ms[0].Stock != 60*data.UnitScale {
		t.Fatalf("new count: %v", ms[0].Stock)
	}
	test.Tap(s.rows[0].edit)
	s.form.stock.SetText("")
	test.Tap(s.form.save)
	if ms = storedMeds(t, u); ms[0].StockKept || s.rows[0].stock != nil {
		t.Fatalf("empty stock: %+v", ms[0])
	}
}

// TestRefillNotification: the running window sends the refill reminder as a desktop
// notification (Options.Notify, as dose reminders go) from the engine's own loop, beside the
// dose reminders. Once a day is the engine's rule (remind's TestCheckRefills).
func TestRefillNotification(t *testing.T) {
	clk := newHandClock(at(7, 59).Add(45 * time.Second))
	p := testProfiles(t, nil)
	p.Now = clk.Now
	info := passProfile(t, p, "Mum")
	st, err := p.Open(context.Background(), info, data.Credentials{Passphrase: []byte(goodPass)})
	if err != nil {
		t.Fatal(err)
	}
	// 3 tablets at 08:00 last to 27 Nov: refill by 21 Nov, so the reminder is on.
	if _, err := st.AddMedication(context.Background(), data.Medication{Name: "Ramipril", Dose: "1 tablet", StockKept: true,
		Stock: 3 * data.UnitScale, Steps: []data.Step{{Times: []data.TimeOfDay{hm(8, 0)}}}}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	n := notified{make(chan string, 8)}
	u := runningUI(t, p, clk, n)
	unlockWith(t, u, goodPass)
	if got := n.next(t); got != "Time to ask for a refill" {
		t.Fatalf("notification %q", got)
	}
	clk.waitArmed(t, 15*time.Second)
	clk.advance(at(8, 0))
	if got := n.next(t); got != "Time for your 08:00 Ramipril 1 tablet" {
		t.Fatalf("notification %q", got)
	}
}
