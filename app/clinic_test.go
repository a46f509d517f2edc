package app

import (
	"context"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/patient-companion/companion/clinic"
	"github.com/patient-companion/companion/data"
)

// TestProvisionedWindow: a clinic's build shows the clinic's name and logo at the top of
// the side bar and in About, with whom to call, and connects to the clinic's portal
// without asking for its address.
func TestProvisionedWindow(t *testing.T) {
	cl, err := clinic.Load("../clinics/example/clinic.json")
	if err != nil {
		t.Fatal(err)
	}
	p := testProfiles(t, nil)
	st, _, err := p.Create(context.Background(), data.CreateOptions{Name: "Mum", Passphrase: []byte(goodPass), NoKeyring: true})
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	u := newTestUIWith(t, test.NewTempApp(t), Options{Profiles: p, Clinic: cl, Version: "1.2.3", Build: "abc123"})
	unlockWith(t, u, goodPass)

	side := u.today.nav.side
	if !hasText(side, cl.Name) {
		t.Errorf("the side bar should name the clinic %q", cl.Name)
	}
	if !hasImage(side) {
		t.Error("the side bar should show the clinic's logo")
	}
	if hasText(side, windowTitle) {
		t.Error("a clinic's build should head the side bar with the clinic, not the app's name")
	}

	ctrl(u, fyne.Key6)
	s := u.settings
	about := u.win.Canvas().Content()
	for _, want := range []string{"Patient Companion 1.2.3", "Build abc123", "Provided by " + cl.Name,
		"Phone: " + cl.Support.Phone, "Portal: " + cl.Portal.FHIRBaseURL} {
		if !hasTextContaining(about, want) {
			t.Errorf("About should say %q", want)
		}
	}
	if s.portalURL.Text != cl.Portal.FHIRBaseURL || s.clientID.Text != cl.Portal.ClientID {
		t.Errorf("the portal form holds %q / %q, want the clinic's portal", s.portalURL.Text, s.clientID.Text)
	}
	if isShown(u, s.portalURL) {
		t.Error("a clinic's build should not ask for the portal address")
	}
	if want := "Connect to " + cl.Name; s.connect.Text != want {
		t.Errorf("connect button says %q, want %q", s.connect.Text, want)
	}
}

// TestUnprovisionedAsksForPortal: without a clinic, the app names itself and asks for the
// portal's address.
func TestUnprovisionedAsksForPortal(t *testing.T) {
	u := openToday(t, &testClock{t: fixedNow}, nil)
	if !hasText(u.today.nav.side, windowTitle) {
		t.Error("the side bar should name the app")
	}
	ctrl(u, fyne.Key6)
	if !isShown(u, u.settings.portalURL) {
		t.Error("an unprovisioned build should ask for the portal address")
	}
	if hasTextContaining(u.win.Canvas().Content(), "Provided by") {
		t.Error("an unprovisioned build names no clinic")
	}
}

// isShown says whether o is in the window with it and all its parents visible.
func isShown(u *UI, o fyne.CanvasObject) bool {
	found, visible := false, false
	var walk func(c fyne.CanvasObject, vis bool) bool
	walk = func(c fyne.CanvasObject, vis bool) bool {
		vis = vis && c.Visible()
		if c == o {
			found, visible = true, vis
			return true
		}
		for _, ch := range children(c) {
			if ch != nil && walk(ch, vis) {
				return true
			}
		}
		return false
	}
	walk(u.win.Canvas().Content(), true)
	return found && visible
}

func children(c fyne.CanvasObject) []fyne.CanvasObject {
	switch v := c.(type) {
	case *fyne.Container:
		return v.Objects
	case fyne.Widget:
		return test.WidgetRenderer(v).Objects()
	}
	return nil
}

func walkObjects(o fyne.CanvasObject, f func(fyne.CanvasObject) bool) bool {
	if o == nil {
		return false
	}
	if f(o) {
		return true
	}
	for _, c := range children(o) {
		if walkObjects(c, f) {
			return true
		}
	}
	return false
}

func hasText(o fyne.CanvasObject, text string) bool {
	return walkObjects(o, func(c fyne.CanvasObject) bool {
		// The side bar breaks long names into lines.
		l, ok := c.(*widget.Label)
		return ok && strings.ReplaceAll(l.Text, "\n", " ") == text
	})
}

func hasTextContaining(o fyne.CanvasObject, text string) bool {
	return walkObjects(o, func(c fyne.CanvasObject) bool {
		l, ok := c.(*widget.Label)
		return ok && strings.Contains(l.Text, text)
	})
}

func hasImage(o fyne.CanvasObject) bool {
	return walkObjects(o, func(c fyne.CanvasObject) bool { _, ok := c.(*canvas.Image); return ok })
}
