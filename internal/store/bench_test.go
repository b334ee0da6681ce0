package store

import (
	"fmt"
	"math/rand/v2"
	"sync/atomic"
	"testing"
)

// benchModes opens a fresh store of each mode for a benchmark.
var benchModes = []struct {
	name string
	open func(b *testing.B) Store
}{
	{"durable", func(b *testing.B) Store {
		s, err := Open(b.TempDir())
		if err != nil {
			b.Fatal(err)
		}
		return s
	}},
	{"memory", func(b *testing.B) Store {
		s, err := OpenMemory()
		if err != nil {
			b.Fatal(err)
		}
		return s
	}},
}

var benchValue = make([]byte, 256)

// BenchmarkUpdate measures one small Put per Update. The parallel variant
// runs 16 goroutines per CPU, which is what group commit is for.
func BenchmarkUpdate(b *testing.B) {
	for _, m := range benchModes {
		b.Run(m.name+"/serial", func(b *testing.B) {
			s := m.open(b)
			defer s.Close()
			for i := 0; b.Loop(); i++ {
				benchPut(b, s, uint64(i))
			}
			reportUpdates(b, s)
		})
		b.Run(m.name+"/parallel", func(b *testing.B) {
			s := m.open(b)
			defer s.Close()
			var n atomic.Uint64
			b.SetParallelism(16)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					benchPut(b, s, n.Add(1))
				}
			})
			reportUpdates(b, s)
		})
	}
}

func benchPut(b *testing.B, s Store, i uint64) {
	key := fmt.Appendf(nil, "key-%012d", i)
	if err := s.Update(func(tx Tx) error { return tx.Put(key, benchValue) }); err != nil {
		b.Fatal(err)
	}
}

func reportUpdates(b *testing.B, s Store) {
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
	b.ReportMetric(float64(b.N)/float64(s.(*boltStore).w.batches.Load()), "ops/commit")
}

// BenchmarkGet measures one Get per View over 10,000 keys.
func BenchmarkGet(b *testing.B) {
	const keys = 10_000
	for _, m := range benchModes {
		s := m.open(b)
		defer s.Close()
		s.Update(func(tx Tx) error {
			for i := range keys {
				tx.Put(fmt.Appendf(nil, "key-%012d", i), benchValue)
			}
			return nil
		})
		b.Run(m.name+"/serial", func(b *testing.B) {
			r := rand.New(rand.NewPCG(1, 2))
			for b.Loop() {
				benchGet(b, s, r.IntN(keys))
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
		})
		b.Run(m.name+"/parallel", func(b *testing.B) {
			b.RunParallel(func(pb *testing.PB) {
				r := rand.New(rand.NewPCG(rand.Uint64(), 2))
				for pb.Next() {
					benchGet(b, s, r.IntN(keys))
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
		})
	}
}

func benchGet(b *testing.B, s Store, i int) {
	key := fmt.Appendf(nil, "key-%012d", i)
	err := s.View(func(tx Tx) error {
		if _, ok := tx.Get(key); !ok {
			return fmt.Errorf("missing %s", key)
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}
