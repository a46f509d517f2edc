package app

// The Settings screen's units for readings: weight, blood sugar and temperature, each in
// one of its units or "as usual where I live" (the locale: data.VitalUnit). A choice is
// saved as soon as it is made, like the check boxes.

import (
	"context"
	"errors"
	"os"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/patient-companion/companion/app/tr"
	"github.com/patient-companion/companion/data"
)

// unitSetting is one reading type's unit choice.
type unitSetting struct {
	vitalType, key string
	sel            *widget.Select
}

type unitSettings struct {
	fields []unitSetting
	msg    *widget.Label
	box    fyne.CanvasObject
}

// usualUnit is the "as usual where I live" choice, naming the unit it stands for here.
func usualUnit(vitalType string) string {
	return tr.T("settings.unit_usual", tr.Args{"Unit": data.VitalUnit(data.Settings{}, vitalType, data.Locale(os.Getenv))})
}

func (u *UI) newUnitSettings() *unitSettings {
	us := &unitSettings{msg: message()}
	objs := []fyne.CanvasObject{subheading(tr.T("settings.units"))}
	for _, f := range []struct{ t, key, label string }{
		{data.VitalWeight, data.KeyWeightUnit, tr.T("settings.weight_in")},
		{data.VitalGlucose, data.KeyGlucoseUnit, tr.T("settings.glucose_in")},
		{data.VitalTemperature, data.KeyTemperatureUnit, tr.T("settings.temperature_in")},
	} {
		sel := widget.NewSelect(append([]string{usualUnit(f.t)}, data.VitalUnits(f.t)...), nil)
		sel.Disable() // until the settings are read
		us.fields = append(us.fields, unitSetting{f.t, f.key, sel})
		objs = append(objs, labelled(fieldLabel(f.label), sel))
	}
	us.box = container.NewVBox(append(objs, us.msg)...)
	return us
}

// show puts the stored choices in the lists and saves each change.
func (u *UI) showUnitSettings(s *settingsScreen, us *unitSettings, set data.Settings) {
	for _, f := range us.fields {
		f := f
		f.sel.OnChanged = nil
		v, _ := set.Text(f.key)
		if v == "auto" || v == "" {
			f.sel.SetSelected(usualUnit(f.vitalType))
		} else {
			f.sel.SetSelected(v)
		}
		if set.Locked[f.key] {
			f.sel.Disable()
			s.clinic.Show()
		} else {
			f.sel.Enable()
		}
		f.sel.OnChanged = func(choice string) { u.saveUnit(s, us, f, choice) }
	}
}

func (u *UI) saveUnit(s *settingsScreen, us *unitSettings, f unitSetting, choice string) {
	say(us.msg, "")
	value := choice
	if choice == usualUnit(f.vitalType) {
		value = "auto"
	}
	st := s.store
	background(s.prof, func(ctx context.Context) (string, error) {
		return st.PutSetting(ctx, f.key, value)
	}, func(_ string, err error) {
		if u.settings != s || err == nil {
			return
		}
		if errors.Is(err, data.ErrLockedByClinic) {
			say(us.msg, msgSetByClinic())
		} else {
			say(us.msg, msgSettingSaveFailed())
		}
	})
}
