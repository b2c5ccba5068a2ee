package seed_test

import (
	"testing"

	"github.com/layersrank/qbank/seed"
)

func TestLoadEmbedded(t *testing.T) {
	b, err := seed.Load()
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Questions) == 0 || len(b.Taxonomy.Roles) != 4 {
		t.Fatalf("loaded %d questions and %d roles", len(b.Questions), len(b.Taxonomy.Roles))
	}
}
