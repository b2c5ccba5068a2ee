package qbank_test

import (
	"math"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/layersrank/qbank"
	"github.com/layersrank/qbank/seed"
)

// FuzzValidateQuestion feeds arbitrary strings and numbers through the
// domain's validation: NormalizeContent, ValidateContent, ValidateQuestionID
// and ParseRef must never panic, and whatever they accept must hold the
// invariants every other layer relies on (kebab-case ids of 3–64
// characters, minutes 1–15, known and canonical taxonomy ids, no duplicate
// list entries, text within its limits and trimmed, refs that round-trip).
//
// CI runs it briefly: go test . -run '^$' -fuzz '^FuzzValidateQuestion$' -fuzztime 10s
func FuzzValidateQuestion(f *testing.F) {
	bank, err := seed.Load()
	if err != nil {
		f.Fatal(err)
	}
	tax := &bank.Taxonomy

	// A valid question, then its parts bent one way at a time.
	f.Add("api-rate-limiting-design", "Design a rate limiter.", "backend-engineer", "technical", "system-design", "video", 5, "senior", "golang", "go", "In Go, design a rate limiter.", "Why?", "api-rate-limiting-design@2")
	f.Add("ab", " ", "Backend-Engineer", "technical ", "ownership", "written", 0, "SENIOR", "golang,go", "postgres", "", "", "a@0")
	f.Add("a--b", "x", "backend-engineer", "behavioral", "system-design", "audio", 16, "mid", "k8s", "k8s", "x", "x", "ab@01")
	f.Add(strings.Repeat("a", 65), strings.Repeat("é", 2001), "", "", "", "", -1, "", "", "", "", "", "abc@+1")
	f.Add("abc", "text\x00with nul", "data-engineer", "contextual", "growth-trajectory", "video", 15, "junior", "\u202ego", "golang", "\xff", "\xfe", "abc@9999999999999999999")
	f.Add("-abc", "\u00a0padded\u3000", "devops-engineer", "technical", "ci-cd", "written", 1, "", "Golang", "GOLANG", "t", "t", "abc@-1")

	f.Fuzz(func(t *testing.T, id, text, role, dimension, competency, format string, minutes int,
		seniority, stackList, variantKey, variantText, followUp, ref string) {
		// ValidateQuestionID: accepted ⇔ a kebab-case id of 3–64 bytes, and
		// an accepted id is a ref to the current version.
		var v qbank.Violations
		qbank.ValidateQuestionID(&v, "id", id)
		idOK := len(v) == 0
		if want := qbank.IsKebabID(id) && len(id) >= qbank.MinIDLen && len(id) <= qbank.MaxIDLen; idOK != want {
			t.Fatalf("ValidateQuestionID(%q) accepted=%v, want %v", id, idOK, want)
		}
		for _, fv := range v {
			if fv.Field != "id" {
				t.Fatalf("ValidateQuestionID reported field %q", fv.Field)
			}
		}
		if idOK {
			if kebabViolation(id) {
				t.Fatalf("accepted id %q is not lowercase kebab-case", id)
			}
			if r, err := qbank.ParseRef(id); err != nil || r.ID != id || r.Version != 0 {
				t.Fatalf("ParseRef(accepted id %q) = %+v, %v", id, r, err)
			}
		}

		// ParseRef: anything it accepts names a valid id and a version ≥ 1
		// (or none), and prints back to the same ref.
		if r, err := qbank.ParseRef(ref); err == nil {
			var rv qbank.Violations
			qbank.ValidateQuestionID(&rv, "ref", r.ID)
			if len(rv) > 0 || r.Version < 0 || (r.Version == 0 && strings.Contains(ref, "@")) {
				t.Fatalf("ParseRef(%q) accepted %+v", ref, r)
			}
			if r.Version > math.MaxInt32 {
				t.Fatalf("ParseRef(%q) accepted version %d: versions are int32 on the wire and in the stores", ref, r.Version)
			}
			if r.String() != ref {
				t.Fatalf("ParseRef(%q).String() = %q", ref, r.String())
			}
			if again, err := qbank.ParseRef(r.String()); err != nil || again != r {
				t.Fatalf("ParseRef does not round-trip %q: %+v, %v", ref, again, err)
			}
		}

		stacks := strings.Split(stackList, ",")
		content := func() qbank.Content {
			c := qbank.Content{
				Text: text, Roles: []string{role, role}, Dimension: dimension, Competency: competency,
				WhatItReveals: text, ResponseFormat: qbank.ResponseFormat(format), Minutes: minutes,
				Seniorities: []string{seniority}, Stacks: slices.Clone(stacks),
				// Two variant keys, so that an id and its alias can collide.
				StackVariants: map[string]qbank.StackVariant{variantKey: {Text: variantText}, stacks[0]: {Text: followUp, FollowUps: []string{text}}},
				FollowUps:     []string{followUp},
				ScoringGuide:  qbank.ScoringGuide{Strong: followUp, Adequate: text, Weak: variantText},
			}
			if seniority == "" {
				c.Seniorities = nil
			}
			return c
		}
		c := content()
		qbank.NormalizeContent(&c, tax)
		// Deterministic (map order must not matter) and idempotent.
		for range 3 {
			again := content()
			qbank.NormalizeContent(&again, tax)
			if !again.Equal(c) {
				t.Fatalf("NormalizeContent gave two results for one input:\n%+v\n%+v", c, again)
			}
		}

		var cv qbank.Violations
		qbank.ValidateContent(&cv, "question.", &c, tax)
		for _, fv := range cv {
			if !strings.HasPrefix(fv.Field, "question.") || fv.Description == "" {
				t.Fatalf("violation %+v does not name a question field", fv)
			}
		}
		if err := cv.Err(); err != nil && qbank.ErrorCode(err) != qbank.EINVALID {
			t.Fatalf("violations give code %s", qbank.ErrorCode(err))
		}
		if len(cv) > 0 {
			return
		}
		// Accepted: every invariant holds, starting with being a fixed point
		// of normalisation (what is stored normalises to itself).
		normalized := c.Clone()
		qbank.NormalizeContent(&normalized, tax)
		if !normalized.Equal(c) {
			t.Fatalf("accepted content is not a fixed point of NormalizeContent:\n%+v\n%+v", c, normalized)
		}
		switch {
		case c.Minutes < qbank.MinMinutes || c.Minutes > qbank.MaxMinutes:
			t.Fatalf("accepted minutes %d", c.Minutes)
		case c.Text == "" || c.Text != strings.TrimSpace(c.Text) || !utf8.ValidString(c.Text) || utf8.RuneCountInString(c.Text) > qbank.MaxTextLen:
			t.Fatalf("accepted text %q", c.Text)
		case c.ResponseFormat != qbank.FormatVideo && c.ResponseFormat != qbank.FormatWritten:
			t.Fatalf("accepted format %q", c.ResponseFormat)
		case len(c.Roles) == 0 || len(c.Roles) > qbank.MaxListItems:
			t.Fatalf("accepted roles %q", c.Roles)
		}
		dim, ok := tax.Dimension(c.Dimension)
		if !ok {
			t.Fatalf("accepted dimension %q", c.Dimension)
		}
		if comp, ok := tax.Competency(c.Competency); !ok || comp.Dimension != dim.ID {
			t.Fatalf("accepted competency %q in dimension %q", c.Competency, c.Dimension)
		}
		for _, r := range c.Roles {
			if _, ok := tax.Role(r); !ok || kebabViolation(r) {
				t.Fatalf("accepted role %q", r)
			}
		}
		for _, s := range c.Seniorities {
			if !tax.HasSeniority(s) {
				t.Fatalf("accepted seniority %q", s)
			}
		}
		for _, s := range c.Stacks {
			// Stored stacks are canonical ids, so filters match however the
			// admin spelled them.
			if id, ok := tax.ResolveStack(s); !ok || id != s {
				t.Fatalf("accepted stack %q (canonical %q)", s, id)
			}
		}
		for k, s := range c.StackVariants {
			if id, ok := tax.ResolveStack(k); !ok || id != k || s.Text == "" {
				t.Fatalf("accepted variant %q → %q", k, s)
			}
		}
		for _, list := range [][]string{c.Roles, c.Seniorities, c.Stacks} {
			if len(slices.Compact(slices.Sorted(slices.Values(list)))) != len(list) {
				t.Fatalf("accepted a list with duplicates: %q", list)
			}
		}
		for _, fu := range c.FollowUps {
			if fu == "" || utf8.RuneCountInString(fu) > qbank.MaxTextLen {
				t.Fatalf("accepted follow-up %q", fu)
			}
		}
		// Every stored text is UTF-8 without NUL or other control characters
		// (but tab and line breaks): what both stores can hold alike.
		texts := []string{c.Text, c.WhatItReveals, c.ScoringGuide.Strong, c.ScoringGuide.Adequate, c.ScoringGuide.Weak}
		texts = append(texts, c.FollowUps...)
		for _, s := range c.StackVariants {
			texts = append(append(texts, s.Text), s.FollowUps...)
		}
		for _, s := range texts {
			if !utf8.ValidString(s) || strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 && r != '\t' && r != '\n' && r != '\r' || r == 0x7f }) {
				t.Fatalf("accepted text %q with a control character or invalid UTF-8", s)
			}
		}
	})
}

// kebabViolation is an independent statement of the id form: lowercase
// ASCII letters and digits in groups joined by single hyphens.
func kebabViolation(s string) bool {
	if s == "" || s[0] == '-' || s[len(s)-1] == '-' || strings.Contains(s, "--") {
		return true
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return true
		}
	}
	return false
}
