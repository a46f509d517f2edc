//go:build linux && cgo

package main

import (
	"testing"
	"time"
)

func TestDiffering(t *testing.T) {
	a := make([]byte, 4*1000)
	b := make([]byte, len(a))
	if n := differing(a, b); n != 0 {
		t.Fatalf("equal pictures: %d differing", n)
	}
	// The padding byte of each pixel is not part of the picture.
	for i := 3; i < len(b); i += 4 {
		b[i] = 0xff
	}
	if n := differing(a, b); n != 0 {
		t.Fatalf("padding only: %d differing", n)
	}
	for i := 0; i < 4*stillPixels; i += 4 {
		b[i+1] = 1
	}
	if n := differing(a, b); n != stillPixels {
		t.Fatalf("%d changed pixels: counted %d", stillPixels, n)
	}
	b[4*stillPixels] = 1
	if n := differing(a, b); n <= stillPixels {
		t.Fatalf("one more: counted %d, want more than %d", n, stillPixels)
	}
}

func TestStats(t *testing.T) {
	ms := func(v ...int) []run {
		var rs []run
		for _, x := range v {
			rs = append(rs, run{frame: time.Duration(x) * time.Millisecond})
		}
		return rs
	}
	frame := func(r run) time.Duration { return r.frame }
	for _, c := range []struct {
		runs []run
		want [3]time.Duration
	}{
		{ms(30, 10, 20), [3]time.Duration{10 * time.Millisecond, 20 * time.Millisecond, 30 * time.Millisecond}},
		{ms(40, 10, 20, 30), [3]time.Duration{10 * time.Millisecond, 25 * time.Millisecond, 40 * time.Millisecond}},
		{nil, [3]time.Duration{}},
	} {
		if got := stats(c.runs, frame); got != c.want {
			t.Errorf("stats(%v) = %v, want %v", c.runs, got, c.want)
		}
	}
}
