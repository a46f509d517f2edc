package app

import (
	"context"
	"errors"
	"log"
	"net/url"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/patient-companion/companion/app/tr"
	"github.com/patient-companion/companion/data"
	"github.com/patient-companion/companion/sync/fhir"
	"github.com/patient-companion/companion/sync/portal"
)

func msgSettingsLoading() string    { return tr.T("settings.loading") }
func msgSettingsLoadFailed() string { return tr.T("settings.load_failed") }
func msgSettingSaveFailed() string  { return tr.T("settings.save_failed") }
func msgSettingsSaved() string      { return tr.T("settings.saved") }
func msgSettingsDamaged() string    { return tr.T("settings.damaged") }

// msgSetByClinic answers a change to a setting the clinic has set for good.
func msgSetByClinic() string { return tr.T("settings.set_by_clinic") }

// Autostart is this computer's login entry (an autostart.Entry).
type Autostart interface {
	Enable() error
	Disable() error
}

// applyStartAtLogin adds or removes the login entry to match a profile's "Start when I log
// in" (disk work: off the UI goroutine). The setting is stored once, in the profile; the
// entry follows it each time a profile is shown and whenever it is changed (a change made
// with the command line counts from the next time the window shows that profile).
func (u *UI) applyStartAtLogin(on bool) error {
	a := u.opt.Autostart
	if a == nil {
		return nil
	}
	if on {
		return a.Enable()
	}
	return a.Disable()
}

// settingsScreen shows the profile's settings and its portal connection.
type settingsScreen struct {
	screenBase
	loaded bool

	status *widget.Label   // loading or failure
	locked map[string]bool // settings the clinic set for good
	clinic *widget.Label   // says so, when any are

	hideNames   *widget.Check
	startLogin  *widget.Check
	checkMsg    *widget.Label // a check that could not be saved
	autoLock    *navEntry
	autoLockErr *widget.Label
	snooze      *navEntry
	snoozeErr   *widget.Label
	apptRem     *navEntry
	apptRemErr  *widget.Label
	save        *widget.Button
	saveMsg     *widget.Label
	testBtn     *widget.Button
	testMsg     *widget.Label

	// Backups (backup.go).
	backup          *backupForm
	backupFolder    *navEntry
	backupFolderErr *widget.Label
	backupKeep      *navEntry
	backupKeepErr   *widget.Label

	// Accessibility: per computer (Fyne preferences), applied at once.
	textSize *widget.Select
	contrast *widget.Check
	language *languageSetting // settings_language.go

	profile *profileForm // change passphrase, delete
	access  *accessForm  // rename, keyring unlock, screen PIN

	left, right *fyne.Container // re-laid out when a load changes them

	portalText *widget.Label
	disconnect *widget.Button
	portalMsg  *widget.Label
	// Connecting: shown while not connected (and "Sign in again" while connected).
	connectForm *fyne.Container
	portalURL   *navEntry
	clientID    *navEntry
	patientID   *navEntry
	connect     *widget.Button
	signInAgain *widget.Button
	current     data.Portal // the connection shown

	report *reportLauncher

	careAlert    *navEntry // caregiver_alert_minutes, with the reminders
	careAlertErr *widget.Label
	units        *unitSettings // the units readings are shown in (settings_units.go)
}

// settingField ties an entry to its setting key and its message.
type settingField struct {
	key   string
	entry *navEntry
	err   *widget.Label
}

func (s *settingsScreen) fields() []settingField {
	return []settingField{
		{data.KeyAutoLockMinutes, s.autoLock, s.autoLockErr},
		{data.KeySnoozeMinutes, s.snooze, s.snoozeErr},
		{data.KeyAppointmentReminders, s.apptRem, s.apptRemErr},
		{data.KeyCaregiverAlertMinutes, s.careAlert, s.careAlertErr},
	}
}

func (u *UI) showSettings() {
	b, ok := u.newScreen(navSettings)
	if !ok {
		return
	}
	s := &settingsScreen{screenBase: b}
	u.settings = s

	s.status = paragraph(msgSettingsLoading())
	s.clinic = caption(tr.T("settings.clinic_locked"))
	s.clinic.Wrapping = fyne.TextWrapWord
	s.clinic.Hide()
	s.hideNames = widget.NewCheck(tr.T("settings.hide_names"), nil)
	s.startLogin = widget.NewCheck(tr.T("settings.start_login"), nil)
	s.checkMsg = message()
	s.autoLock = u.newEntry()
	s.autoLockErr = message()
	s.snooze = u.newEntry()
	s.snoozeErr = message()
	s.apptRem = u.newEntry()
	s.apptRem.SetPlaceHolder(tr.T("settings.appointment_reminders_example"))
	s.apptRemErr = message()
	s.careAlert, s.careAlertErr = u.newEntry(), message()
	backupBox := u.newBackupForm(s)
	for _, f := range s.fields() {
		f := f
		f.entry.OnChanged = func(string) { say(f.err, ""); say(s.saveMsg, "") }
		f.entry.OnSubmitted = func(string) { u.saveSettings() }
	}
	s.save = widget.NewButtonWithIcon(tr.T("settings.save"), theme.DocumentSaveIcon(), u.saveSettings)
	s.save.Importance = widget.HighImportance
	s.saveMsg = widget.NewLabel("")
	s.saveMsg.Hide()
	s.testBtn = widget.NewButtonWithIcon(tr.T("settings.test_reminder"), theme.MailSendIcon(), u.sendTestReminder)
	s.testMsg = paragraph("")
	s.testMsg.Hide()

	var sizes []string
	for _, f := range textScales {
		sizes = append(sizes, scaleLabel(f))
	}
	s.textSize = widget.NewSelect(sizes, nil)
	s.textSize.Selected = scaleLabel(u.textScale())
	s.textSize.OnChanged = func(l string) {
		for _, f := range textScales {
			if scaleLabel(f) == l {
				u.setTextScale(f)
			}
		}
	}
	s.contrast = widget.NewCheck(tr.T("settings.high_contrast"), nil)
	s.contrast.Checked = u.highContrast()
	s.contrast.OnChanged = u.setHighContrast
	s.language = u.newLanguageSetting()

	s.portalText = paragraph("")
	s.disconnect = widget.NewButton(tr.T("settings.disconnect"), u.confirmDisconnect)
	s.disconnect.Hide()
	s.portalMsg = message()
	s.portalURL = u.newEntry()
	s.portalURL.SetPlaceHolder(tr.T("settings.portal_address_example"))
	s.clientID = u.newEntry()
	s.clientID.SetPlaceHolder(tr.T("settings.client_id_hint"))
	s.patientID = u.newEntry()
	s.patientID.SetPlaceHolder(tr.T("settings.patient_id_hint"))
	s.connect = widget.NewButtonWithIcon(tr.T("settings.connect"), theme.LoginIcon(), func() {
		u.connectPortal(s.portalURL.Text, s.clientID.Text, s.patientID.Text)
	})
	s.connect.Importance = widget.HighImportance
	addressFields := container.NewVBox(
		labelled(fieldLabel(tr.T("settings.portal_address")), s.portalURL),
		labelled(fieldLabel(tr.T("settings.client_id")), s.clientID),
	)
	if c := u.opt.Clinic; c != nil && c.Portal != nil {
		// A clinic's build knows its portal: the person only signs in.
		s.portalURL.SetText(c.Portal.FHIRBaseURL)
		s.clientID.SetText(c.Portal.ClientID)
		addressFields.Hide()
		s.connect.SetText(tr.T("settings.connect_to", tr.Args{"Clinic": c.Name}))
	}
	s.connectForm = container.NewVBox(
		addressFields,
		labelled(fieldLabel(tr.T("settings.patient_id")), s.patientID),
		container.NewHBox(tall(s.connect)),
	)
	s.connectForm.Hide()
	s.signInAgain = widget.NewButtonWithIcon(tr.T("settings.sign_in_again"), theme.LoginIcon(), func() {
		c := s.current
		u.connectPortal(c.URL, c.ClientID, c.PatientID)
	})
	s.signInAgain.Hide()

	s.report = u.newReportLauncher(b)
	s.units = u.newUnitSettings()
	var profileBox, accessBox fyne.CanvasObject
	s.profile, profileBox = u.newProfileForm(s.store)
	s.access, accessBox = u.newAccessForm(s.prof)
	s.left = container.NewVBox(
		s.status,
		s.clinic,
		subheading(tr.T("settings.reminders")),
		container.New(layout.NewCustomPaddedVBoxLayout(-14), s.hideNames,
			caption(tr.T("settings.hide_names_hint"))),
		container.New(layout.NewCustomPaddedVBoxLayout(-14), s.startLogin,
			caption(tr.T("settings.start_login_hint"))),
		s.checkMsg,
		labelled(fieldLabel(tr.T("settings.snooze")), s.snooze, caption(tr.T("settings.snooze_hint")), s.snoozeErr),
		labelled(fieldLabel(tr.T("settings.appointment_reminders")), s.apptRem,
			caption(tr.T("settings.appointment_reminders_hint")), s.apptRemErr),
		labelled(fieldLabel(tr.T("settings.caregiver_alert")), s.careAlert,
			caption(tr.T("settings.caregiver_alert_hint")), s.careAlertErr),
		subheading(tr.T("settings.security")),
		labelled(fieldLabel(tr.T("settings.auto_lock")), s.autoLock, caption(tr.T("settings.zero_never")), s.autoLockErr),
		container.NewHBox(tall(s.save), container.NewCenter(s.saveMsg)),
		s.units.box,
		accessBox,
		profileBox,
		backupBox,
	)
	s.right = container.NewVBox(
		subheading(tr.T("settings.reading")),
		labelled(fieldLabel(tr.T("settings.text_size")), s.textSize, caption(tr.T("settings.for_this_computer"))),
		s.contrast,
		s.language.box,
		subheading(tr.T("settings.report")),
		paragraph(tr.T("settings.report_hint")),
		container.NewHBox(tall(s.report.button)),
		subheading(tr.T("settings.check_reminders")),
		paragraph(tr.T("settings.check_reminders_hint")),
		container.NewHBox(tall(s.testBtn)),
		s.testMsg,
		subheading(tr.T("settings.portal")),
		s.portalText,
		s.portalMsg,
		s.connectForm,
		container.NewHBox(tall(s.signInAgain), tall(s.disconnect)),
		subheading(tr.T("settings.about")),
		u.about(),
	)
	// One column: two did not fit beside the side bar at larger text sizes.
	content := container.NewVScroll(container.NewPadded(column(680, container.NewVBox(s.left, s.right))))
	u.setContent(u.frame(b, content))
	u.loadSettings()
}

// loadSettings reads the settings into the form, then the portal connection.
func (u *UI) loadSettings() {
	s := u.settings
	if s == nil {
		return
	}
	background(s.prof, s.store.Settings, func(set data.Settings, err error) {
		if u.settings != s {
			return
		}
		var te *data.TamperedError
		if err != nil && !errors.As(err, &te) {
			say(s.status, msgSettingsLoadFailed())
			return
		}
		// Damaged values come with their defaults in place: shown, said, and saved over.
		if te != nil {
			say(s.status, msgSettingsDamaged())
		} else {
			say(s.status, "")
		}
		s.loaded = true
		s.hideNames.SetChecked(set.HideMedicineNames)
		s.startLogin.SetChecked(set.StartAtLogin)
		s.hideNames.OnChanged = func(on bool) { u.saveCheck(s.hideNames, data.KeyHideMedicineNames, on) }
		s.startLogin.OnChanged = func(on bool) { u.saveCheck(s.startLogin, data.KeyStartAtLogin, on) }
		for _, f := range s.fields() {
			v, _ := set.Text(f.key)
			f.entry.SetText(shownSetting(f.key, v))
			say(f.err, "")
		}
		s.locked = set.Locked
		for k, d := range map[string]fyne.Disableable{data.KeyHideMedicineNames: s.hideNames, data.KeyStartAtLogin: s.startLogin,
			data.KeyAutoLockMinutes: s.autoLock, data.KeySnoozeMinutes: s.snooze, data.KeyAppointmentReminders: s.apptRem,
			data.KeyCaregiverAlertMinutes: s.careAlert} {
			if s.locked[k] {
				d.Disable()
				s.clinic.Show()
			}
		}
		say(s.saveMsg, "")
		u.showUnitSettings(s, s.units, set)
		u.showBackupSettings()
		s.left.Refresh()
	})
	u.loadPortal()
}

// saveCheck stores a check box's setting as soon as it changes.
func (u *UI) saveCheck(c *widget.Check, key string, on bool) {
	s := u.settings
	if s == nil {
		return
	}
	say(s.checkMsg, "")
	value := "false"
	if on {
		value = "true"
	}
	st := s.store
	background(s.prof, func(ctx context.Context) (string, error) {
		v, err := st.PutSetting(ctx, key, value)
		if err == nil && key == data.KeyStartAtLogin {
			if err := u.applyStartAtLogin(on); err != nil {
				// Saved; the login entry follows the next time this profile is shown.
				log.Printf("start at login: %v", err)
			}
		}
		return v, err
	}, func(_ string, err error) {
		if u.settings != s || err == nil {
			return
		}
		if errors.Is(err, data.ErrLockedByClinic) {
			say(s.checkMsg, msgSetByClinic())
		} else {
			say(s.checkMsg, msgSettingSaveFailed())
			u.failed(u.win, tr.T("settings.setting_not_saved"), tryAgain())
		}
		// Show what is stored, without saving again.
		f := c.OnChanged
		c.OnChanged = nil
		c.SetChecked(!on)
		c.OnChanged = f
	})
}

// saveSettings checks every field, then saves them all (nothing is saved while one is wrong).
// shownSetting is a stored setting as the field shows it: the appointment reminders' "none"
// in the person's word for it.
func shownSetting(key, v string) string {
	if key == data.KeyAppointmentReminders && v == "none" {
		return tr.T("settings.none_word")
	}
	return v
}

// typedSetting is what a person typed in a setting's field as the store takes it: their
// language's word for none ("keine", "ninguno") is "none"; English "none" is too.
func typedSetting(key, text string) string {
	if key == data.KeyAppointmentReminders && strings.EqualFold(strings.TrimSpace(text), tr.T("settings.none_word")) {
		return "none"
	}
	return text
}

func (u *UI) saveSettings() {
	s := u.settings
	if s == nil || !s.loaded || s.save.Disabled() {
		return
	}
	say(s.saveMsg, "")
	vals := map[string]string{}
	ok := true
	var fields []settingField
	for _, f := range s.fields() {
		if s.locked[f.key] {
			continue
		}
		fields = append(fields, f)
		v, err := data.CheckSetting(f.key, typedSetting(f.key, f.entry.Text))
		if err != nil {
			say(f.err, inputMessage(err))
			ok = false
			continue
		}
		say(f.err, "")
		vals[f.key] = v
	}
	if !ok {
		return
	}
	s.save.Disable()
	st := s.store
	background(s.prof, func(ctx context.Context) (map[string]string, error) {
		out := map[string]string{}
		for _, f := range fields {
			v, err := st.PutSetting(ctx, f.key, vals[f.key])
			if err != nil {
				return out, err
			}
			out[f.key] = v
		}
		return out, nil
	}, func(saved map[string]string, err error) {
		if u.settings != s {
			return
		}
		s.save.Enable()
		if err != nil {
			say(s.saveMsg, msgSettingSaveFailed())
			u.failed(u.win, tr.T("settings.not_saved"), tryAgain())
			return
		}
		for _, f := range s.fields() {
			if v, ok := saved[f.key]; ok && shownSetting(f.key, v) != f.entry.Text {
				f.entry.SetText(shownSetting(f.key, v))
			}
		}
		say(s.saveMsg, msgSettingsSaved())
	})
}

// sendTestReminder shows a harmless notice through the path the reminder engine uses: a
// desktop notification and the reminder window.
func (u *UI) sendTestReminder() {
	s := u.settings
	if s == nil || s.prof.engine == nil {
		return
	}
	p := s.prof
	n := p.engine.TestNotice()
	s.testBtn.Disable()
	background(p, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, u.opt.Notify(ctx, n.Title, n.Body)
	}, func(_ struct{}, err error) {
		u.deliver(p, n)
		if u.settings != s {
			return
		}
		s.testBtn.Enable()
		if err != nil {
			// Seen, unlike Fyne's notifications: say so rather than "check your settings".
			log.Printf("test reminder: %v", err)
			say(s.testMsg, tr.T("settings.test_not_notified"))
		} else {
			say(s.testMsg, tr.T("settings.test_sent"))
		}
		s.right.Refresh()
	})
}

// loadPortal shows the portal connection.
func (u *UI) loadPortal() {
	s := u.settings
	if s == nil {
		return
	}
	st := s.store
	background(s.prof, st.PortalConnection, func(p data.Portal, err error) {
		if u.settings != s {
			return
		}
		defer s.right.Refresh()
		s.current = p
		if err != nil {
			say(s.portalText, tr.T("settings.portal_read_failed"))
			s.disconnect.Hide()
			s.signInAgain.Hide()
			s.connectForm.Hide()
			return
		}
		if p.URL == "" {
			text := tr.T("settings.not_connected")
			if c := u.opt.Clinic; c != nil && c.Portal != nil {
				text = tr.T("settings.not_connected_clinic", tr.Args{"Clinic": c.Name})
			}
			say(s.portalText, text)
			s.disconnect.Hide()
			s.signInAgain.Hide()
			s.connectForm.Show()
			return
		}
		s.connectForm.Hide()
		if p.ClientID != "" {
			s.signInAgain.Show()
		} else {
			s.signInAgain.Hide()
		}
		last := tr.T("settings.never_synced")
		if !p.LastSync.IsZero() {
			ls := p.LastSync.In(st.Location())
			last = tr.T("settings.synced_at", tr.Args{"Date": tr.Format(ls, tr.Date), "Time": tr.Format(ls, tr.Clock)})
		}
		lines := []string{tr.T("settings.connected_to", tr.Args{"URL": p.URL}),
			tr.T("settings.patient", tr.Args{"ID": p.PatientID}), tr.T("settings.last_synced", tr.Args{"When": last})}
		say(s.portalText, strings.Join(lines, "\n"))
		s.disconnect.Show()
	})
}

// confirmDisconnect asks before disconnecting the portal.
func (u *UI) confirmDisconnect() {
	dialog.ShowConfirm(tr.T("settings.disconnect_title"), tr.T("settings.disconnect_text"), func(ok bool) {
		if ok {
			u.disconnectPortal()
		}
	}, u.win)
}

// disconnectPortal forgets the portal connection and its sign-in.
func (u *UI) disconnectPortal() {
	s := u.settings
	if s == nil {
		return
	}
	say(s.portalMsg, "")
	st := s.store
	background(s.prof, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, st.SetPortalConnection(ctx, data.Portal{})
	}, func(_ struct{}, err error) {
		if u.settings != s {
			return
		}
		if err != nil && !errors.Is(err, context.Canceled) {
			say(s.portalMsg, tr.T("settings.disconnect_failed"))
			return
		}
		s.prof.sync.lastErr = nil
		u.loadPortal()
	})
}

// connectPortal connects the profile to a portal: with SMART sign-in the portal's page opens
// in the browser and the app waits (up to 15 minutes) for the person to sign in there.
func (u *UI) connectPortal(rawURL, clientID, patient string) {
	s := u.settings
	if s == nil {
		return
	}
	rawURL, clientID, patient = strings.TrimSpace(rawURL), strings.TrimSpace(clientID), strings.TrimSpace(patient)
	if rawURL == "" {
		say(s.portalMsg, tr.T("settings.need_address"))
		return
	}
	st := s.store
	s.connect.Disable()
	s.signInAgain.Disable()
	say(s.portalMsg, tr.T("settings.connecting"))
	background(s.prof, func(ctx context.Context) (portal.Connection, error) {
		ctx, cancel := context.WithTimeout(ctx, 15*time.Minute)
		defer cancel()
		return portal.ConnectProfile(ctx, st, rawURL, clientID, patient, func(addr string) error {
			parsed, err := url.Parse(addr)
			if err != nil {
				return err
			}
			fyne.Do(func() {
				if err := u.app.OpenURL(parsed); err != nil {
					say(s.portalMsg, tr.T("settings.browser_failed"))
				}
			})
			return nil
		})
	}, func(c portal.Connection, err error) {
		if u.settings != s {
			return
		}
		s.connect.Enable()
		s.signInAgain.Enable()
		switch {
		case errors.Is(err, portal.ErrNeedClientID):
			say(s.portalMsg, tr.T("settings.need_client_id"))
		case errors.Is(err, portal.ErrNoPatient):
			say(s.portalMsg, tr.T("settings.need_patient_id"))
		case errors.Is(err, data.ErrNotFound):
			say(s.portalMsg, tr.T("settings.unknown_patient"))
		case errors.Is(err, fhir.ErrInsecure):
			say(s.portalMsg, tr.T("settings.insecure"))
		case err != nil:
			say(s.portalMsg, tr.T("settings.connect_failed"))
		default:
			say(s.portalMsg, tr.T("settings.connected"))
			s.prof.sync.lastErr = nil
			u.loadPortal()
			u.syncNow()
		}
		s.right.Refresh()
	})
}

// about says which version this is and, in a clinic's build, whose it is and whom to call.
func (u *UI) about() fyne.CanvasObject {
	version := u.opt.Version
	if version == "" {
		version = tr.T("settings.development_build")
	}
	lines := []string{tr.T("settings.version", tr.Args{"Version": version})}
	if u.opt.Build != "" {
		lines = append(lines, tr.T("settings.build", tr.Args{"Build": u.opt.Build}))
	}
	box := container.NewVBox()
	c := u.opt.Clinic
	if c == nil {
		box.Add(paragraph(strings.Join(lines, "\n")))
		return box
	}
	lines = append(lines, tr.T("settings.provided_by", tr.Args{"Clinic": c.Name}))
	if c.Portal != nil {
		lines = append(lines, tr.T("settings.portal_line", tr.Args{"URL": c.Portal.FHIRBaseURL}))
	}
	var help []string
	if c.Support.Phone != "" {
		help = append(help, tr.T("settings.phone", tr.Args{"Phone": c.Support.Phone}))
	}
	if c.Support.Email != "" {
		help = append(help, tr.T("settings.email", tr.Args{"Email": c.Support.Email}))
	}
	if c.Support.Web != "" {
		help = append(help, tr.T("settings.web", tr.Args{"Web": c.Support.Web}))
	}
	if len(help) > 0 {
		lines = append(lines, tr.T("settings.help_contact", tr.Args{"Clinic": c.Name}))
		lines = append(lines, help...)
	}
	text := paragraph(strings.Join(lines, "\n"))
	if len(c.LogoPNG) == 0 {
		box.Add(text)
		return box
	}
	logo := canvas.NewImageFromResource(fyne.NewStaticResource("clinic-logo.png", c.LogoPNG))
	logo.FillMode = canvas.ImageFillContain
	logo.SetMinSize(fyne.NewSize(64, 64))
	box.Add(container.NewBorder(container.NewHBox(logo), nil, nil, nil, text))
	return box
}
