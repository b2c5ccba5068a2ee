package faulttest_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/layersrank/qbank/internal/testserver"
	"github.com/layersrank/qbank/server"
)

// hostile are values a curious or malicious client may put in any string
// field: SQL metacharacters and comment starters, LIKE wildcards, NUL,
// bidirectional overrides and marks, emoji (with ZWJ sequences), the same
// letter in NFC and NFD, case-folding traps, template and format syntax, and
// strings longer than any limit.
var hostile = []string{
	"' OR 1=1 --",
	"'; DROP TABLE questions; --",
	"\" OR \"\"=\"",
	"1; SELECT pg_sleep(5)",
	"%", "_", "%_%", "\\", "\\%", "*", "?", "&", "#", "/", "..", "../..", "$1", "?1",
	"NULL", "null", "undefined",
	"\x00", "a\x00b",
	"\xff", "caf\xc3", "\xed\xa0\x80", // invalid UTF-8: a stray byte, a cut sequence, a surrogate
	"\u202e", "\u200f", "\u202egnp.exe", "\u2066x\u2069", "\ufeff", "\u200b",
	"😀", "👩‍💻", "🏳️‍🌈",
	"caf\u00e9", "cafe\u0301", // NFC and NFD
	"İ", "ß", "ﬁ", "Ω", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
	"<script>alert(1)</script>", "{{.}}", "%s%n%x", "${jndi:ldap://127.0.0.1/x}",
	"\r\n", "\t", " ", "golang'--", "go%", "go_",
	strings.Repeat("a", 201),
	strings.Repeat("' OR 1=1 -- ", 1000),
	strings.Repeat("😀", 3000),
}

// TestHostileFiltersAreHarmless sends every hostile value in every
// ListQuestions filter, in query, in path ids and batchGet refs, on both
// stores through real HTTP. Each is answered 200 (with only questions that
// really match) or a 4xx that names the field; none is a 5xx, none returns
// rows it should not, and the bank is unchanged afterwards.
func TestHostileFiltersAreHarmless(t *testing.T) {
	testserver.ForEachBackend(t, func(t *testing.T, cfg func() server.Config) {
		ts := testserver.Start(t, cfg())
		before := bankState(t, ts)
		corpus := searchCorpus(t, ts)

		// Filters whose valid values are taxonomy ids: anything hostile is an
		// unknown value, refused by name.
		for _, param := range []string{"role", "dimension", "competency", "stack", "seniority"} {
			for _, v := range hostile {
				r := ts.Call(t, "GET", "/v1/questions?"+url.Values{param: {v}}.Encode(), readerToken, nil)
				if r.Code != http.StatusBadRequest || !slices.Contains(violationFields(r.Body), param) {
					t.Errorf("%s=%q: %d %s, want 400 naming %s", param, truncate(v, 40), r.Code, truncate(string(r.Raw), 200), param)
				}
			}
		}
		// Enums and numbers the gateway parses: a hostile value is a 400.
		for _, param := range []string{"responseFormat", "state", "pageSize"} {
			for _, v := range hostile {
				r := ts.Call(t, "GET", "/v1/questions?"+url.Values{param: {v}}.Encode(), readerToken, nil)
				if r.Code != http.StatusBadRequest {
					t.Errorf("%s=%q: %d %s, want 400", param, truncate(v, 40), r.Code, truncate(string(r.Raw), 200))
				}
			}
		}
		for _, v := range hostile {
			r := ts.Call(t, "GET", "/v1/questions?"+url.Values{"pageToken": {v}}.Encode(), readerToken, nil)
			if r.Code != http.StatusBadRequest || !slices.Contains(violationFields(r.Body), "pageToken") {
				t.Errorf("pageToken=%q: %d %s, want 400 naming pageToken", truncate(v, 40), r.Code, truncate(string(r.Raw), 200))
			}
		}

		// query is free text: up to 200 bytes it is searched, and the answer
		// may only hold questions whose text really contains every word (so
		// neither a wildcard nor an injected OR widens it); longer is a 400.
		for _, v := range hostile {
			for _, combined := range []url.Values{{"query": {v}}, {"query": {v}, "role": {"backend-engineer"}}} {
				r := ts.Call(t, "GET", "/v1/questions?"+combined.Encode()+"&pageSize=100", readerToken, nil)
				if len(v) > 200 {
					if r.Code != http.StatusBadRequest || !slices.Contains(violationFields(r.Body), "query") {
						t.Errorf("query of %d bytes: %d %s, want 400 naming query", len(v), r.Code, truncate(string(r.Raw), 200))
					}
					continue
				}
				if !utf8.ValidString(v) && r.Code == http.StatusBadRequest && slices.Contains(violationFields(r.Body), "query") {
					continue // refusing bytes that are not text is fine too
				}
				if r.Code != http.StatusOK {
					t.Errorf("query=%q: %d %s, want 200", v, r.Code, truncate(string(r.Raw), 200))
					continue
				}
				words := queryWords(v)
				qs, _ := r.Body["questions"].([]any)
				for _, item := range qs {
					m := item.(map[string]any)
					id := str(m["id"])
					if !matchesAll(corpus[id], words) {
						t.Errorf("query=%q returned %s, whose text does not contain every word", v, id)
					}
					roles, _ := m["roles"].([]any)
					if combined.Has("role") && !slices.Contains(roles, any("backend-engineer")) {
						t.Errorf("query=%q&role=backend-engineer returned %s, which is not for that role", v, id)
					}
					if str(m["state"]) != "STATE_ACTIVE" {
						t.Errorf("query=%q returned %s in state %v", v, id, m["state"])
					}
				}
			}
		}

		// Path ids, refs and the other routes' parameters are validated
		// before any store is asked.
		for _, v := range hostile {
			for _, path := range []string{
				"/v1/questions/" + url.PathEscape(v),
				"/v1/questions/" + url.PathEscape(v) + "/versions",
				"/v1/templates/" + url.PathEscape(v),
				"/v1/questions:batchGet?" + url.Values{"refs": {v}}.Encode(),
				"/v1/questions:batchGet?" + url.Values{"refs": {"api-rate-limiting-design@" + v}}.Encode(),
				"/v1/question-bank:export?" + url.Values{"role": {v}}.Encode(),
				"/v1/question-bank.pdf?" + url.Values{"role": {v}}.Encode(),
				"/v1/templates?" + url.Values{"pageToken": {v}}.Encode(),
			} {
				r := ts.Call(t, "GET", path, readerToken, nil)
				if r.Code >= 500 || r.Code == http.StatusOK {
					t.Errorf("GET %s: %d %s, want a 4xx", truncate(path, 80), r.Code, truncate(string(r.Raw), 200))
				}
			}
		}

		if after := bankState(t, ts); after != before {
			t.Errorf("the bank changed under read-only hostile input:\nbefore %s\nafter  %s", before, after)
		}
		ts.Must(t, http.StatusOK, "GET", "/readyz", "", nil)
	})
}

// TestHostileContentRoundTrips stores hostile strings in every free-text
// field of a question, on both stores:
// each write is accepted and read back byte for byte, or refused with a 400
// that names the field. Parameterised SQL must make the metacharacters plain
// data, and no store may normalise Unicode (NFD must stay NFD).
func TestHostileContentRoundTrips(t *testing.T) {
	testserver.ForEachBackend(t, func(t *testing.T, cfg func() server.Config) {
		ts := testserver.Start(t, cfg())
		for i, v := range hostile {
			if !utf8.ValidString(v) {
				continue // JSON cannot carry it: encoding/json would send U+FFFD instead
			}
			if len([]rune(v)) > 1800 {
				v = string([]rune(v)[:1800]) // keep within the 2,000-character text limit
			}
			id := fmt.Sprintf("hostile-content-%02d", i)
			text := "Explain «" + v + "» to a colleague."
			body := questionJSON(id, text)
			body["followUps"] = []string{"And " + v + "?"}
			body["whatItReveals"] = "Signal: " + v + "."
			body["changeNote"] = "note " + v
			body["stackVariants"] = map[string]any{"go": map[string]any{"text": "In Go: " + v}}
			body["scoringGuide"] = map[string]string{"strong": "S " + v, "adequate": "A " + v, "weak": "W " + v}
			r := ts.Call(t, "POST", "/v1/questions", adminToken, body)
			switch {
			case r.Code == http.StatusBadRequest && len(violationFields(r.Body)) > 0:
				continue // refused by name: fine
			case r.Code != http.StatusOK:
				t.Errorf("create with %q: %d %s, want 200 or a 400 naming the field", truncate(v, 40), r.Code, truncate(string(r.Raw), 300))
				continue
			}
			got := ts.Must(t, http.StatusOK, "GET", "/v1/questions/"+id, readerToken, nil).Body
			checks := map[string][2]string{
				"text":          {str(got["text"]), text},
				"whatItReveals": {str(got["whatItReveals"]), "Signal: " + v + "."},
				"followUps[0]":  {str(got["followUps"].([]any)[0]), "And " + v + "?"},
				"variant go":    {str(got["stackVariants"].(map[string]any)["go"].(map[string]any)["text"]), "In Go: " + v},
				"strong":        {str(got["scoringGuide"].(map[string]any)["strong"]), "S " + v},
			}
			for field, c := range checks {
				// The service trims surrounding whitespace by design; anything
				// else must come back exactly.
				if c[0] != strings.TrimSpace(c[1]) {
					t.Errorf("%s of %s: stored %q, read back %q", field, id, truncate(c[1], 60), truncate(c[0], 60))
				}
			}
			versions := ts.Must(t, http.StatusOK, "GET", "/v1/questions/"+id+"/versions", readerToken, nil).Body
			vs, _ := versions["versions"].([]any)
			if len(vs) != 1 || str(vs[0].(map[string]any)["changeNote"]) != "note "+v {
				t.Errorf("history of %s: %s", id, truncate(string(ts.Call(t, "GET", "/v1/questions/"+id+"/versions", readerToken, nil).Raw), 300))
			}
		}
		ts.Must(t, http.StatusOK, "GET", "/readyz", "", nil)
	})
}

// bankState summarises the bank (ids and etags of every question in every
// state), to show that nothing was written.
func bankState(t *testing.T, ts *testserver.Server) string {
	t.Helper()
	var b strings.Builder
	for _, state := range []string{"STATE_ACTIVE", "STATE_DRAFT", "STATE_RETIRED"} {
		r := ts.Must(t, http.StatusOK, "GET", "/v1/questions?pageSize=100&state="+state, readerToken, nil)
		qs, _ := r.Body["questions"].([]any)
		fmt.Fprintf(&b, "%s:%v:", state, r.Body["totalSize"])
		for _, q := range qs {
			m := q.(map[string]any)
			fmt.Fprintf(&b, "%s@%v/%s,", m["id"], m["version"], m["etag"])
		}
	}
	return b.String()
}

// searchCorpus maps each active question to the lowercased text a search may
// look at (id, text, what it reveals, competency, follow-ups, variants).
func searchCorpus(t *testing.T, ts *testserver.Server) map[string]string {
	t.Helper()
	out := map[string]string{}
	var qs []any
	for token := ""; ; { // every page: the bank holds more than one page of questions
		r := ts.Must(t, http.StatusOK, "GET", "/v1/questions?pageSize=100&view=QUESTION_VIEW_FULL&pageToken="+url.QueryEscape(token), readerToken, nil)
		page, _ := r.Body["questions"].([]any)
		qs = append(qs, page...)
		if token, _ = r.Body["nextPageToken"].(string); token == "" {
			break
		}
	}
	for _, item := range qs {
		m := item.(map[string]any)
		parts := []string{str(m["id"]), str(m["text"]), str(m["whatItReveals"]), str(m["competency"])}
		if fs, ok := m["followUps"].([]any); ok {
			for _, f := range fs {
				parts = append(parts, str(f))
			}
		}
		if vs, ok := m["stackVariants"].(map[string]any); ok {
			for _, v := range vs {
				parts = append(parts, str(v.(map[string]any)["text"]))
			}
		}
		out[str(m["id"])] = strings.ToLower(strings.Join(parts, "\n"))
	}
	return out
}

// queryWords are the runs of letters and digits in a query, lowercased:
// whatever else a search does with punctuation (ignore it, or match it
// literally), every result must contain each of these.
func queryWords(q string) []string {
	return strings.FieldsFunc(strings.ToLower(q), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) })
}

// matchesAll is the widest a sane search may be: every word a substring of
// the question's searchable text.
func matchesAll(text string, words []string) bool {
	for _, w := range words {
		if !strings.Contains(text, w) {
			return false
		}
	}
	return true
}
