//go:build unix

package data

import "syscall"

// cpuClock is the CPU time (user + system) this process has used, in nanoseconds.
func cpuClock() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
