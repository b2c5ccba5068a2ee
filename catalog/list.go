package catalog

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

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
	Collection     string
	Query          string
}

// Page limits.
const (
	DefaultPageSize = 25
	MaxPageSize     = 100
	MaxQueryLen     = 200
)

// ValidatePageSize records a violation for a page size a list refuses: a
// negative one (one above MaxPageSize is coerced to it, AIP-158).
func ValidatePageSize(v *qbank.Violations, size int) {
	if size < 0 {
		v.Add("pageSize", "must not be negative, got %d", size)
	}
}

// Validate checks every filter against the taxonomy, resolving stack aliases,
// and records a violation naming each bad field.
func (f *Filter) Validate(v *qbank.Violations, tax *qbank.Taxonomy) {
	oneOf := func(field, value string, ok bool, valid []string) {
		if value != "" && !ok {
			v.Add(field, "unknown %s %s (valid: %s)", field, qbank.Quote(value), strings.Join(valid, ", "))
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
	_, ok = tax.Collection(f.Collection)
	oneOf("collection", f.Collection, ok, tax.CollectionIDs())
	for field, value := range map[string]string{"role": f.Role, "dimension": f.Dimension, "competency": f.Competency,
		"stack": f.Stack, "seniority": f.Seniority, "collection": f.Collection, "query": f.Query} {
		if !utf8.ValidString(value) {
			v.Add(field, "is not valid UTF-8")
		}
	}
	if len(f.Query) > MaxQueryLen {
		v.Add("query", "is %d bytes, the limit is %d", len(f.Query), MaxQueryLen)
	}
	if f.State == "" {
		f.State = qbank.StateActive
	}
}

// matchingKey identifies a filter's result within one snapshot: the filter
// with its query reduced to the words search uses.
type matchingKey struct {
	role, dimension, competency, stack, seniority string
	format                                        qbank.ResponseFormat
	state                                         qbank.State
	collection, words                             string
}

// matches is the result of each filter asked for, per snapshot.
var matches = NewMemo[matchingKey, []int32]()

// matching returns the slots of every question passing f, in id order, from
// the posting lists (and the snapshot's earlier results).
func (s *Snapshot) matching(f Filter) []int32 {
	key := matchingKey{f.Role, f.Dimension, f.Competency, f.Stack, f.Seniority, f.ResponseFormat, f.State, f.Collection,
		strings.Join(words(f.Query), " ")}
	return matches.Get(s, key, func() []int32 { return s.match(f) })
}

// match computes matching's result.
func (s *Snapshot) match(f Filter) []int32 {
	o := byID{qs: s.qs}
	lists := [][]int32{s.post["state:"+string(f.State)]}
	for _, kv := range [][2]string{{"role:", f.Role}, {"dim:", f.Dimension}, {"comp:", f.Competency}, {"fmt:", string(f.ResponseFormat)}, {"coll:", f.Collection}} {
		if kv[1] != "" {
			lists = append(lists, s.post[kv[0]+kv[1]])
		}
	}
	if f.Stack != "" {
		lists = append(lists, o.union([][]int32{s.post["stack:*"], s.post["stack:"+f.Stack]}))
	}
	if f.Seniority != "" {
		lists = append(lists, o.union([][]int32{s.post["sen:*"], s.post["sen:"+f.Seniority]}))
	}
	for _, w := range words(f.Query) {
		lists = append(lists, s.prefixPostings(o, w))
	}
	return o.intersect(lists)
}

// prefixPostings returns the questions with a word starting with prefix, so
// "limit" finds "limiting" and "limits".
func (s *Snapshot) prefixPostings(o byID, prefix string) []int32 {
	lo, _ := slices.BinarySearch(s.vocab, prefix)
	var lists [][]int32
	for i := lo; i < len(s.vocab) && strings.HasPrefix(s.vocab[i], prefix); i++ {
		lists = append(lists, s.post["word:"+s.vocab[i]])
	}
	if len(lists) == 0 {
		return []int32{}
	}
	return o.union(lists)
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
	pageSize = orDefault(pageSize)
	fingerprint := f.fingerprint(pageSize)
	after, err := pageAfter(s.tokenKey, pageToken, fingerprint)
	if err != nil {
		return Page{}, err
	}
	res := s.matching(f)
	// The first result whose id sorts after the token's.
	start, _ := slices.BinarySearchFunc(res, after, func(slot int32, id string) int {
		if s.qs[slot].ID <= id {
			return -1
		}
		return 1
	})
	p := Page{TotalSize: len(res)}
	end := min(start+pageSize, len(res))
	p.Questions = make([]qbank.Question, 0, end-start)
	for _, slot := range res[start:end] {
		p.Questions = append(p.Questions, *s.qs[slot])
	}
	if end < len(res) {
		p.NextPageToken = encodeToken(s.tokenKey, fingerprint, p.Questions[len(p.Questions)-1].ID)
	}
	return p, nil
}

// fingerprint binds a page token to the request that made it, so a token
// replayed with other filters or another page size is refused, not obeyed.
func (f Filter) fingerprint(pageSize int) string {
	return fingerprintOf(fmt.Sprintf("questions|%q|%q|%q|%q|%q|%q|%q|%q|%q|%d",
		f.Role, f.Dimension, f.Competency, f.Stack, f.Seniority, f.ResponseFormat, f.State, f.Collection, f.Query, pageSize))
}

// orDefault is the page size to use for a requested one: the default for 0
// (or less, which callers refuse first), MaxPageSize for more than it
// (AIP-158: coerced, not refused).
func orDefault(pageSize int) int {
	if pageSize <= 0 {
		return DefaultPageSize
	}
	return min(pageSize, MaxPageSize)
}

// pageAfter is the position a page token names: "" (the start) without one.
func pageAfter(key []byte, pageToken, fingerprint string) (string, error) {
	if pageToken == "" {
		return "", nil
	}
	return decodeToken(key, pageToken, fingerprint)
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

// PageTokenKeyName is the store secret (repository.Store.Secret) that
// page tokens are authenticated with; every replica reads the same one, so
// a token made by one is honoured by all.
const PageTokenKeyName = "page-token-key"

// PageTokenKeySize is the key's length in bytes.
const PageTokenKeySize = 32

// tokenCheck is an HMAC of a token's content under the server's key: a
// client can read a token, but not edit one or make one up, and a token
// from another deployment (another key) is refused.
func tokenCheck(key []byte, fingerprint, after string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("qbank-page\x00" + fingerprint + "\x00" + after))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:16])
}

func encodeToken(key []byte, fingerprint, after string) string {
	raw, _ := json.Marshal(token{Fingerprint: fingerprint, After: after, Check: tokenCheck(key, fingerprint, after)})
	return base64.RawURLEncoding.EncodeToString(raw)
}

// ErrBadToken is the violation for a page token that is not one this service
// made for this request.
func badToken(why string) error {
	return (qbank.Violations{{Field: "pageToken", Description: why}}).Err()
}

// MaxPageTokenLen bounds a page token: the ones this service makes are
// about 100 characters.
const MaxPageTokenLen = 700

func decodeToken(key []byte, s, fingerprint string) (string, error) {
	if len(s) > MaxPageTokenLen {
		return "", badToken("is not a page token from this service")
	}
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(raw) > 512 {
		return "", badToken("is not a page token from this service")
	}
	var t token
	if err := json.Unmarshal(raw, &t); err != nil ||
		!hmac.Equal([]byte(t.Check), []byte(tokenCheck(key, t.Fingerprint, t.After))) {
		return "", badToken("is not a page token from this service (malformed or edited)")
	}
	if t.Fingerprint != fingerprint {
		return "", badToken("was made for a request with other filters or page size; start again without it")
	}
	return t.After, nil
}
