package app

import (
	"image/color"
	"math"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
)

// luminance is WCAG 2's relative luminance of an opaque colour.
func luminance(c color.Color) float64 {
	n := color.NRGBAModel.Convert(c).(color.NRGBA)
	lin := func(v uint8) float64 {
		s := float64(v) / 255
		if s <= 0.03928 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(n.R) + 0.7152*lin(n.G) + 0.0722*lin(n.B)
}

// over composites fg (possibly translucent) over an opaque bg.
func over(fg, bg color.Color) color.Color {
	f := color.NRGBAModel.Convert(fg).(color.NRGBA)
	b := color.NRGBAModel.Convert(bg).(color.NRGBA)
	a := float64(f.A) / 255
	mix := func(x, y uint8) uint8 { return uint8(math.Round(float64(x)*a + float64(y)*(1-a))) }
	return color.NRGBA{R: mix(f.R, b.R), G: mix(f.G, b.G), B: mix(f.B, b.B), A: 0xff}
}

func contrastRatio(fg, bg color.Color) float64 {
	l1, l2 := luminance(over(fg, bg)), luminance(bg)
	if l1 < l2 {
		l1, l2 = l2, l1
	}
	return (l1 + 0.05) / (l2 + 0.05)
}

// TestHighContrastRatios: every text colour the high-contrast theme defines reads at 4.5:1
// or better on every background it is drawn on, light and dark.
func TestHighContrastRatios(t *testing.T) {
	th := newCalmThemeWith(nil, 1, true)
	pairs := []struct{ fg, bg fyne.ThemeColorName }{
		{theme.ColorNameForeground, theme.ColorNameBackground},
		{theme.ColorNameForeground, theme.ColorNameInputBackground},
		{theme.ColorNameForeground, theme.ColorNameButton},
		{theme.ColorNameForeground, theme.ColorNameHeaderBackground},
		{theme.ColorNameForeground, theme.ColorNameOverlayBackground},
		{theme.ColorNameForeground, theme.ColorNameMenuBackground},
		{theme.ColorNameForegroundOnPrimary, theme.ColorNamePrimary},
		{theme.ColorNameForegroundOnError, theme.ColorNameError},
		{theme.ColorNameForegroundOnSuccess, theme.ColorNameSuccess},
		{theme.ColorNameForegroundOnWarning, theme.ColorNameWarning},
		{theme.ColorNameDisabled, theme.ColorNameBackground},
		{theme.ColorNameDisabled, theme.ColorNameDisabledButton},
		{theme.ColorNameDisabled, theme.ColorNameInputBackground},
		{theme.ColorNamePlaceHolder, theme.ColorNameInputBackground},
		{theme.ColorNamePlaceHolder, theme.ColorNameBackground},
		{theme.ColorNameError, theme.ColorNameBackground},
		{theme.ColorNameError, theme.ColorNameInputBackground},
		{theme.ColorNameSuccess, theme.ColorNameBackground},
		{theme.ColorNameWarning, theme.ColorNameBackground},
		{theme.ColorNamePrimary, theme.ColorNameBackground},
		{theme.ColorNameHyperlink, theme.ColorNameBackground},
	}
	for _, v := range []fyne.ThemeVariant{theme.VariantLight, theme.VariantDark} {
		for _, p := range pairs {
			bg := th.Color(p.bg, v)
			if _, _, _, a := bg.RGBA(); a != 0xffff {
				t.Errorf("variant %d: background %s is not opaque", v, p.bg)
				continue
			}
			if r := contrastRatio(th.Color(p.fg, v), bg); r < 4.5 {
				t.Errorf("variant %d: %s on %s is %.2f:1, want at least 4.5:1", v, p.fg, p.bg, r)
			}
		}
	}
}

func TestTextScale(t *testing.T) {
	th := newCalmThemeWith(nil, 2, false)
	if got := th.Size(theme.SizeNameText); got != 36 {
		t.Errorf("text at 200 %% is %v, want 36", got)
	}
	if got := th.Size(theme.SizeNameHeadingText); got != 60 {
		t.Errorf("heading at 200 %% is %v, want 60", got)
	}
	if got := newCalmThemeWith(nil, 7, false).Size(theme.SizeNameText); got != 18 {
		t.Errorf("an out-of-range scale gives %v, want 18", got)
	}
}

// TestSettingsTextSizeAndContrast: the Settings choices apply at once and are remembered.
func TestSettingsTextSizeAndContrast(t *testing.T) {
	u := openToday(t, &testClock{t: fixedNow}, nil)
	ctrl(u, fyne.Key6)
	s := u.settings
	if s.textSize.Selected != "100 %" || s.contrast.Checked {
		t.Fatalf("defaults: %q, contrast %v", s.textSize.Selected, s.contrast.Checked)
	}
	s.textSize.SetSelected("150 %")
	test.Tap(s.contrast)
	th := u.app.Settings().Theme()
	if got := th.Size(theme.SizeNameText); got != 27 {
		t.Errorf("text size %v after choosing 150 %%, want 27", got)
	}
	if got := th.Color(theme.ColorNameBackground, theme.VariantLight); got != hcLightColors[theme.ColorNameBackground] {
		t.Errorf("background %v, want the high-contrast one", got)
	}
	if u.app.Preferences().Float(prefTextScale) != 1.5 || !u.app.Preferences().Bool(prefContrast) {
		t.Error("the choices should be remembered")
	}
	// A new window on the same app starts with them.
	ctrl(u, fyne.Key1)
	ctrl(u, fyne.Key6)
	if u.settings.textSize.Selected != "150 %" || !u.settings.contrast.Checked {
		t.Error("Settings should show the remembered choices")
	}
}

// TestFocusRingContrast: the focus ring stands out from the window's background at 3:1 or
// better (WCAG 2.2, non-text contrast and focus appearance) in every theme variant.
func TestFocusRingContrast(t *testing.T) {
	for _, contrast := range []bool{false, true} {
		th := newCalmThemeWith(theme.DefaultTheme(), 1, contrast)
		for _, v := range []fyne.ThemeVariant{theme.VariantLight, theme.VariantDark} {
			ring := th.Color(colorNameFocusRing, v)
			for _, bg := range []fyne.ThemeColorName{theme.ColorNameBackground, theme.ColorNameInputBackground, theme.ColorNameHeaderBackground} {
				if r := contrastRatio(ring, th.Color(bg, v)); r < 3 {
					t.Errorf("contrast %v, variant %v: ring on %s is %.2f:1, want 3:1", contrast, v, bg, r)
				}
			}
		}
	}
}

// TestFocusRingFollowsFocus: the ring goes around a focused button, follows Tab, and is
// not drawn around a text field (which has its own focused border).
func TestFocusRingFollowsFocus(t *testing.T) {
	u := openToday(t, &testClock{t: fixedNow}, nil)
	ring := u.ring.ring
	nav := u.today.nav
	u.win.Canvas().Focus(nav.journal)
	u.updateFocusRing()
	if !ring.Visible() {
		t.Fatal("a focused button should have the ring")
	}
	d := u.app.Driver()
	at := d.AbsolutePositionForObject(nav.journal)
	want := at.SubtractXY(focusRingGap+focusRingWidth, focusRingGap+focusRingWidth)
	if p := d.AbsolutePositionForObject(ring); p != want ||
		ring.Size() != nav.journal.Size().AddWidthHeight(2*(focusRingGap+focusRingWidth), 2*(focusRingGap+focusRingWidth)) {
		t.Errorf("ring at %v %v, want it %v px around the button at %v %v", p, ring.Size(),
			focusRingGap+focusRingWidth, at, nav.journal.Size())
	}
	u.win.Canvas().FocusNext()
	u.updateFocusRing()
	if ring.Position() == (fyne.Position{}) || !ring.Visible() {
		t.Error("the ring should follow Tab to the next button")
	}
	ctrl(u, fyne.Key6)
	u.win.Canvas().Focus(u.settings.snooze)
	u.updateFocusRing()
	if ring.Visible() {
		t.Error("a text field shows its own focus; no ring")
	}
}
