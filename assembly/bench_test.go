package assembly_test

import (
	"context"
	"testing"

	"github.com/layersrank/qbank/assembly"
)

// BenchmarkAssembleSmall: the realistic 51-question bank, default window, a
// different seed each call, no cache: every call computes the distribution.
func BenchmarkAssembleSmall(b *testing.B) {
	bank := smallBank()
	r := assembly.Request{Role: "backend-engineer", Stacks: []string{"golang"}}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		r.Seed = int64(i)
		if _, err := assembly.Assemble(bank, r); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAssembleCached: the same shape with a new seed each call through
// an Assembler, as the server runs it; at 50 and 50,000 questions the cost
// of a call should be about the same (issue #14: within 2×).
func BenchmarkAssembleCached(b *testing.B) {
	for _, c := range []struct {
		name string
		bank assembly.Bank
	}{{"51", smallBank()}, {"5000", genBank(5000, 1)}, {"50000", genBank(50000, 1)}} {
		b.Run(c.name, func(b *testing.B) {
			asm := assembly.NewAssembler(16, 64<<20)
			r := assembly.Request{Role: "backend-engineer"}
			if _, err := asm.Assemble(context.Background(), c.bank, r); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				r.Seed = int64(i)
				if _, err := asm.Assemble(context.Background(), c.bank, r); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkFirstCall5000: a generated 5,000-question bank, two stacks, no
// cache: the cost of the first call of a new shape.
func BenchmarkFirstCall5000(b *testing.B) {
	bank := genBank(5000, 1)
	r := assembly.Request{Role: "backend-engineer", Stacks: []string{"go", "kafka"}}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		r.Seed = int64(i)
		if _, err := assembly.Assemble(bank, r); err != nil {
			b.Fatal(err)
		}
	}
}
