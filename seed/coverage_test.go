package seed_test

// Coverage gates: every role competency has enough interchangeable questions,
// every default template assembles from the bank with room to vary, and
// COVERAGE.md shows the bank as it is.

import (
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/layersrank/qbank"
	"github.com/layersrank/qbank/assembly"
	"github.com/layersrank/qbank/seed"
)

func init() {
	register(map[string]rule{
		"coverage":          checkCoverage,
		"formats":           checkFormats,
		"default-templates": checkDefaultTemplates,
		"assemblable":       checkAssemblable,
		"exposure":          checkExposure,
	},
		brokenCase{"coverage", "competency with three questions", func(b *seed.Bank) {
			n := 0
			removeWhere(b, func(x qbank.Question) bool {
				if x.Competency == "collaboration" && slices.Contains(x.Roles, "data-engineer") && active(x) {
					n++
					return n > 3
				}
				return false
			})
		}},
		brokenCase{"coverage", "published questions do not count for assessments", func(b *seed.Bank) {
			for i := range b.Questions {
				if b.Questions[i].Competency == "data-modeling" {
					b.Questions[i].Collections = []string{"layersrank-50"}
				}
			}
		}},
		brokenCase{"coverage", "drafts do not count", func(b *seed.Bank) {
			for i := range b.Questions {
				if b.Questions[i].Competency == "data-quality" {
					b.Questions[i].State = qbank.StateDraft
				}
			}
		}},
		brokenCase{"coverage", "retired questions do not count", func(b *seed.Bank) {
			for i := range b.Questions {
				if b.Questions[i].Competency == "ci-cd" {
					b.Questions[i].State = qbank.StateRetired
					b.Questions[i].ChangeNote = "merged"
				}
			}
		}},
		brokenCase{"formats", "ownership all on video", func(b *seed.Bank) {
			for i := range b.Questions {
				if b.Questions[i].Competency == "ownership" {
					b.Questions[i].ResponseFormat = qbank.FormatVideo
					b.Questions[i].Minutes = min(b.Questions[i].Minutes, 6)
				}
			}
		}},
		brokenCase{"default-templates", "missing default", func(b *seed.Bank) {
			b.Templates = slices.DeleteFunc(b.Templates, func(x qbank.Template) bool { return x.ID == "devops-engineer-default" })
		}},
		brokenCase{"default-templates", "wrong window", func(b *seed.Bank) { tmpl(b, "data-engineer-default").MaxMinutes = 60 }},
		brokenCase{"default-templates", "weights do not sum to 100", func(b *seed.Bank) {
			tmpl(b, "data-engineer-default").DimensionWeights = map[string]int{"technical": 50, "behavioral": 30, "contextual": 30}
		}},
		brokenCase{"assemblable", "no written question for the role", func(b *seed.Bank) {
			for i := range b.Questions {
				if slices.Contains(b.Questions[i].Roles, "data-engineer") {
					b.Questions[i].ResponseFormat = qbank.FormatVideo
				}
			}
		}},
		brokenCase{"assemblable", "contextual answers too long to fit the weights", func(b *seed.Bank) {
			for i := range b.Questions {
				if b.Questions[i].Dimension == "contextual" {
					b.Questions[i].Minutes = 15
				}
			}
		}},
		brokenCase{"assemblable", "competency only reachable through a stack", func(b *seed.Bank) {
			removeWhere(b, func(x qbank.Question) bool {
				return x.Competency == "infrastructure-as-code" && len(x.Stacks) == 0
			})
		}},
		brokenCase{"assemblable", "junior assessment loses every question for a competency", func(b *seed.Bank) {
			for i := range b.Questions {
				if b.Questions[i].Competency == "api-architecture" {
					b.Questions[i].Seniorities = []string{"mid", "senior"}
				}
			}
		}},
		brokenCase{"exposure", "one language-agnostic question left for a competency", func(b *seed.Bank) {
			kept := false
			removeWhere(b, func(x qbank.Question) bool {
				if x.Competency != "observability" || len(x.Stacks) > 0 || !active(x) {
					return false
				}
				if !kept {
					kept = true
					return false
				}
				return true
			})
		}},
	)
}

// minPerCompetency: every competency a role lists has at least this many
// active questions for that role, so that assemblies can vary.
const minPerCompetency = 4

// checkCoverage: every (role, competency) pair has minPerCompetency active
// questions.
func checkCoverage(b *seed.Bank) []string {
	var p []string
	for _, r := range b.Taxonomy.Roles {
		for _, cid := range r.Competencies {
			n := 0
			for _, q := range b.Questions {
				if active(q) && q.Competency == cid && slices.Contains(q.Roles, r.ID) {
					n++
				}
			}
			if n < minPerCompetency {
				p = append(p, fmt.Sprintf("role %s, competency %s: %d active questions, want at least %d", r.ID, cid, n, minPerCompetency))
			}
			// Assessments never use the published bank, so the depth that
			// lets them vary is what lies outside it.
			if m := assessable(b, r.ID, cid); m < minPerCompetency {
				p = append(p, fmt.Sprintf("role %s, competency %s: %d active questions outside the published bank, want at least %d", r.ID, cid, m, minPerCompetency))
			}
		}
	}
	return p
}

// assessable counts the active questions of a role's competency that
// assessments may use: those in no published collection.
func assessable(b *seed.Bank, role, competency string) int {
	n := 0
	for _, q := range b.Questions {
		if active(q) && q.Competency == competency && slices.Contains(q.Roles, role) && b.Taxonomy.PublishedIn(&q.Content) == "" {
			n++
		}
	}
	return n
}

// checkFormats: every (role, competency) pair can be asked on video and in
// writing, so an assessment's one-of-each-format constraint never forces a
// particular question, and candidates who write better or speak better both
// get a fair share.
func checkFormats(b *seed.Bank) []string {
	var p []string
	for _, r := range b.Taxonomy.Roles {
		for _, cid := range r.Competencies {
			formats := map[qbank.ResponseFormat]int{}
			for _, q := range b.Questions {
				if active(q) && q.Competency == cid && slices.Contains(q.Roles, r.ID) {
					formats[q.ResponseFormat]++
				}
			}
			for _, f := range []qbank.ResponseFormat{qbank.FormatVideo, qbank.FormatWritten} {
				if formats[f] == 0 {
					p = append(p, fmt.Sprintf("role %s, competency %s: no active %s question", r.ID, cid, f))
				}
			}
		}
	}
	return p
}

// checkDefaultTemplates: exactly one LayersRank default per role, named
// <role>-default, with the product's 35–45 minute window.
func checkDefaultTemplates(b *seed.Bank) []string {
	var p []string
	defaults := map[string]int{}
	for _, t := range b.Templates {
		if t.MinMinutes <= 0 || t.MinMinutes > t.MaxMinutes {
			p = append(p, fmt.Sprintf("template %s: minutes window %d–%d is invalid", t.ID, t.MinMinutes, t.MaxMinutes))
		}
		if len(t.DimensionWeights) > 0 {
			sum := 0
			for _, w := range t.DimensionWeights {
				sum += w
			}
			if sum != 100 {
				p = append(p, fmt.Sprintf("template %s: dimensionWeights sum to %d, want 100", t.ID, sum))
			}
		}
		if t.Owner == "" {
			defaults[t.Role]++
			if t.ID != t.Role+"-default" {
				p = append(p, fmt.Sprintf("template %s: a default template for %s must be named %s-default", t.ID, t.Role, t.Role))
			}
			if t.MinMinutes != 35 || t.MaxMinutes != 45 {
				p = append(p, fmt.Sprintf("template %s: a default assessment takes 35–45 minutes, not %d–%d", t.ID, t.MinMinutes, t.MaxMinutes))
			}
		}
	}
	for _, r := range b.Taxonomy.Roles {
		if defaults[r.ID] != 1 {
			p = append(p, fmt.Sprintf("role %s has %d default templates, want exactly 1", r.ID, defaults[r.ID]))
		}
	}
	return p
}

// ---------------------------------------------------------------------------
// Assembly: the bank can satisfy every default template, with variety.

func eligible(b *seed.Bank, q qbank.Question, role, seniority string, stacks []string) bool {
	if !active(q) || !slices.Contains(q.Roles, role) || b.Taxonomy.PublishedIn(&q.Content) != "" {
		return false
	}
	if seniority != "" && len(q.Seniorities) > 0 && !slices.Contains(q.Seniorities, seniority) {
		return false
	}
	if len(q.Stacks) == 0 {
		return true
	}
	for _, s := range q.Stacks {
		if slices.Contains(stacks, s) {
			return true
		}
	}
	return false
}

func templateRequest(t qbank.Template, seniority string, seed int64) assembly.Request {
	return assembly.Request{
		Role: t.Role, Seniority: seniority, Stacks: t.Stacks, MinMinutes: t.MinMinutes, MaxMinutes: t.MaxMinutes,
		Weights: t.DimensionWeights, Required: t.RequiredQuestionIDs, Excluded: t.ExcludedQuestionIDs, Seed: seed,
	}
}

type assemblyRequest struct {
	label string
	req   assembly.Request
}

// assemblyRequests lists what the bank must be able to assemble: every
// template (a template without a seniority at each seniority too), and every
// role with each single stack that has stack-specific questions for it. They
// run through the real assembly engine, so "satisfiable" means what the
// service will actually do.
func assemblyRequests(b *seed.Bank) []assemblyRequest {
	var reqs []assemblyRequest
	for _, t := range b.Templates {
		seniorities := []string{t.Seniority}
		if t.Seniority == "" {
			seniorities = append(seniorities, b.Taxonomy.Seniorities...)
		}
		for _, sen := range seniorities {
			reqs = append(reqs, assemblyRequest{
				label: fmt.Sprintf("template %s (seniority %q)", t.ID, sen),
				req:   templateRequest(t, sen, 0),
			})
		}
	}
	for _, r := range b.Taxonomy.Roles {
		for _, s := range b.Taxonomy.StackIDs() {
			has := false
			for _, q := range b.Questions {
				has = has || (active(q) && slices.Contains(q.Roles, r.ID) && slices.Contains(q.Stacks, s))
			}
			if has {
				reqs = append(reqs, assemblyRequest{
					label: fmt.Sprintf("role %s with stack %s", r.ID, s),
					req:   assembly.Request{Role: r.ID, Stacks: []string{s}},
				})
			}
		}
	}
	return reqs
}

// checkAssemblable: every request above assembles, within ±5 points of every
// weight.
func checkAssemblable(b *seed.Bank) []string {
	var p []string
	bank := assembly.Bank{Taxonomy: &b.Taxonomy, Questions: b.Questions}
	for _, r := range assemblyRequests(b) {
		a, err := assembly.Assemble(bank, r.req)
		switch {
		case err != nil:
			p = append(p, r.label+": "+err.Error())
		case !a.WithinTolerance:
			p = append(p, fmt.Sprintf("%s: best selection is off a weight by more than 5 points (shares %v)", r.label, a.DimensionShares))
		}
	}
	return p
}

// Exposure: in the assessments drawn for a role's default template, no
// question may appear in more than maxExposure of them. One candidate who
// shares their questions then compromises at most that share of later
// candidates' items. The figure is the engine's exact distribution
// (AnalyzeExposure), not a sample: the assembly package's tests check that
// draws follow it.
const maxExposure = 0.50

type exposure struct {
	role     string
	top      string  // the most exposed question
	share    float64 // its exposure
	overlap  float64 // expected overlap of two assessments
	balance  assembly.Balance
	distinct int // questions with a non-zero exposure
	err      error
}

func measureExposure(b *seed.Bank) []exposure {
	bank := assembly.Bank{Taxonomy: &b.Taxonomy, Questions: b.Questions}
	var out []exposure
	for _, t := range b.Templates {
		if t.Owner != "" {
			continue
		}
		e := exposure{role: t.Role}
		x, err := assembly.AnalyzeExposure(bank, templateRequest(t, t.Seniority, 0))
		if err != nil {
			e.err = err
			out = append(out, e)
			continue
		}
		e.share, e.overlap, e.balance = x.MaxExposure, x.ExpectedOverlap, x.Balance
		for _, it := range x.Items {
			if it.Exposure > 1e-9 {
				e.distinct++
			}
			if it.Exposure > e.share-1e-9 && (e.top == "" || it.QuestionID < e.top) {
				e.top = it.QuestionID
			}
		}
		out = append(out, e)
	}
	return out
}

func checkExposure(b *seed.Bank) []string {
	var p []string
	for _, e := range measureExposure(b) {
		switch {
		case e.err != nil:
			p = append(p, fmt.Sprintf("role %s: default template does not assemble: %v", e.role, e.err))
		case e.balance != assembly.WithinTolerance:
			p = append(p, fmt.Sprintf("role %s: no default assessment is within tolerance of the dimension weights", e.role))
		case e.share > maxExposure+1e-9:
			p = append(p, fmt.Sprintf("role %s: %s is in %.0f%% of default assessments, want at most %.0f%%",
				e.role, e.top, 100*e.share, 100*maxExposure))
		}
	}
	return p
}

// TestExposureReport logs the figures behind the exposure gate.
func TestExposureReport(t *testing.T) {
	for _, e := range measureExposure(mustLoad(t)) {
		t.Logf("%-22s top %-40s %5.1f%%; expected overlap %4.1f%%; %d questions used (%v, err %v)", e.role, e.top, 100*e.share, 100*e.overlap, e.distinct, e.balance, e.err)
	}
}

func TestAssemblableReport(t *testing.T) {
	b := mustLoad(t)
	bank := assembly.Bank{Taxonomy: &b.Taxonomy, Questions: b.Questions}
	for _, r := range assemblyRequests(b) {
		a, err := assembly.Assemble(bank, r.req)
		t.Logf("%-70s err=%v minutes=%d total deviation=%.2f points", r.label, err, a.TotalMinutes, a.Deviation)
	}
}

// exampleSelections are the valid selections documented at the top of
// data/templates.yaml, one per role's default template, from questions
// outside the published bank (the only ones assessments use).
var exampleSelections = map[string][]string{
	"backend-engineer": {
		"own-project-data-flow", "api-consistency-across-teams", "reading-a-slow-trace", "tech-debt-prioritisation", "api-deprecation-announcement", "influence-without-authority", "known-risk-left-unfixed", "incident-write-up-you-learned-from",
	},
	"full-stack-developer": {
		"accessibility-audit-failures", "large-file-uploads", "file-import-background-jobs", "code-review-discount-function", "incident-update-for-stakeholders", "designer-pm-scope-trade-off", "feature-after-launch", "frontend-topic-you-went-deep-on", "feedback-that-changed-your-work",
	},
	"devops-engineer": {
		"secrets-in-infrastructure-repo", "dockerfile-image-build-review", "log-cost-without-losing-signal", "tls-failures-after-certificate-renewal", "incident-update-for-stakeholders", "developer-stuck-on-platform", "unowned-critical-duty", "operations-view-you-changed", "feedback-that-changed-your-work",
	},
	"data-engineer": {
		"orchestrated-warehouse-dag-design", "warehouse-access-to-personal-data", "sql-not-in-returns-nothing", "table-documentation-for-analysts", "asking-data-producers-for-change", "data-you-published-was-wrong", "learning-the-business-behind-data", "data-that-surprised-you",
	},
}

func TestExampleSelections(t *testing.T) {
	b := mustLoad(t)
	for _, r := range b.Taxonomy.Roles {
		t.Run(r.ID, func(t *testing.T) {
			ids, ok := exampleSelections[r.ID]
			if !ok {
				t.Fatal("no example selection")
			}
			total, minutes := 0, map[string]int{}
			covered := map[string]bool{}
			formats := map[qbank.ResponseFormat]bool{}
			for _, id := range ids {
				q := questionByID(b, id)
				if q == nil || !eligible(b, *q, r.ID, "", nil) {
					t.Fatalf("%s is not an eligible language-agnostic question for %s (active, for the role, outside the published bank)", id, r.ID)
				}
				total += q.Minutes
				minutes[q.Dimension] += q.Minutes
				covered[q.Competency] = true
				formats[q.ResponseFormat] = true
			}
			if total < 35 || total > 45 {
				t.Errorf("total %d minutes, want 35–45", total)
			}
			for _, c := range r.Competencies {
				if !covered[c] {
					t.Errorf("competency %s not covered", c)
				}
			}
			if !formats[qbank.FormatVideo] || !formats[qbank.FormatWritten] {
				t.Errorf("needs a video and a written item, has %v", formats)
			}
			for d, w := range r.DimensionWeights {
				share := 100 * float64(minutes[d]) / float64(total)
				if share < float64(w)-qbank.DefaultTolerancePoints || share > float64(w)+qbank.DefaultTolerancePoints {
					t.Errorf("%s share %.1f%%, want %d±%d", d, share, w, qbank.DefaultTolerancePoints)
				}
				t.Logf("%s: %d min (%.1f%%)", d, minutes[d], share)
			}
			t.Logf("total %d min", total)
		})
	}
}

// ---------------------------------------------------------------------------
// COVERAGE.md

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
			Stacks:       []qbank.Stack{{ID: "go", Title: "Go"}, {ID: "java", Title: "Java"}},
			Seniorities:  []string{"junior", "mid", "senior"},
			Collections:  []qbank.Collection{{ID: "layersrank-50", Title: "Published", Size: 50}},
		},
		Questions: []qbank.Question{
			{ID: "q-video", State: qbank.StateActive, Content: qbank.Content{Roles: []string{"backend-engineer"}, Dimension: "technical", Competency: "system-design", ResponseFormat: qbank.FormatVideo, Collections: []string{"layersrank-50"}}},
			{ID: "q-written-go", State: qbank.StateActive, Content: qbank.Content{Roles: []string{"backend-engineer"}, Dimension: "technical", Competency: "system-design", ResponseFormat: qbank.FormatWritten, Stacks: []string{"go"}, Seniorities: []string{"senior"}}},
			{ID: "q-junior-variant", State: qbank.StateActive, Content: qbank.Content{Roles: []string{"backend-engineer"}, Dimension: "technical", Competency: "system-design", ResponseFormat: qbank.FormatVideo, Seniorities: []string{"junior", "mid"},
				StackVariants: map[string]qbank.StackVariant{"java": {Text: "Java"}}}},
			{ID: "q-draft", State: qbank.StateDraft, Content: qbank.Content{Roles: []string{"backend-engineer"}, Dimension: "technical", Competency: "system-design", ResponseFormat: qbank.FormatVideo}},
			{ID: "q-other-role", State: qbank.StateActive, Content: qbank.Content{Roles: []string{"data-engineer"}, Dimension: "technical", Competency: "code-quality", ResponseFormat: qbank.FormatVideo}},
		},
	}
	got := seed.CoverageMatrix(b)
	for _, row := range []string{
		"| Backend Engineer | Technical | System Design | 3 | 2 | 1 | 2 | 2 | 2 | 1 | 2 | go 1 |",
		"| Backend Engineer | Technical | Code Quality | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | — |",
		"| Backend Engineer | 3 | 1 | 1 | 1 | 1 |",
		"| Go | 1 | 0 |",
		"| Java | 0 | 1 |",
		"4 active questions: 4 technical.",
	} {
		if !strings.Contains(got, row) {
			t.Errorf("matrix lacks %q:\n%s", row, got)
		}
	}
}
