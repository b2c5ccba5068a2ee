package seed

import (
	"context"
	"fmt"

	"github.com/layersrank/qbank"
	"github.com/layersrank/qbank/repository"
)

// Author is the name seeded versions are recorded under.
const Author = "seed"

// Result says what applying the seed wrote.
type Result struct {
	TaxonomyChanged bool
	AddedQuestions  []string
	AddedTemplates  []string
}

// Apply writes the seed to a store. It is idempotent and safe to run on every
// start, from several replicas at once: the taxonomy (code-owned data, not
// editable through the API) is replaced only when the files changed, and a
// question is inserted only if the store has never held its id, so neither a
// restart nor a newer seed ever duplicates a question or reverts an admin's
// edit. Templates are seeded the same way, and a default an admin deleted
// stays deleted.
func Apply(ctx context.Context, s repository.Store, b *Bank) (Result, error) {
	var r Result
	var err error
	if r.TaxonomyChanged, err = s.PutTaxonomy(ctx, b.Taxonomy); err != nil {
		return r, fmt.Errorf("seed taxonomy: %w", err)
	}
	if r.AddedQuestions, err = s.SeedQuestions(ctx, b.Questions, qbank.Change{Author: Author, Note: "LayersRank curated bank"}); err != nil {
		return r, fmt.Errorf("seed questions: %w", err)
	}
	if r.AddedTemplates, err = s.SeedTemplates(ctx, b.Templates, qbank.Change{Author: Author}); err != nil {
		return r, fmt.Errorf("seed templates: %w", err)
	}
	return r, nil
}
