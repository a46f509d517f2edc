//go:build windows

package autostart

import (
	"errors"
	"fmt"
	"strings"

	"golang.org/x/sys/windows/registry"
)

const runKey = `Software\Microsoft\Windows\CurrentVersion\Run`

// Path names the registry value.
func (e Entry) Path() string { return `HKCU\` + runKey + `\PatientCompanion` }

func (e Entry) commandLine() string {
	parts := make([]string, 0, len(e.command()))
	for _, a := range e.command() {
		if strings.ContainsAny(a, " \t\"") {
			a = `"` + strings.ReplaceAll(a, `"`, `\"`) + `"`
		}
		parts = append(parts, a)
	}
	return strings.Join(parts, " ")
}

// Enable starts the app at login.
func (e Entry) Enable() error {
	k, _, err := registry.CreateKey(registry.CURRENT_USER, runKey, registry.SET_VALUE)
	if err != nil {
		return fmt.Errorf("autostart: %w", err)
	}
	defer k.Close()
	if err := k.SetStringValue("PatientCompanion", e.commandLine()); err != nil {
		return fmt.Errorf("autostart: %w", err)
	}
	return nil
}

// Disable stops starting the app at login.
func (e Entry) Disable() error {
	k, err := registry.OpenKey(registry.CURRENT_USER, runKey, registry.SET_VALUE)
	if err != nil {
		return nil // no Run key: nothing starts
	}
	defer k.Close()
	if err := k.DeleteValue("PatientCompanion"); err != nil && !errors.Is(err, registry.ErrNotExist) {
		return fmt.Errorf("autostart: %w", err)
	}
	return nil
}

// Enabled reports whether the value exists.
func (e Entry) Enabled() bool {
	k, err := registry.OpenKey(registry.CURRENT_USER, runKey, registry.QUERY_VALUE)
	if err != nil {
		return false
	}
	defer k.Close()
	_, _, err = k.GetStringValue("PatientCompanion")
	return err == nil
}
