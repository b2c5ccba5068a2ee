package assembly_test

import (
	"context"
	"errors"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/layersrank/qbank/assembly"
)

// TestAssemblerCache: one entry per request shape and revision, whatever
// the seed or spelling; a newer revision drops the older ones; the entry
// bound holds; answers equal the uncached engine's.
func TestAssemblerCache(t *testing.T) {
	b := smallBank()
	asm := assembly.NewAssembler(2, 64<<20)
	ctx := context.Background()
	for seed := range int64(5) {
		r := assembly.Request{Role: "backend-engineer", Seed: seed}
		if seed%2 == 1 {
			r.Role, r.Stacks = " Backend-Engineer", []string{}
		}
		got, err := asm.Assemble(ctx, b, r)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := assembly.Assemble(b, r)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("seed %d: cached answer differs from the engine's", seed)
		}
	}
	if n := asm.CacheLen(); n != 1 {
		t.Fatalf("%d entries for one shape", n)
	}
	for _, role := range []string{"devops-engineer", "data-engineer"} {
		if _, err := asm.Assemble(ctx, b, assembly.Request{Role: role}); err != nil {
			t.Fatal(err)
		}
	}
	if n := asm.CacheLen(); n != 2 {
		t.Fatalf("%d entries, bound 2", n)
	}
	b2 := b
	b2.Revision++
	if _, err := asm.AnalyzeExposure(ctx, b2, assembly.Request{Role: "backend-engineer"}); err != nil {
		t.Fatal(err)
	}
	if n := asm.CacheLen(); n != 1 {
		t.Fatalf("%d entries after a new revision, want 1", n)
	}
	// A reader still on the older revision is answered, not cached.
	if _, err := asm.Assemble(ctx, b, assembly.Request{Role: "backend-engineer"}); err != nil || asm.CacheLen() != 1 {
		t.Fatalf("older revision: %v, %d entries", err, asm.CacheLen())
	}
	// Errors that follow from the request are answers too.
	for range 2 {
		if _, err := asm.Assemble(ctx, b2, assembly.Request{Role: "backend-engineer", MinMinutes: 5, MaxMinutes: 6}); err == nil {
			t.Fatal("an infeasible request assembled")
		}
	}
}

// TestAssemblerCancel: a computation stops when its caller gives up, and
// what it leaves behind is nothing: the next caller computes afresh.
func TestAssemblerCancel(t *testing.T) {
	b := genBank(3000, 4)
	r := assembly.Request{Role: "backend-engineer", Stacks: []string{"go", "kafka", "kubernetes"}}
	asm := assembly.NewAssembler(8, 64<<20)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := asm.Assemble(ctx, b, r); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled call: %v", err)
	}
	ctx, cancel = context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := asm.AnalyzeExposure(ctx, b, r); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("call past its deadline: %v", err)
	}
	if n := asm.CacheLen(); n != 0 {
		t.Fatalf("%d entries left by cancelled computations", n)
	}
	// Concurrent first calls of one shape agree (and, under -race, share
	// the entry safely).
	small := smallBank()
	var wg sync.WaitGroup
	got := make([]assembly.Assessment, 8)
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a, err := asm.Assemble(context.Background(), small, assembly.Request{Role: "full-stack-developer", Seed: 9})
			if err != nil {
				t.Error(err)
			}
			got[i] = a
		}()
	}
	wg.Wait()
	for i := range got {
		if !reflect.DeepEqual(got[i], got[0]) {
			t.Fatal("concurrent calls of one shape and seed disagree")
		}
	}
}
