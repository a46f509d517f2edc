package vault

import (
	"errors"
	"regexp"
	"strings"
	"testing"
)

// The form String gives: nine groups of four base32 characters (the last of them two).
var recoveryKeyForm = regexp.MustCompile(`^[A-Z2-7]{4}(-[A-Z2-7]{4}){7}-[A-Z2-7]{4}$`)

// FuzzParseRecoveryKey: what a person types as a recovery key either is refused with
// ErrBadRecoveryKey (the typo message) or reads as a key whose printed form reads back as
// the same key. Case, spaces, dashes and the look-alikes 0/O, 1/I and 8/B do not matter.
func FuzzParseRecoveryKey(f *testing.F) {
	var rk RecoveryKey
	for i := range rk.bytes {
		rk.bytes[i] = byte(i * 37)
	}
	good := rk.String()
	f.Add(good)
	f.Add(strings.ToLower(good))
	f.Add(strings.ReplaceAll(good, "-", " "))
	f.Add(" " + strings.ReplaceAll(good, "-", "") + "\r\n")
	f.Add(good[:len(good)-1])
	f.Add(good + "A")
	f.Add(strings.Replace(good, "A", "B", 1))
	f.Add("")
	f.Add("0000-1111-8888")
	f.Fuzz(func(t *testing.T, s string) {
		rk, err := ParseRecoveryKey(s)
		if err != nil {
			if !errors.Is(err, ErrBadRecoveryKey) {
				t.Fatalf("error %v is not ErrBadRecoveryKey", err)
			}
			return
		}
		printed := rk.String()
		if !recoveryKeyForm.MatchString(printed) {
			t.Fatalf("printed form %q", printed)
		}
		again, err := ParseRecoveryKey(printed)
		if err != nil || again != rk {
			t.Fatalf("%q read as a key whose printed form %q reads back as %v, %v", s, printed, again.bytes, err)
		}
		// What was typed is the printed form, give or take case, separators and look-alikes —
		// except the last character's four padding bits, which base32 decoding ignores: a
		// typo there that keeps its one significant bit still reads as the right key (the
		// bytes, and so the checksum, are the same), which is harmless.
		typed := strings.NewReplacer("-", "", " ", "", "\t", "", "\n", "", "\r", "", "0", "O", "1", "I", "8", "B").Replace(strings.ToUpper(s))
		compact := strings.ReplaceAll(printed, "-", "")
		if typed != compact && (len(typed) != len(compact) || typed[:len(typed)-1] != compact[:len(compact)-1]) {
			t.Fatalf("%q read as the key printed %q", s, printed)
		}
		// The same characters, lower case and in other groups, are the same key.
		if k, err := ParseRecoveryKey(strings.ToLower(strings.ReplaceAll(printed, "-", " "))); err != nil || k != rk {
			t.Fatalf("lower case %q: %v", printed, err)
		}
	})
}
