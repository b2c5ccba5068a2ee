package seed

import (
	"fmt"
	"slices"
	"strings"

	"github.com/layersrank/qbank"
)

// CoverageMatrix renders, as a Markdown document, how many active questions
// the bank holds for each competency every role must cover: one row per role
// and competency (in taxonomy order) with the total and its split by response
// format, plus how many of them are language-agnostic (usable in a default,
// stack-free assessment). A question counts for every role it lists.
//
// seed/COVERAGE.md is this function's output for the shipped bank; regenerate
// it with `go test ./seed -run TestCoverageMatrix -update`.
func CoverageMatrix(b *Bank) string {
	var sb strings.Builder
	active := 0
	perDim := map[string]int{}
	for _, q := range b.Questions {
		if q.State == qbank.StateActive {
			active++
			perDim[q.Dimension]++
		}
	}
	sb.WriteString("# Question bank coverage\n\n")
	sb.WriteString("<!-- Generated from seed/data by `go test ./seed -run TestCoverageMatrix -update`. Do not edit by hand. -->\n\n")
	var dims []string
	for _, d := range b.Taxonomy.Dimensions {
		dims = append(dims, fmt.Sprintf("%d %s", perDim[d.ID], strings.ToLower(d.Title)))
	}
	fmt.Fprintf(&sb, "%d active questions: %s.\n\n", active, strings.Join(dims, ", "))
	sb.WriteString("Active questions per role and the competencies its assessment must cover. A question counts for every role it lists; ")
	sb.WriteString("*Language-agnostic* counts those usable without naming a stack.\n\n")
	sb.WriteString("| Role | Dimension | Competency | Total | Video | Written | Language-agnostic |\n")
	sb.WriteString("|---|---|---|---:|---:|---:|---:|\n")
	for _, r := range b.Taxonomy.Roles {
		for _, cid := range r.Competencies {
			c, _ := b.Taxonomy.Competency(cid)
			dim, _ := b.Taxonomy.Dimension(c.Dimension)
			var total, video, written, agnostic int
			for _, q := range b.Questions {
				if q.State != qbank.StateActive || q.Competency != cid || !slices.Contains(q.Roles, r.ID) {
					continue
				}
				total++
				switch q.ResponseFormat {
				case qbank.FormatVideo:
					video++
				case qbank.FormatWritten:
					written++
				}
				if len(q.Stacks) == 0 {
					agnostic++
				}
			}
			fmt.Fprintf(&sb, "| %s | %s | %s | %d | %d | %d | %d |\n",
				orID(r.Title, r.ID), orID(dim.Title, c.Dimension), orID(c.Title, cid), total, video, written, agnostic)
		}
	}
	return sb.String()
}

func orID(title, id string) string {
	if title == "" {
		return id
	}
	return title
}
