package catalog_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/layersrank/qbank"
	"github.com/layersrank/qbank/catalog"
)

// fzFilters are the requests the page-token fuzzer pages through: the fuzzed
// input picks which request a token was made for and which one it is
// replayed with.
var fzFilters = []catalog.Filter{
	{},
	{Role: "backend-engineer"},
	{Role: "backend-engineer", Dimension: "technical"},
	{Stack: "golang"},
	{Query: "latency"},
	{Query: "design", Role: "data-engineer"},
	{Seniority: "senior", ResponseFormat: qbank.FormatVideo},
	{Competency: "ownership"},
	{State: qbank.StateRetired},
}

// fzSnapshot builds the seeded bank's snapshot through the public API, once
// per fuzz target (not per input): a SQLite store in a temp dir, seeded, and
// a catalog over it.
func fzSnapshot(f *testing.F) *catalog.Snapshot {
	f.Helper()
	store, _ := seededStore(f)
	cat, err := catalog.New(context.Background(), store, quiet)
	if err != nil {
		f.Fatal(err)
	}
	return cat.Snapshot()
}

// FuzzPageToken feeds arbitrary page tokens to Snapshot.List. It must never
// panic; it either returns a page or an InvalidArgument that names
// pageToken and nothing else. A page it returns holds only questions of the
// request it was asked with (a contiguous run of that request's full,
// id-ordered result), whatever the token says, and a genuine token made for
// one request is refused by every other request (other filters or another
// page size).
//
// CI runs it briefly: go test ./catalog -run '^$' -fuzz '^FuzzPageToken$' -fuzztime 10s
func FuzzPageToken(f *testing.F) {
	snap := fzSnapshot(f)
	// Validated as the server validates a request (aliases resolved, the
	// state defaulted), on a copy so the table stays as written.
	filters := slices.Clone(fzFilters)
	var v qbank.Violations
	full := make([][]string, len(filters))
	for i := range filters {
		filters[i].Validate(&v, snap.Taxonomy)
		// The oracle: the request's whole result, in order, page by page
		// (the seeded bank holds more than one page of questions).
		for token := ""; ; {
			p, err := snap.List(filters[i], catalog.MaxPageSize, token)
			if err != nil {
				f.Fatal(err)
			}
			for _, q := range p.Questions {
				full[i] = append(full[i], q.ID)
			}
			if token = p.NextPageToken; token == "" {
				break
			}
		}
	}
	if err := v.Err(); err != nil {
		f.Fatal(err)
	}

	// Seeds: genuine tokens of several requests, then the obvious forgeries.
	for i := range filters {
		for _, size := range []int{1, 3} {
			if p, _ := snap.List(filters[i], size, ""); p.NextPageToken != "" {
				f.Add(p.NextPageToken, uint8(i), uint8(i), size)
				f.Add(p.NextPageToken, uint8(i), uint8(i+1), size)
			}
		}
	}
	f.Add("", uint8(0), uint8(0), 0)
	f.Add("not-a-token", uint8(1), uint8(1), 25)
	f.Add("eyJmIjoiIiwiYSI6IiIsImMiOiIifQ", uint8(2), uint8(3), -5)  // {"f":"","a":"","c":""}
	f.Add("eyJmIjoiIiwiYSI6IiIsImMiOiIifQ==", uint8(2), uint8(3), 7) // padded: not RawURL
	f.Add("e30", uint8(4), uint8(4), 101)                            // {}
	f.Add("bnVsbA", uint8(5), uint8(5), 2)                           // null

	f.Fuzz(func(t *testing.T, token string, made, used uint8, size int) {
		mi, ui := int(made)%len(filters), int(used)%len(filters)
		size = fzPageSize(size)

		// An arbitrary token with an arbitrary request.
		page, err := snap.List(filters[ui], size, token)
		fzCheckPage(t, full[ui], size, token, page, err)

		// A genuine token of request (mi, size) replayed with (ui, size2).
		first, err := snap.List(filters[mi], size, "")
		if err != nil || first.NextPageToken == "" {
			return
		}
		size2 := fzPageSize(size + int(used))
		next, err := snap.List(filters[ui], size2, first.NextPageToken)
		same := filters[mi] == filters[ui] && fzEffective(size) == fzEffective(size2) // 0 means the default size
		switch {
		case same:
			fzCheckPage(t, full[ui], size2, first.NextPageToken, next, err)
			if err != nil || len(next.Questions) == 0 || next.Questions[0].ID <= first.Questions[len(first.Questions)-1].ID {
				t.Fatalf("the second page of filter %d does not follow the first: %v", ui, err)
			}
		case err == nil:
			t.Fatalf("a token made for filter %d, page size %d was accepted by filter %d, page size %d (returned %d questions)",
				mi, size, ui, size2, len(next.Questions))
		default:
			fzWantPageTokenError(t, err)
		}
	})
}

// fzPageSize maps any int onto what the server lets through: 0 (the
// default) to MaxPageSize.
func fzPageSize(n int) int {
	if n < 0 {
		n = -(n + 1)
	}
	return n % (catalog.MaxPageSize + 1)
}

// fzEffective is the page size List uses for a requested one.
func fzEffective(size int) int {
	if size <= 0 {
		return catalog.DefaultPageSize
	}
	return size
}

// fzCheckPage checks a List answer against the request's full result.
func fzCheckPage(t *testing.T, full []string, size int, token string, p catalog.Page, err error) {
	t.Helper()
	if err != nil {
		if token == "" {
			t.Fatalf("no token, yet an error: %v", err)
		}
		fzWantPageTokenError(t, err)
		return
	}
	size = fzEffective(size)
	if p.TotalSize != len(full) {
		t.Fatalf("totalSize %d, want %d", p.TotalSize, len(full))
	}
	if len(p.Questions) > size {
		t.Fatalf("a page of %d questions for page size %d", len(p.Questions), size)
	}
	if len(p.Questions) == 0 {
		if p.NextPageToken != "" {
			t.Fatal("an empty page with a next-page token")
		}
		return
	}
	start := slices.Index(full, p.Questions[0].ID)
	if start < 0 {
		t.Fatalf("token %q yielded %s, which the request does not match", token, p.Questions[0].ID)
	}
	for i, q := range p.Questions {
		if start+i >= len(full) || full[start+i] != q.ID {
			t.Fatalf("token %q yielded %s at %d: not the request's results in order", token, q.ID, i)
		}
	}
	if token == "" && start != 0 {
		t.Fatalf("the first page starts at result %d", start)
	}
	if more := start+len(p.Questions) < len(full); more != (p.NextPageToken != "") {
		t.Fatalf("next-page token %q, yet more results remain: %v", p.NextPageToken, more)
	}
}

// fzWantPageTokenError requires an InvalidArgument naming only pageToken.
func fzWantPageTokenError(t *testing.T, err error) {
	t.Helper()
	var e *qbank.Error
	if !errors.As(err, &e) || e.Code != qbank.EINVALID {
		t.Fatalf("error %v is not EINVALID", err)
	}
	if len(e.Violations) != 1 || e.Violations[0].Field != "pageToken" || e.Violations[0].Description == "" {
		t.Fatalf("error %v does not name pageToken (alone)", err)
	}
}
