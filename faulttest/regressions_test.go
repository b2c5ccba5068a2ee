package faulttest_test

// Regressions: bugs these tests found, since fixed, each asserted here so it
// stays fixed.

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"testing"

	"github.com/layersrank/qbank/internal/testserver"
	"github.com/layersrank/qbank/server"
)

// Invalid UTF-8 in the export route's query (e.g. role=%FF) used to reach
// the gateway's gRPC client (the one route still proxied over gRPC, being a
// server stream), which cannot marshal it: a 500 "grpc: error while
// marshaling: string field contains invalid UTF-8". It must be a 400.
func TestInvalidUTF8InExportQueryIs400(t *testing.T) {
	ts := testserver.Start(t, server.Config{DataDir: t.TempDir()})
	for _, v := range []string{"\xff", "caf\xc3", "\xed\xa0\x80"} {
		path := "/v1/question-bank:export?" + url.Values{"role": {v}}.Encode()
		if r := ts.Call(t, "GET", path, readerToken, nil); r.Code != http.StatusBadRequest {
			t.Errorf("GET %s: %d %s, want 400", path, r.Code, truncate(string(r.Raw), 200))
		}
	}
}

// A NUL character in a free-text field used to be stored by SQLite but make
// PostgreSQL refuse the row (jsonb cannot hold \u0000, text cannot hold
// 0x00), a 500 there: the stores disagreed, and a bank exported from SQLite
// could not be imported into PostgreSQL. Both must refuse it alike, by name.
func TestNULInContentIsRefusedOnBothStores(t *testing.T) {
	codes := map[string][]int{}
	for _, b := range testserver.Backends {
		t.Run(b.Name, func(t *testing.T) {
			ts := testserver.Start(t, b.Config(t)())
			body := questionJSON("nul-in-text", "Tell me about\x00 a time.")
			note := questionJSON("nul-in-note", "Tell me about a time.")
			note["changeNote"] = "a\x00b"
			for _, c := range []struct {
				path string
				body any
			}{
				{"/v1/questions", body},
				{"/v1/questions", note},
				{"/v1/templates", map[string]any{"id": "nul-in-title", "title": "x\x00y", "role": "backend-engineer"}},
			} {
				r := ts.Call(t, "POST", c.path, adminToken, c.body)
				codes[b.Name] = append(codes[b.Name], r.Code)
				if r.Code >= 500 {
					t.Errorf("POST %s with a NUL: %d %s, want a 400 naming the field", c.path, r.Code, truncate(string(r.Raw), 200))
				}
			}
		})
	}
	if !slices.Equal(codes["sqlite"], codes["postgres"]) {
		t.Errorf("the stores disagree on NUL: sqlite %v, postgres %v", codes["sqlite"], codes["postgres"])
	}
}

// ParseRef used to accept any int version, but versions are int32 on the
// wire and in both schemas: on PostgreSQL id@3000000000 could not be encoded
// for the int4 column, and postgres.wrap called that client-side error "the
// database is unreachable" (503), so clients retried a request that can
// never succeed; SQLite said 404. It is a malformed ref: 400 naming it.
func TestRefVersionBeyondInt32IsInvalid(t *testing.T) {
	testserver.ForEachBackend(t, func(t *testing.T, cfg func() server.Config) {
		ts := testserver.Start(t, cfg())
		for _, v := range []string{"2147483648", "3000000000", "9223372036854775807"} {
			r := ts.Call(t, "GET", "/v1/questions:batchGet?refs=api-rate-limiting-design@"+v, readerToken, nil)
			if r.Code != http.StatusBadRequest || !slices.Contains(violationFields(r.Body), "refs[0]") {
				t.Errorf("refs=…@%s: %d %s, want 400 naming refs[0]", v, r.Code, truncate(string(r.Raw), 200))
			}
		}
	})
}

// Two stackVariants keys naming one stack ({"Go": A, "go": B}, whichever
// sorts first) used to keep one text and silently drop the other. Every
// such request must be refused, naming question.stackVariants.
func TestStackVariantAliasCollisionIsRefused(t *testing.T) {
	ts := testserver.Start(t, server.Config{DataDir: t.TempDir()})
	for i, variants := range []map[string]string{
		{"go": "In Go: A", "golang": "In Go: B"}, // refused since c1651e1
		{"Go": "In Go: A", "go": "In Go: B"},
		{"GOLANG": "In Go: A", "go": "In Go: B"},
		{"Golang": "In Go: A", "go": "In Go: B", "golang": "In Go: C"},
	} {
		body := questionJSON(fmt.Sprintf("variant-collision-%d", i), "Which variant wins?")
		wire := map[string]any{}
		for k, text := range variants {
			wire[k] = map[string]any{"text": text}
		}
		body["stackVariants"] = wire
		r := ts.Call(t, "POST", "/v1/questions", adminToken, body)
		if r.Code != http.StatusBadRequest || !slices.Contains(violationFields(r.Body), "question.stackVariants") {
			t.Errorf("stackVariants %v: %d, stored %v; want a 400 naming question.stackVariants (two texts for one stack)", variants, r.Code, r.Body["stackVariants"])
		}
	}
}
