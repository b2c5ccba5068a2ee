package assembly_test

import (
	"testing"

	"github.com/layersrank/qbank/assembly"
)

// BenchmarkAssembleSmall: the realistic 51-question bank, default window,
// a different seed each call.
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

// BenchmarkAssemble5000: a generated 5,000-question bank, two stacks.
func BenchmarkAssemble5000(b *testing.B) {
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
