package testutil

import (
	"syscall"
	"time"
)

// CPUTime is the process's CPU time so far, user and system: what a
// benchmark reports beside the wall time, which a loaded machine stretches.
func CPUTime() time.Duration {
	var creation, exit, kernel, user syscall.Filetime
	h, err := syscall.GetCurrentProcess()
	if err != nil || syscall.GetProcessTimes(h, &creation, &exit, &kernel, &user) != nil {
		return 0
	}
	// Filetime counts 100 ns; Nanoseconds would read it as a date since 1601.
	ticks := func(f syscall.Filetime) int64 { return int64(f.HighDateTime)<<32 | int64(f.LowDateTime) }
	return time.Duration((ticks(kernel) + ticks(user)) * 100)
}

// PeakRSSMiB is the process's peak resident set size so far, in MiB; 0 on
// Windows, where the syscall package cannot ask for it.
func PeakRSSMiB() float64 { return 0 }
