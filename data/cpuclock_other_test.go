//go:build !unix

package data

// cpuClock is not measured here; the benchmarks' cpu-ms/op reads 0.
func cpuClock() int64 { return 0 }
