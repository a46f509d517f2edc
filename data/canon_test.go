package data

import (
	"strconv"
	"testing"
)

// canonicalInt reads exactly what SQLite prints for an integer, and nothing else.
func TestCanonicalInt(t *testing.T) {
	for _, v := range []int64{0, 1, -1, 42, 1764000000000, -1 << 63, 1<<63 - 1} {
		if got, ok := canonicalInt(strconv.FormatInt(v, 10)); !ok || got != v {
			t.Errorf("%d: %d, %v", v, got, ok)
		}
	}
	for _, s := range []string{"", "-", "00", "01", "-0", "+1", " 1", "1 ", "1.5", "1e3", "abc", "9223372036854775808", "-9223372036854775809", "99999999999999999999"} {
		if v, ok := canonicalInt(s); ok {
			t.Errorf("%q read as %d", s, v)
		}
	}
}
