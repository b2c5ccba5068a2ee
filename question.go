package qbank

import (
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
// reviewers rate the same answer alike.
type ScoringGuide struct {
	Strong   string `json:"strong"`
	Adequate string `json:"adequate"`
	Weak     string `json:"weak"`
}

// Content is everything about a question that a version freezes. Any change
// to it makes a new immutable version.
type Content struct {
	Text           string            `json:"text"`
	Roles          []string          `json:"roles"`
	Dimension      string            `json:"dimension"`
	Competency     string            `json:"competency"`
	WhatItReveals  string            `json:"whatItReveals"`
	ResponseFormat ResponseFormat    `json:"responseFormat"`
	Minutes        int               `json:"minutes"`
	Seniorities    []string          `json:"seniorities,omitempty"`
	Stacks         []string          `json:"stacks,omitempty"`
	StackVariants  map[string]string `json:"stackVariants,omitempty"`
	FollowUps      []string          `json:"followUps,omitempty"`
	ScoringGuide   ScoringGuide      `json:"scoringGuide"`
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
	if len(c.StackVariants) == 0 {
		n.StackVariants = nil
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
	if c.StackVariants != nil {
		n.StackVariants = make(map[string]string, len(c.StackVariants))
		for k, v := range c.StackVariants {
			n.StackVariants[k] = v
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
