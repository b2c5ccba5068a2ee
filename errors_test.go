package qbank

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestFieldPaths(t *testing.T) {
	for json, proto := range map[string]string{
		"pageSize":                                "page_size",
		"question.scoringGuide.strong":            "question.scoring_guide.strong",
		"questions[17].whatItReveals":             "questions[17].what_it_reveals",
		"question.stackVariants[Go].followUps[0]": "question.stack_variants[Go].follow_ups[0]",
		"refs[2]":    "refs[2]",
		"updateMask": "update_mask",
	} {
		if got := ProtoFieldPath(json); got != proto {
			t.Errorf("ProtoFieldPath(%q) = %q, want %q", json, got, proto)
		}
		if got := JSONFieldPath(proto); got != json {
			t.Errorf("JSONFieldPath(%q) = %q, want %q", proto, got, json)
		}
	}
}

func TestDeriveID(t *testing.T) {
	taken := map[string]bool{"rate-limiter-design": true}
	isTaken := func(id string) bool { return taken[id] }
	for text, want := range map[string]string{
		"Tell me about a time you designed a rate limiter.": "designed-rate-limiter",
		"Rate limiter design":                               "rate-limiter-design-2",
		"Décrivez l'architecture d'un système":              "decrivez-l-architecture-d-un-systeme",
		"Walk me through how you would shard a 10 TB PostgreSQL table, step by step, in production": "shard-10-tb-postgresql-table-step",
	} {
		got := DeriveID(text, isTaken)
		if got != want {
			t.Errorf("DeriveID(%q) = %q, want %q", text, got, want)
		}
		var v Violations
		ValidateQuestionID(&v, "id", got)
		if v.Err() != nil {
			t.Errorf("DeriveID(%q) = %q is not a valid id: %v", text, got, v.Err())
		}
	}
	if got := DeriveID("?? !!", isTaken); len(got) < MinIDLen || got == DeriveID("?? !!", isTaken) {
		t.Errorf("a text without words gets %q; want a random id", got)
	}
}

func TestIsKebabID(t *testing.T) {
	for id, want := range map[string]bool{
		"a": true, "api-rate-limiting-design": true, "x1-2y": true, "42": true,
		"": false, "-a": false, "a-": false, "a--b": false, "A": false, "a_b": false, "a b": false, "é": false, "a.b": false,
	} {
		if got := IsKebabID(id); got != want {
			t.Errorf("IsKebabID(%q) = %v, want %v", id, got, want)
		}
	}
}

// TestViolationsAreBounded: however many violations a request earns, its
// error lists MaxViolations of them and one saying how many more, each cut
// to a bounded length.
func TestViolationsAreBounded(t *testing.T) {
	var v Violations
	for i := range 5000 {
		v.Add(fmt.Sprintf("stacks[%04d]", i), "unknown stack %s", strings.Repeat("é", 3000))
	}
	e := v.Err().(*Error)
	if len(e.Violations) != MaxViolations+1 {
		t.Fatalf("%d violations, want %d", len(e.Violations), MaxViolations+1)
	}
	last := e.Violations[MaxViolations]
	if !strings.Contains(last.Description, "and 4980 more violations") {
		t.Errorf("last violation is %q, want it to say how many more", last.Description)
	}
	for _, fv := range e.Violations {
		if len(fv.Description) > MaxDescriptionLen || !utf8.ValidString(fv.Description) {
			t.Errorf("description of %d bytes (valid UTF-8: %v), want at most %d", len(fv.Description), utf8.ValidString(fv.Description), MaxDescriptionLen)
		}
	}
	if n := len(e.Error()); n > MaxMessageLen {
		t.Errorf("message is %d bytes, want at most %d", n, MaxMessageLen)
	}
	if got := Quote(strings.Repeat("x", 1000)); len(got) > 100 {
		t.Errorf("Quote kept %d bytes", len(got))
	}
}
