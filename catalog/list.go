package catalog

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/layersrank/qbank"
)

// Filter selects questions; empty fields match everything.
type Filter struct {
	Role           string
	Dimension      string
	Competency     string
	Stack          string // a stack id (aliases resolved by Validate)
	Seniority      string
	ResponseFormat qbank.ResponseFormat
	State          qbank.State // "" = active
	Query          string
}

// Page limits.
const (
	DefaultPageSize = 25
	MaxPageSize     = 100
	MaxQueryLen     = 200
)

// Validate checks every filter against the taxonomy, resolving stack aliases,
// and records a violation naming each bad field.
func (f *Filter) Validate(v *qbank.Violations, tax *qbank.Taxonomy) {
	oneOf := func(field, value string, ok bool, valid []string) {
		if value != "" && !ok {
			v.Add(field, "unknown %s %q (valid: %s)", field, value, strings.Join(valid, ", "))
		}
	}
	_, ok := tax.Role(f.Role)
	oneOf("role", f.Role, ok, tax.RoleIDs())
	_, ok = tax.Dimension(f.Dimension)
	oneOf("dimension", f.Dimension, ok, tax.DimensionIDs())
	_, ok = tax.Competency(f.Competency)
	oneOf("competency", f.Competency, ok, tax.CompetencyIDs())
	if f.Stack != "" {
		id, ok := tax.ResolveStack(f.Stack)
		oneOf("stack", f.Stack, ok, tax.StackIDs())
		f.Stack = id
	}
	oneOf("seniority", f.Seniority, tax.HasSeniority(f.Seniority), tax.Seniorities)
	if len(f.Query) > MaxQueryLen {
		v.Add("query", "is %d bytes, the limit is %d", len(f.Query), MaxQueryLen)
	}
	if f.State == "" {
		f.State = qbank.StateActive
	}
}

// Match reports whether q passes the filter; words are the lowercased query
// words, every one of which must appear in the question's searchable text.
func (f *Filter) Match(q *qbank.Question, words []string) bool {
	switch {
	case q.State != f.State,
		f.Role != "" && !slices.Contains(q.Roles, f.Role),
		f.Dimension != "" && q.Dimension != f.Dimension,
		f.Competency != "" && q.Competency != f.Competency,
		f.ResponseFormat != "" && q.ResponseFormat != f.ResponseFormat,
		f.Seniority != "" && len(q.Seniorities) > 0 && !slices.Contains(q.Seniorities, f.Seniority),
		f.Stack != "" && len(q.Stacks) > 0 && !slices.Contains(q.Stacks, f.Stack):
		return false
	}
	if len(words) == 0 {
		return true
	}
	text := searchText(q)
	for _, w := range words {
		if !strings.Contains(text, w) {
			return false
		}
	}
	return true
}

func searchText(q *qbank.Question) string {
	var b strings.Builder
	b.WriteString(q.ID)
	for _, s := range []string{q.Text, q.WhatItReveals, q.Competency} {
		b.WriteByte('\n')
		b.WriteString(s)
	}
	for _, s := range q.FollowUps {
		b.WriteByte('\n')
		b.WriteString(s)
	}
	for _, k := range sortedKeys(q.StackVariants) {
		b.WriteByte('\n')
		b.WriteString(q.StackVariants[k])
	}
	return strings.ToLower(b.String())
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// Page is one page of a list.
type Page struct {
	Questions     []qbank.Question
	NextPageToken string
	TotalSize     int
}

// List returns the page after pageToken of the questions matching f, ordered
// by id. Page tokens name the last id returned, so they stay valid when the
// snapshot changes between pages: a question added or removed meanwhile is
// simply seen or not, and none is seen twice.
func (s *Snapshot) List(f Filter, pageSize int, pageToken string) (Page, error) {
	if pageSize <= 0 {
		pageSize = DefaultPageSize
	}
	fingerprint := f.fingerprint(pageSize)
	after := ""
	if pageToken != "" {
		var err error
		if after, err = decodeToken(pageToken, fingerprint); err != nil {
			return Page{}, err
		}
	}
	words := strings.Fields(strings.ToLower(f.Query))
	var p Page
	for i := range s.Questions {
		q := &s.Questions[i]
		if !f.Match(q, words) {
			continue
		}
		p.TotalSize++
		if q.ID <= after {
			continue
		}
		if len(p.Questions) < pageSize {
			p.Questions = append(p.Questions, *q)
		} else if p.NextPageToken == "" {
			p.NextPageToken = encodeToken(fingerprint, p.Questions[len(p.Questions)-1].ID)
		}
	}
	return p, nil
}

// fingerprint binds a page token to the request that made it, so a token
// replayed with other filters or another page size is refused, not obeyed.
func (f Filter) fingerprint(pageSize int) string {
	return fingerprintOf(fmt.Sprintf("questions|%q|%q|%q|%q|%q|%q|%q|%q|%d",
		f.Role, f.Dimension, f.Competency, f.Stack, f.Seniority, f.ResponseFormat, f.State, f.Query, pageSize))
}

func fingerprintOf(request string) string {
	h := sha256.Sum256([]byte(request))
	return base64.RawURLEncoding.EncodeToString(h[:9])
}

type token struct {
	Fingerprint string `json:"f"`
	After       string `json:"a"`
	Check       string `json:"c"`
}

func tokenCheck(fingerprint, after string) string {
	h := sha256.Sum256([]byte("qbank-page\x00" + fingerprint + "\x00" + after))
	return base64.RawURLEncoding.EncodeToString(h[:9])
}

func encodeToken(fingerprint, after string) string {
	raw, _ := json.Marshal(token{Fingerprint: fingerprint, After: after, Check: tokenCheck(fingerprint, after)})
	return base64.RawURLEncoding.EncodeToString(raw)
}

// ErrBadToken is the violation for a page token that is not one this service
// made for this request.
func badToken(why string) error {
	return (qbank.Violations{{Field: "pageToken", Description: why}}).Err()
}

func decodeToken(s, fingerprint string) (string, error) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(raw) > 512 {
		return "", badToken("is not a page token from this service")
	}
	var t token
	if err := json.Unmarshal(raw, &t); err != nil || t.Check != tokenCheck(t.Fingerprint, t.After) {
		return "", badToken("is not a page token from this service (malformed or edited)")
	}
	if t.Fingerprint != fingerprint {
		return "", badToken("was made for a request with other filters or page size; start again without it")
	}
	return t.After, nil
}
