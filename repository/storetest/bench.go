package storetest

import (
	"context"
	"fmt"
	"testing"

	"github.com/layersrank/qbank"
	"github.com/layersrank/qbank/repository"
)

// benchQuestions is the bank size the read benchmarks run on: large enough
// that Load measures scanning and decoding rather than a round trip.
const benchQuestions = 2000

// RunBenchmarks measures the store's read paths on a bank of benchQuestions
// questions, each with three versions, and a few templates. Every engine runs
// the same benchmarks, so their figures compare like for like.
func RunBenchmarks(b *testing.B, open Opener) {
	s := open(b)
	b.Cleanup(func() { s.Close() })
	bg := context.Background()
	qs := make([]qbank.Question, benchQuestions)
	for i := range qs {
		qs[i] = Sample(fmt.Sprintf("bench-%05d", i))
	}
	if _, err := s.SeedQuestions(bg, qs, change("seed", "")); err != nil {
		b.Fatal(err)
	}
	var ops []repository.ImportOp
	for round := range 2 {
		ops = ops[:0]
		for i := range qs {
			q, err := s.Question(bg, qbank.Ref{ID: qs[i].ID})
			if err != nil {
				b.Fatal(err)
			}
			c := q.Content.Clone()
			c.Minutes = 6 + round
			ops = append(ops, repository.ImportOp{Question: qbank.Question{ID: q.ID, Content: c, State: q.State}, Etag: q.Etag})
		}
		if _, err := s.ImportQuestions(bg, ops, change("bench", "")); err != nil {
			b.Fatal(err)
		}
	}
	for i := range 5 {
		if _, err := s.CreateTemplate(bg, SampleTemplate(fmt.Sprintf("bench-template-%d", i), ""), change("bench", "")); err != nil {
			b.Fatal(err)
		}
	}
	rev, err := s.Revision(bg)
	if err != nil {
		b.Fatal(err)
	}
	id := func(i int) string { return qs[i%len(qs)].ID }

	b.Run("Load", func(b *testing.B) {
		for b.Loop() {
			c, err := s.Load(bg)
			if err != nil || len(c.Questions) != benchQuestions {
				b.Fatalf("Load: %d questions, %v", len(c.Questions), err)
			}
		}
	})
	b.Run("QuestionHead", func(b *testing.B) {
		i := 0
		for b.Loop() {
			if _, err := s.Question(bg, qbank.Ref{ID: id(i)}); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
	b.Run("QuestionPinnedOld", func(b *testing.B) {
		i := 0
		for b.Loop() {
			if q, err := s.Question(bg, qbank.Ref{ID: id(i), Version: 1}); err != nil || q.Version != 1 {
				b.Fatal(q.Version, err)
			}
			i++
		}
	})
	b.Run("QuestionVersions", func(b *testing.B) {
		i := 0
		for b.Loop() {
			if vs, err := s.QuestionVersions(bg, id(i)); err != nil || len(vs) != 3 {
				b.Fatal(len(vs), err)
			}
			i++
		}
	})
	b.Run("ChangesNone", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.Changes(bg, rev); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Template", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.Template(bg, "bench-template-3"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("EachQuestion", func(b *testing.B) {
		for b.Loop() {
			n := 0
			if err := s.EachQuestion(bg, func(qbank.Question) error { n++; return nil }); err != nil || n != benchQuestions {
				b.Fatal(n, err)
			}
		}
	})
}
