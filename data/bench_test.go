package data

import (
	"context"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/patient-companion/companion/data/vault"
)

// The benchmarks share one 100,000-entry profile (DESIGN §9), built once per test binary.
// Its key is wrapped by the real OS keyring when one answers (as under `make bench`), else
// by an in-memory stand-in, and by a passphrase at the default Argon2id cost.
var bench struct {
	once    sync.Once
	p       *Profiles
	info    ProfileInfo
	keyring string
	err     error
	cleanup func()
}

const benchEntries = 100_000

func benchProfile(b *testing.B) (*Profiles, ProfileInfo) {
	b.Helper()
	bench.once.Do(func() {
		dir, err := os.MkdirTemp("", "companion-bench-")
		if err != nil {
			bench.err = err
			return
		}
		ctx := context.Background()
		var kr vault.Keyring = vault.OSKeyring{}
		bench.keyring = "OS keyring"
		if err := kr.Set(ctx, "bench-probe", make([]byte, vault.KeySize)); err != nil {
			kr, bench.keyring = &memKeyring{}, "in-memory keyring (no OS keyring answered)"
		} else {
			kr.Delete(ctx, "bench-probe")
		}
		p := &Profiles{Dir: dir, Keyring: kr}
		s, _, err := p.Create(ctx, CreateOptions{Name: "Bench", Passphrase: []byte("bench passphrase")})
		if err != nil {
			bench.err = err
			return
		}
		bench.info = s.Info()
		if err := s.AddDemoEntries(ctx, benchEntries, nil); err != nil {
			bench.err = err
		}
		s.Close()
		bench.p = p
		bench.cleanup = func() {
			p.Delete(context.Background(), bench.info)
			os.RemoveAll(dir)
		}
	})
	if bench.err != nil {
		b.Fatal(bench.err)
	}
	b.Logf("profile of %d entries; %s", benchEntries, bench.keyring)
	return bench.p, bench.info
}

func openBench(b *testing.B, cred Credentials) *Store {
	b.Helper()
	p, info := benchProfile(b)
	s, err := p.Open(context.Background(), info, cred)
	if err != nil {
		b.Fatal(err)
	}
	return s
}

func BenchmarkOpenKeyringUnlock(b *testing.B) {
	p, info := benchProfile(b)
	ctx := context.Background()
	for b.Loop() {
		s, err := p.Open(ctx, info, Credentials{})
		if err != nil {
			b.Fatal(err)
		}
		s.Close()
	}
}

func BenchmarkOpenPassphraseUnlock(b *testing.B) {
	p, info := benchProfile(b)
	ctx := context.Background()
	for b.Loop() {
		s, err := p.Open(ctx, info, Credentials{Passphrase: []byte("bench passphrase")})
		if err != nil {
			b.Fatal(err)
		}
		s.Close()
	}
}

func BenchmarkAddEntryDurable(b *testing.B) {
	s := openBench(b, Credentials{})
	defer s.Close()
	ctx := context.Background()
	for b.Loop() {
		if _, err := s.AddSymptom(ctx, Symptom{Name: "Benchmark", Severity: 3, Note: "a short note"}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkListMonth(b *testing.B) {
	s := openBench(b, Credentials{})
	defer s.Close()
	ctx := context.Background()
	until := time.Now()
	since := until.AddDate(0, -1, 0)
	n := 0
	for b.Loop() {
		all, err := s.ListEntries(ctx, since, until)
		if err != nil {
			b.Fatal(err)
		}
		n = len(all)
	}
	b.ReportMetric(float64(n), "entries")
}

// BenchmarkSearch measures a search once the index is warm (the window warms it in the
// background after unlock).
func BenchmarkSearch(b *testing.B) {
	s := openBench(b, Credentials{})
	defer s.Close()
	ctx := context.Background()
	if err := s.WarmSearch(ctx); err != nil {
		b.Fatal(err)
	}
	n := 0
	for b.Loop() {
		found, err := s.Search(ctx, "stairs")
		if err != nil {
			b.Fatal(err)
		}
		n = len(found)
	}
	if n == 0 {
		b.Fatal("search found nothing")
	}
	b.ReportMetric(float64(n), "hits")
}

// BenchmarkSearchCold is a search with no index, as the command line makes one: the journal
// streamed, every record decrypted and matched. cpu-ms/op is the process's CPU time per search,
// steadier than the wall clock on a busy machine.
func BenchmarkSearchCold(b *testing.B) {
	s := openBench(b, Credentials{})
	defer s.Close()
	ctx := context.Background()
	n := 0
	cpu := cpuClock()
	for b.Loop() {
		found, err := s.Search(ctx, "stairs")
		if err != nil {
			b.Fatal(err)
		}
		n = len(found)
	}
	b.ReportMetric(float64(cpuClock()-cpu)/float64(b.N)/1e6, "cpu-ms/op")
	b.ReportMetric(float64(n), "hits")
}

// BenchmarkWarmSearch builds the window's search index: every entry decrypted into memory.
func BenchmarkWarmSearch(b *testing.B) {
	s := openBench(b, Credentials{})
	defer s.Close()
	ctx := context.Background()
	cpu := cpuClock()
	for b.Loop() {
		s.mu.Lock()
		s.index = nil
		s.mu.Unlock()
		if err := s.WarmSearch(ctx); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(cpuClock()-cpu)/float64(b.N)/1e6, "cpu-ms/op")
}

// BenchmarkTimelineFirstPage is what the Journal reads when it opens: the newest 100 entries
// (and the doses among them), decrypted.
func BenchmarkTimelineFirstPage(b *testing.B) {
	s := openBench(b, Credentials{})
	defer s.Close()
	ctx := context.Background()
	for b.Loop() {
		p, err := s.ListEntriesPage(ctx, Cursor{}, 100, EntryFilter{})
		if err != nil || len(p.Entries) != 100 {
			b.Fatal(len(p.Entries), err)
		}
	}
}

// BenchmarkTimelineDeepPage is a page read after scrolling far back (page 500 of 1,000):
// keyset paging costs the same anywhere in the journal.
func BenchmarkTimelineDeepPage(b *testing.B) {
	s := openBench(b, Credentials{})
	defer s.Close()
	ctx := context.Background()
	all, err := s.ListEntries(ctx, time.Time{}, time.Time{})
	if err != nil {
		b.Fatal(err)
	}
	cur := CursorOf(all[len(all)/2])
	for b.Loop() {
		p, err := s.ListEntriesPage(ctx, cur, 100, EntryFilter{})
		if err != nil || len(p.Entries) != 100 {
			b.Fatal(len(p.Entries), err)
		}
	}
}

// BenchmarkTimelineSymptomPage is a page of one symptom (names are sealed, so this scans the
// search index), index warm.
func BenchmarkTimelineSymptomPage(b *testing.B) {
	s := openBench(b, Credentials{})
	defer s.Close()
	ctx := context.Background()
	if err := s.WarmSearch(ctx); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		p, err := s.ListEntriesPage(ctx, Cursor{}, 100, EntryFilter{Symptom: "Palpitations"})
		if err != nil || len(p.Entries) != 100 {
			b.Fatal(len(p.Entries), err)
		}
	}
}

// BenchmarkSeverityByDay is the Journal's 30-day chart of one symptom.
func BenchmarkSeverityByDay(b *testing.B) {
	s := openBench(b, Credentials{})
	defer s.Close()
	ctx := context.Background()
	now := time.Now()
	for b.Loop() {
		if _, err := s.SeverityByDay(ctx, "Headache", now, 30); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSeverityByDayWarm is the chart once the search index is built (choosing a symptom
// in the Journal builds it): read from memory.
func BenchmarkSeverityByDayWarm(b *testing.B) {
	s := openBench(b, Credentials{})
	defer s.Close()
	ctx := context.Background()
	if err := s.WarmSearch(ctx); err != nil {
		b.Fatal(err)
	}
	now := time.Now()
	for b.Loop() {
		if _, err := s.SeverityByDay(ctx, "Headache", now, 30); err != nil {
			b.Fatal(err)
		}
	}
}
