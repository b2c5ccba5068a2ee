package qbank

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// ResponseFormat is how a candidate answers.
type ResponseFormat string

// The response formats.
const (
	FormatVideo   ResponseFormat = "video"
	FormatWritten ResponseFormat = "written"
)

// State is where a question is in its life.
type State string

// The question states. Only active questions go into new assessments;
// retired ones stay readable by id and version forever.
const (
	StateDraft   State = "draft"
	StateActive  State = "active"
	StateRetired State = "retired"
)

// ScoringGuide says what answers of each quality sound like, so that two
// reviewers rate the same answer alike. Strong, Adequate and Weak anchor the
// taxonomy's rating scale for every level the question is asked at; Levels
// adds what each of them sounds like at one seniority, because a strong
// junior answer and a strong senior answer are not the same answer.
type ScoringGuide struct {
	Strong   string       `json:"strong"`
	Adequate string       `json:"adequate"`
	Weak     string       `json:"weak"`
	Levels   []LevelGuide `json:"levels,omitempty"`
}

// LevelGuide is the scoring guide at one seniority. Strong is required; an
// empty Adequate or Weak falls back to the question's general anchor.
type LevelGuide struct {
	Seniority string `json:"seniority"`
	Strong    string `json:"strong"`
	Adequate  string `json:"adequate,omitempty"`
	Weak      string `json:"weak,omitempty"`
}

// Level returns the guide for a seniority with the general anchors filled in
// where the level leaves them empty; ok is false when the question has no
// guide of its own for that level.
func (g ScoringGuide) Level(seniority string) (LevelGuide, bool) {
	for _, l := range g.Levels {
		if l.Seniority == seniority {
			if l.Adequate == "" {
				l.Adequate = g.Adequate
			}
			if l.Weak == "" {
				l.Weak = g.Weak
			}
			return l, true
		}
	}
	return LevelGuide{Seniority: seniority, Strong: g.Strong, Adequate: g.Adequate, Weak: g.Weak}, false
}

func (g ScoringGuide) clone() ScoringGuide {
	g.Levels = slices.Clone(g.Levels)
	return g
}

// StackVariant is a question reworded for one stack: it asks about that
// stack's own tools, failure modes and idioms, so it carries its own probes
// and scoring anchors (empty ones fall back to the question's).
type StackVariant struct {
	Text         string       `json:"text"`
	FollowUps    []string     `json:"followUps,omitempty"`
	ScoringGuide ScoringGuide `json:"scoringGuide,omitzero"`
}

// UnmarshalJSON also reads the first release's form, a bare string, so that
// versions stored before variants had their own probes stay readable forever.
func (v *StackVariant) UnmarshalJSON(b []byte) error {
	var text string
	if err := json.Unmarshal(b, &text); err == nil {
		*v = StackVariant{Text: text}
		return nil
	}
	type plain StackVariant // no UnmarshalJSON: no recursion
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields() // a misspelt field in a seed file fails loudly
	var p plain
	if err := dec.Decode(&p); err != nil {
		return fmt.Errorf("stack variant: %w", err)
	}
	*v = StackVariant(p)
	return nil
}

func (v StackVariant) clone() StackVariant {
	v.FollowUps = slices.Clone(v.FollowUps)
	v.ScoringGuide = v.ScoringGuide.clone()
	return v
}

// Content is everything about a question that a version freezes. Any change
// to it makes a new immutable version.
type Content struct {
	Text           string                  `json:"text"`
	Roles          []string                `json:"roles"`
	Dimension      string                  `json:"dimension"`
	Competency     string                  `json:"competency"`
	WhatItReveals  string                  `json:"whatItReveals"`
	ResponseFormat ResponseFormat          `json:"responseFormat"`
	Minutes        int                     `json:"minutes"`
	Seniorities    []string                `json:"seniorities,omitempty"`
	Stacks         []string                `json:"stacks,omitempty"`
	StackVariants  map[string]StackVariant `json:"stackVariants,omitempty"`
	FollowUps      []string                `json:"followUps,omitempty"`
	ScoringGuide   ScoringGuide            `json:"scoringGuide"`
	// Collections are the named sets the question belongs to, such as
	// layersrank-50, the published bank (ids from the taxonomy).
	Collections []string `json:"collections,omitempty"`
}

// Question is one version of a question together with its head's state.
type Question struct {
	ID      string `json:"id"`
	Version int    `json:"version,omitempty"`
	Content
	State      State     `json:"state,omitempty"`
	Etag       string    `json:"etag,omitempty"`
	CreateTime time.Time `json:"createTime,omitzero"`
	UpdateTime time.Time `json:"updateTime,omitzero"`
	// Author and ChangeNote describe the version: who made it and why.
	Author     string `json:"author,omitempty"`
	ChangeNote string `json:"changeNote,omitempty"`
}

// Ref names a question, optionally pinned to a version (0 = the current one).
type Ref struct {
	ID      string
	Version int
}

func (r Ref) String() string {
	if r.Version == 0 {
		return r.ID
	}
	return fmt.Sprintf("%s@%d", r.ID, r.Version)
}

// ParseRef parses "id" or "id@version".
func ParseRef(s string) (Ref, error) {
	id, ver, pinned := strings.Cut(s, "@")
	if !IsKebabID(id) || len(id) < 3 || len(id) > 64 {
		return Ref{}, fmt.Errorf("%q is not a question id (kebab-case, 3–64 characters)", s)
	}
	if !pinned {
		return Ref{ID: id}, nil
	}
	// Versions are int32 on the wire and in both schemas.
	n, err := strconv.ParseInt(ver, 10, 32)
	if err != nil || n < 1 || strconv.FormatInt(n, 10) != ver {
		return Ref{}, fmt.Errorf("%q has a bad version: want id@N with 1 ≤ N ≤ %d", s, math.MaxInt32)
	}
	return Ref{ID: id, Version: int(n)}, nil
}

// Equal reports whether two contents are the same, treating nil and empty
// lists and maps alike (so re-importing an export creates no version).
func (c Content) Equal(o Content) bool {
	a, _ := json.Marshal(c.normalized())
	b, _ := json.Marshal(o.normalized())
	return string(a) == string(b)
}

func (c Content) normalized() Content {
	n := c
	nilIfEmpty := func(s []string) []string {
		if len(s) == 0 {
			return nil
		}
		return s
	}
	n.Roles, n.Seniorities, n.Stacks, n.FollowUps = nilIfEmpty(c.Roles), nilIfEmpty(c.Seniorities), nilIfEmpty(c.Stacks), nilIfEmpty(c.FollowUps)
	n.Collections = nilIfEmpty(c.Collections)
	if len(c.StackVariants) == 0 {
		n.StackVariants = nil
	} else {
		n.StackVariants = make(map[string]StackVariant, len(c.StackVariants))
		for k, v := range c.StackVariants {
			v.FollowUps = nilIfEmpty(v.FollowUps)
			if len(v.ScoringGuide.Levels) == 0 {
				v.ScoringGuide.Levels = nil
			}
			n.StackVariants[k] = v
		}
	}
	if len(c.ScoringGuide.Levels) == 0 {
		n.ScoringGuide.Levels = nil
	}
	return n
}

// Clone returns a deep copy, so a snapshot's questions can be handed out
// without callers mutating shared slices.
func (c Content) Clone() Content {
	n := c
	n.Roles = slices.Clone(c.Roles)
	n.Seniorities = slices.Clone(c.Seniorities)
	n.Stacks = slices.Clone(c.Stacks)
	n.FollowUps = slices.Clone(c.FollowUps)
	n.Collections = slices.Clone(c.Collections)
	n.ScoringGuide = c.ScoringGuide.clone()
	if c.StackVariants != nil {
		n.StackVariants = make(map[string]StackVariant, len(c.StackVariants))
		for k, v := range c.StackVariants {
			n.StackVariants[k] = v.clone()
		}
	}
	return n
}

// ComputeEtag derives a question head's etag from everything a client could
// have seen change: the version, the state and the generation counter that
// every write of the head bumps (so retire-then-restore still yields a new
// etag and a stale editor cannot slip through).
func ComputeEtag(id string, version int, state State, generation int64) string {
	h := sha256.Sum256(fmt.Appendf(nil, "%s\x00%d\x00%s\x00%d", id, version, state, generation))
	return base64.RawURLEncoding.EncodeToString(h[:12])
}

// Change describes who makes a write and why; it is recorded with the
// version it creates (the audit trail).
type Change struct {
	Author string
	Note   string
	Time   time.Time
}

// Rendered is a question as one stack's candidates see it and its reviewers
// rate it: the variant's text, probes and anchors where it has its own, the
// question's otherwise.
type Rendered struct {
	Text         string
	Stack        string // the variant used; "" for the question's own text
	FollowUps    []string
	ScoringGuide ScoringGuide
}

// ForStacks renders the question for the first of stacks (stack ids, in
// order of preference) it has a variant for.
func (c Content) ForStacks(stacks []string) Rendered {
	r := Rendered{Text: c.Text, FollowUps: c.FollowUps, ScoringGuide: c.ScoringGuide}
	for _, s := range stacks {
		v, ok := c.StackVariants[s]
		if !ok {
			continue
		}
		r.Text, r.Stack = v.Text, s
		if len(v.FollowUps) > 0 {
			r.FollowUps = v.FollowUps
		}
		g := v.ScoringGuide
		if g.Strong != "" || g.Adequate != "" || g.Weak != "" || len(g.Levels) > 0 {
			r.ScoringGuide = ScoringGuide{
				Strong: cmp.Or(g.Strong, c.ScoringGuide.Strong), Adequate: cmp.Or(g.Adequate, c.ScoringGuide.Adequate),
				Weak: cmp.Or(g.Weak, c.ScoringGuide.Weak), Levels: g.Levels,
			}
			if len(g.Levels) == 0 {
				r.ScoringGuide.Levels = c.ScoringGuide.Levels
			}
		}
		break
	}
	return r
}
