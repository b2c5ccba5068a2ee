package seed

import (
	"fmt"
	"slices"
	"strings"

	"github.com/layersrank/qbank"
)

// CoverageMatrix renders, as a Markdown document, what the bank offers each
// role: one row per role and competency (in taxonomy order) with the active
// questions' total, their split by response format and by the levels they
// are asked at, how many are language-agnostic (usable in a default,
// stack-free assessment) and how many belong to each stack; then a summary
// per role and a table of stacks. A question counts for every role it lists.
//
// seed/COVERAGE.md is this function's output for the shipped bank; regenerate
// it with `go test ./seed -run TestCoverageMatrix -update`.
func CoverageMatrix(b *Bank) string {
	var sb strings.Builder
	var act []qbank.Question
	perDim := map[string]int{}
	for _, q := range b.Questions {
		if q.State == qbank.StateActive {
			act = append(act, q)
			perDim[q.Dimension]++
		}
	}
	askedAt := func(q qbank.Question, s string) bool {
		return len(q.Seniorities) == 0 || slices.Contains(q.Seniorities, s)
	}
	seniorOnly := func(q qbank.Question) bool { return slices.Equal(q.Seniorities, []string{"senior"}) }

	sb.WriteString("# Question bank coverage\n\n")
	sb.WriteString("<!-- Generated from seed/data by `go test ./seed -run TestCoverageMatrix -update`. Do not edit by hand. -->\n\n")
	var dims []string
	for _, d := range b.Taxonomy.Dimensions {
		dims = append(dims, fmt.Sprintf("%d %s", perDim[d.ID], strings.ToLower(d.Title)))
	}
	fmt.Fprintf(&sb, "%d active questions: %s.", len(act), strings.Join(dims, ", "))
	for _, c := range b.Taxonomy.Collections {
		n := 0
		for _, q := range act {
			if slices.Contains(q.Collections, c.ID) {
				n++
			}
		}
		fmt.Fprintf(&sb, " Collection %s: %d.", c.ID, n)
	}
	sb.WriteString("\n\n")

	sb.WriteString("## By role and competency\n\n")
	sb.WriteString("Active questions for each competency a role's assessment must cover. ")
	sb.WriteString("*Junior*, *Mid* and *Senior* count the questions asked at that level (a question that names no level is asked at all three); ")
	sb.WriteString("*Senior-only* those asked of seniors alone; *Language-agnostic* those usable without naming a stack; ")
	sb.WriteString("*Stack-specific* those shown only when a customer asks for that stack.\n\n")
	sb.WriteString("| Role | Dimension | Competency | Total | Video | Written | Junior | Mid | Senior | Senior-only | Language-agnostic | Stack-specific |\n")
	sb.WriteString("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n")
	for _, r := range b.Taxonomy.Roles {
		for _, cid := range r.Competencies {
			c, _ := b.Taxonomy.Competency(cid)
			dim, _ := b.Taxonomy.Dimension(c.Dimension)
			var total, video, written, junior, mid, senior, only, agnostic int
			perStack := map[string]int{}
			for _, q := range act {
				if q.Competency != cid || !slices.Contains(q.Roles, r.ID) {
					continue
				}
				total++
				switch q.ResponseFormat {
				case qbank.FormatVideo:
					video++
				case qbank.FormatWritten:
					written++
				}
				junior += b2i(askedAt(q, "junior"))
				mid += b2i(askedAt(q, "mid"))
				senior += b2i(askedAt(q, "senior"))
				only += b2i(seniorOnly(q))
				if len(q.Stacks) == 0 {
					agnostic++
				}
				for _, s := range q.Stacks {
					perStack[s]++
				}
			}
			var stacks []string
			for _, s := range b.Taxonomy.StackIDs() {
				if perStack[s] > 0 {
					stacks = append(stacks, fmt.Sprintf("%s %d", s, perStack[s]))
				}
			}
			if len(stacks) == 0 {
				stacks = []string{"—"}
			}
			fmt.Fprintf(&sb, "| %s | %s | %s | %d | %d | %d | %d | %d | %d | %d | %d | %s |\n",
				orID(r.Title, r.ID), orID(dim.Title, c.Dimension), orID(c.Title, cid), total, video, written,
				junior, mid, senior, only, agnostic, strings.Join(stacks, ", "))
		}
	}

	sb.WriteString("\n## By role\n\n")
	sb.WriteString("*Aimed at juniors* counts the questions whose levels name junior (worded so that a project, course, internship or hypothetical counts as an answer); ")
	sb.WriteString("*In layersrank-50* those in the published bank.\n\n")
	sb.WriteString("| Role | Active | Aimed at juniors | Senior-only | Stack-specific | In layersrank-50 |\n")
	sb.WriteString("|---|---:|---:|---:|---:|---:|\n")
	for _, r := range b.Taxonomy.Roles {
		var total, junior, only, specific, published int
		for _, q := range act {
			if !slices.Contains(q.Roles, r.ID) {
				continue
			}
			total++
			junior += b2i(slices.Contains(q.Seniorities, "junior"))
			only += b2i(seniorOnly(q))
			specific += b2i(len(q.Stacks) > 0)
			published += b2i(slices.Contains(q.Collections, "layersrank-50"))
		}
		fmt.Fprintf(&sb, "| %s | %d | %d | %d | %d | %d |\n", orID(r.Title, r.ID), total, junior, only, specific, published)
	}

	sb.WriteString("\n## By stack\n\n")
	sb.WriteString("Stack-specific active questions per role, and the active questions with a variant for the stack ")
	sb.WriteString("(their wording when a customer asks for it).\n\n")
	sb.WriteString("| Stack |")
	for _, r := range b.Taxonomy.Roles {
		fmt.Fprintf(&sb, " %s |", orID(r.Title, r.ID))
	}
	sb.WriteString(" With a variant |\n|---|")
	for range b.Taxonomy.Roles {
		sb.WriteString("---:|")
	}
	sb.WriteString("---:|\n")
	for _, s := range b.Taxonomy.Stacks {
		fmt.Fprintf(&sb, "| %s |", orID(s.Title, s.ID))
		for _, r := range b.Taxonomy.Roles {
			n := 0
			for _, q := range act {
				n += b2i(slices.Contains(q.Roles, r.ID) && slices.Contains(q.Stacks, s.ID))
			}
			fmt.Fprintf(&sb, " %d |", n)
		}
		variants := 0
		for _, q := range act {
			_, ok := q.StackVariants[s.ID]
			variants += b2i(ok)
		}
		fmt.Fprintf(&sb, " %d |\n", variants)
	}
	return sb.String()
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func orID(title, id string) string {
	if title == "" {
		return id
	}
	return title
}
