//go:build !linux

package app

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
)

// trayAvailable reports whether something shows tray icons: always, on Windows and macOS.
func trayAvailable() bool { return true }

// waitForTrayHost is never needed where there is always a tray.
func waitForTrayHost(ctx context.Context) bool { <-ctx.Done(); return false }

// lateTray is never needed where there is always a tray.
func lateTray(desktop.App, *fyne.Menu, fyne.Resource) {}
