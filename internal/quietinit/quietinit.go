// Package quietinit keeps library start-up noise off stderr. Fyne's lang package logs
// "Fyne error: Error parsing user locale C" from its init function whenever the locale is
// C.UTF-8 (Debian's default), before main can do anything — and the command line promises
// exactly one line on stderr per error.
//
// Go initializes packages in import-path order, each as soon as its own imports are done
// (the spec, since Go 1.21). This package imports only os, and its path sorts before "log",
// so its init runs before the log package captures os.Stderr for its standard logger: it
// points os.Stderr at the null device for the rest of package initialization, and main
// calls Restore first thing. realStderr is package-level state because nothing else exists
// yet to hold it; it is written only during init and read only by Restore.
package quietinit

import "os"

var realStderr *os.File

func init() {
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		return // keep stderr as it is; noise is better than losing errors
	}
	realStderr, os.Stderr = os.Stderr, null
}

// Restore gives os.Stderr back and returns it. The standard logger keeps writing to the null
// device until log.SetOutput is called: main sets it to stderr for the window (where Fyne's
// messages belong) and leaves it discarded for commands.
func Restore() *os.File {
	if realStderr != nil {
		os.Stderr = realStderr
	}
	return os.Stderr
}
