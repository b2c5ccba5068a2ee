package seed_test

import (
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/layersrank/qbank"
	"github.com/layersrank/qbank/seed"
)

var update = flag.Bool("update", false, "rewrite seed/COVERAGE.md from the seed data")

const coverageFile = "COVERAGE.md"

// TestCoverageMatrix keeps COVERAGE.md in step with the seed data.
func TestCoverageMatrix(t *testing.T) {
	got := seed.CoverageMatrix(mustLoad(t))
	if *update {
		if err := os.WriteFile(coverageFile, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(coverageFile)
	if err != nil {
		t.Fatalf("reading seed/%s: %v; generate it with: go test ./seed -run TestCoverageMatrix -update", coverageFile, err)
	}
	if string(want) != got {
		t.Fatalf("seed/%s is out of date with seed/data; regenerate it with: go test ./seed -run TestCoverageMatrix -update", coverageFile)
	}
}

func TestCoverageMatrixCounts(t *testing.T) {
	b := &seed.Bank{
		Taxonomy: qbank.Taxonomy{
			Dimensions:   []qbank.Dimension{{ID: "technical", Title: "Technical", Weight: 100}},
			Competencies: []qbank.Competency{{ID: "system-design", Dimension: "technical", Title: "System Design"}, {ID: "code-quality", Dimension: "technical", Title: "Code Quality"}},
			Roles:        []qbank.Role{{ID: "backend-engineer", Title: "Backend Engineer", Competencies: []string{"system-design", "code-quality"}}},
		},
		Questions: []qbank.Question{
			{ID: "q-video", State: qbank.StateActive, Content: qbank.Content{Roles: []string{"backend-engineer"}, Dimension: "technical", Competency: "system-design", ResponseFormat: qbank.FormatVideo}},
			{ID: "q-written-go", State: qbank.StateActive, Content: qbank.Content{Roles: []string{"backend-engineer"}, Dimension: "technical", Competency: "system-design", ResponseFormat: qbank.FormatWritten, Stacks: []string{"go"}}},
			{ID: "q-draft", State: qbank.StateDraft, Content: qbank.Content{Roles: []string{"backend-engineer"}, Dimension: "technical", Competency: "system-design", ResponseFormat: qbank.FormatVideo}},
			{ID: "q-other-role", State: qbank.StateActive, Content: qbank.Content{Roles: []string{"data-engineer"}, Dimension: "technical", Competency: "code-quality", ResponseFormat: qbank.FormatVideo}},
		},
	}
	got := seed.CoverageMatrix(b)
	for _, row := range []string{
		"| Backend Engineer | Technical | System Design | 2 | 1 | 1 | 1 |",
		"| Backend Engineer | Technical | Code Quality | 0 | 0 | 0 | 0 |",
		"3 active questions: 3 technical.",
	} {
		if !strings.Contains(got, row) {
			t.Errorf("matrix lacks %q:\n%s", row, got)
		}
	}
}
