package bankgen

import (
	"context"
	"fmt"

	"github.com/layersrank/qbank"
	"github.com/layersrank/qbank/repository"
	"github.com/layersrank/qbank/seed"
)

// Fill applies the embedded seed to s and adds n generated questions
// (deterministic for rngSeed) in import transactions of at most 10,000, so
// that benchmarks and scale tests start from the real bank plus bulk.
func Fill(ctx context.Context, s repository.Store, n int, rngSeed uint64) error {
	bank, err := seed.Load()
	if err != nil {
		return fmt.Errorf("bankgen: load the seed: %w", err)
	}
	if _, err := seed.Apply(ctx, s, bank); err != nil {
		return fmt.Errorf("bankgen: apply the seed: %w", err)
	}
	gen := Questions(&bank.Taxonomy, n, rngSeed)
	for len(gen) > 0 {
		batch := gen[:min(len(gen), 10000)]
		ops := make([]repository.ImportOp, len(batch))
		for i, q := range batch {
			ops[i] = repository.ImportOp{Create: true, Question: q}
		}
		if _, err := s.ImportQuestions(ctx, ops, qbank.Change{Author: "bench"}); err != nil {
			return fmt.Errorf("bankgen: import %d generated questions: %w", len(batch), err)
		}
		gen = gen[len(batch):]
	}
	return nil
}
