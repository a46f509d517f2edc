package vault

import (
	"errors"
	"sync"
	"testing"
)

// TestForgetWhileInUse: a profile closing forgets its data key while a background read or
// write may still be sealing, opening or wrapping with it. Run with -race: every use either
// finishes with the whole key or fails with ErrForgotten; none sees half a key.
func TestForgetWhileInUse(t *testing.T) {
	k, err := NewDataKey()
	if err != nil {
		t.Fatal(err)
	}
	blob, err := k.Seal([]byte("aad"), []byte("headache"))
	if err != nil {
		t.Fatal(err)
	}
	kek := make([]byte, KeySize)
	uses := map[string]func() error{
		"seal": func() error { _, err := k.Seal([]byte("aad"), []byte("headache")); return err },
		"open": func() error {
			pt, err := k.Open([]byte("aad"), blob)
			if err == nil && string(pt) != "headache" {
				return errors.New("opened to the wrong text")
			}
			return err
		},
		"wrap": func() error {
			e, err := k.WrapWithKey(kek, "p1")
			if err != nil {
				return err
			}
			// A wrapped key must be the whole key, never one half cleared by Forget.
			got, err := Unwrap(e, kek, "p1")
			if err != nil {
				return err
			}
			if pt, err := got.Open([]byte("aad"), blob); err != nil || string(pt) != "headache" {
				return errors.New("wrapped a torn key")
			}
			return nil
		},
	}
	var wg sync.WaitGroup
	start := make(chan struct{})
	errs := make(chan error, 3*200)
	for name, use := range uses {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			for range 200 {
				if err := use(); err != nil {
					if !errors.Is(err, ErrForgotten) {
						errs <- errors.New(name + ": " + err.Error())
					}
					return
				}
			}
		}()
	}
	close(start)
	k.Forget()
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	// After Forget, every use says so plainly.
	for name, use := range uses {
		if err := use(); !errors.Is(err, ErrForgotten) {
			t.Errorf("%s after Forget: %v, want ErrForgotten", name, err)
		}
	}
}
