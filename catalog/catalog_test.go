package catalog_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/layersrank/qbank"
	"github.com/layersrank/qbank/catalog"
	"github.com/layersrank/qbank/internal/bankgen"
	"github.com/layersrank/qbank/repository/sqlite"
	"github.com/layersrank/qbank/seed"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// seededStore is a real SQLite store in a temporary dir, holding the seed.
func seededStore(tb testing.TB) (*sqlite.Store, *seed.Bank) {
	tb.Helper()
	ctx := context.Background()
	store, err := sqlite.Open(ctx, tb.TempDir())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { store.Close() })
	bank, err := seed.Load()
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := seed.Apply(ctx, store, bank); err != nil {
		tb.Fatal(err)
	}
	return store, bank
}

// naive is the obviously-correct filter the indexes must agree with.
func naive(qs []qbank.Question, f catalog.Filter) []string {
	var out []string
	for _, q := range qs {
		if q.State != f.State ||
			(f.Role != "" && !slices.Contains(q.Roles, f.Role)) ||
			(f.Dimension != "" && q.Dimension != f.Dimension) ||
			(f.Competency != "" && q.Competency != f.Competency) ||
			(f.ResponseFormat != "" && q.ResponseFormat != f.ResponseFormat) ||
			(f.Seniority != "" && len(q.Seniorities) > 0 && !slices.Contains(q.Seniorities, f.Seniority)) ||
			(f.Stack != "" && len(q.Stacks) > 0 && !slices.Contains(q.Stacks, f.Stack)) {
			continue
		}
		text := strings.Join(append([]string{q.ID, q.Text, q.WhatItReveals, q.Competency}, q.FollowUps...), " ")
		for _, v := range q.StackVariants {
			text += " " + v.Text
		}
		words := strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) })
		ok := true
		for _, qw := range strings.FieldsFunc(strings.ToLower(f.Query), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) }) {
			ok = ok && slices.ContainsFunc(words, func(w string) bool { return strings.HasPrefix(w, qw) })
		}
		if ok {
			out = append(out, q.ID)
		}
	}
	slices.Sort(out)
	return out
}

func listAll(t *testing.T, s *catalog.Snapshot, f catalog.Filter, pageSize int) []string {
	t.Helper()
	var ids []string
	token := ""
	for {
		p, err := s.List(f, pageSize, token)
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range p.Questions {
			ids = append(ids, q.ID)
		}
		if len(ids) > p.TotalSize {
			t.Fatalf("paged past totalSize %d", p.TotalSize)
		}
		if token = p.NextPageToken; token == "" {
			if len(ids) != p.TotalSize {
				t.Fatalf("visited %d, totalSize %d", len(ids), p.TotalSize)
			}
			return ids
		}
	}
}

// TestIncrementalSnapshotsMatchAFullLoad writes random changes to a real
// store and checks, after each batch, that the incrementally maintained
// snapshot answers every filter exactly like a fresh full load and like a
// naive scan.
func TestIncrementalSnapshotsMatchAFullLoad(t *testing.T) {
	ctx := context.Background()
	store, bank := seededStore(t)
	cat, err := catalog.New(ctx, store, quiet)
	if err != nil {
		t.Fatal(err)
	}
	tax := &bank.Taxonomy
	gen := bankgen.Questions(tax, 300, 7)
	rng := rand.New(rand.NewPCG(1, 2))
	created := 0
	for batch := range 12 {
		for range 15 {
			switch qs, _ := store.Load(ctx); rng.IntN(3) {
			case 0: // create
				if _, err := store.CreateQuestion(ctx, gen[created], qbank.Change{Author: "t"}); err != nil {
					t.Fatal(err)
				}
				created++
			case 1: // edit content that changes index keys
				q := qs.Questions[rng.IntN(len(qs.Questions))]
				c := q.Content.Clone()
				c.Text = fmt.Sprintf("Batch %d rewrite about latency budgets and %s", batch, strings.ToLower(q.Competency))
				c.Roles = []string{tax.Roles[rng.IntN(len(tax.Roles))].ID}
				comp := tax.Competencies[rng.IntN(len(tax.Competencies))]
				c.Dimension, c.Competency = comp.Dimension, comp.ID
				c.Stacks = nil
				if rng.IntN(4) == 0 {
					c.Stacks = []string{"go"}
				}
				if _, err := store.UpdateQuestion(ctx, q.ID, q.Etag, c, q.State, qbank.Change{Author: "t"}); err != nil {
					t.Fatal(err)
				}
			case 2: // flip state
				q := qs.Questions[rng.IntN(len(qs.Questions))]
				next := qbank.StateRetired
				if q.State == qbank.StateRetired {
					next = qbank.StateActive
				}
				if _, err := store.UpdateQuestion(ctx, q.ID, q.Etag, q.Content, next, qbank.Change{Author: "t"}); err != nil {
					t.Fatal(err)
				}
			}
		}
		if err := cat.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
		fresh, err := catalog.New(ctx, store, quiet)
		if err != nil {
			t.Fatal(err)
		}
		contents, _ := store.Load(ctx)
		inc, full := cat.Snapshot(), fresh.Snapshot()
		if inc.Revision != full.Revision || inc.Len() != full.Len() {
			t.Fatalf("batch %d: incremental at rev %d with %d questions, full at %d with %d", batch, inc.Revision, inc.Len(), full.Revision, full.Len())
		}
		filters := []catalog.Filter{
			{State: qbank.StateActive},
			{State: qbank.StateRetired},
			{State: qbank.StateActive, Role: "backend-engineer", Dimension: "technical"},
			{State: qbank.StateActive, Stack: "go"},
			{State: qbank.StateActive, Seniority: "junior", ResponseFormat: qbank.FormatWritten},
			{State: qbank.StateActive, Query: "latency"},
			{State: qbank.StateActive, Query: "lat budg"},
			{State: qbank.StateActive, Competency: "ownership", Query: "on-call"},
			{State: qbank.StateActive, Query: "zzznotaword"},
		}
		for _, f := range filters {
			want := naive(contents.Questions, f)
			if got := listAll(t, inc, f, 7); !slices.Equal(got, want) {
				t.Fatalf("batch %d, %+v: incremental %d ids, naive %d\n%v\n%v", batch, f, len(got), len(want), got, want)
			}
			if got := listAll(t, full, f, 100); !slices.Equal(got, want) {
				t.Fatalf("batch %d, %+v: full load disagrees with naive", batch, f)
			}
		}
	}
}

// TestPageTokensSurviveWrites: a token from an old snapshot keeps paging on
// a new one, visiting each survivor once.
func TestPageTokensSurviveWrites(t *testing.T) {
	ctx := context.Background()
	store, bank := seededStore(t)
	cat, _ := catalog.New(ctx, store, quiet)
	f := catalog.Filter{State: qbank.StateActive}
	first, err := cat.Snapshot().List(f, 10, "")
	if err != nil {
		t.Fatal(err)
	}
	q := bankgen.Questions(&bank.Taxonomy, 1, 3)[0]
	q.ID = "aaa-sorts-first"
	if _, err := store.CreateQuestion(ctx, q, qbank.Change{Author: "t"}); err != nil {
		t.Fatal(err)
	}
	if err := cat.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	second, err := cat.Snapshot().List(f, 10, first.NextPageToken)
	if err != nil {
		t.Fatalf("a token from the previous snapshot: %v", err)
	}
	if second.Questions[0].ID <= first.Questions[9].ID || second.TotalSize != first.TotalSize+1 {
		t.Errorf("second page starts at %s after %s; total %d → %d", second.Questions[0].ID, first.Questions[9].ID, first.TotalSize, second.TotalSize)
	}
}
