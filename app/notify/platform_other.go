//go:build !linux && !windows

package notify

// Platform is nil on macOS (and elsewhere): notifications there go through Fyne, without
// buttons, and the reminder window asks — until a signed .app bundle can register a
// UNNotificationCategory with Take and Snooze (docs/ARCHITECTURE.md).
func Platform(appName, icon string) Server { return nil }
