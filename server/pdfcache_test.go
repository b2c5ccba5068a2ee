package server

import (
	"fmt"
	"testing"
)

// The PDF cache stays within its budgets, drops what is least recently
// used first, and forgets every document of a revision once a newer one is
// cached.
func TestPDFCache(t *testing.T) {
	c := newPDFCache(1000, 3)
	doc := func(n int) []byte { return make([]byte, n) }
	c.put(1, "a", doc(100))
	c.put(1, "b", doc(100))
	c.put(1, "c", doc(100))
	if _, ok := c.get("a"); !ok { // a is now the most recently used
		t.Fatal("a was not cached")
	}
	c.put(1, "d", doc(100)) // over three entries: b, the least recent, goes
	if _, ok := c.get("b"); ok {
		t.Error("the least recently used entry was kept past the entry budget")
	}
	for _, k := range []string{"a", "c", "d"} {
		if _, ok := c.get(k); !ok {
			t.Errorf("%s was dropped", k)
		}
	}
	c.put(1, "big", doc(300)) // more than a quarter of the bytes: never cached
	if _, ok := c.get("big"); ok {
		t.Error("a document larger than a quarter of the budget was cached")
	}
	c.put(2, "e", doc(240)) // a newer revision: every revision-1 entry goes
	for _, k := range []string{"a", "c", "d"} {
		if _, ok := c.get(k); ok {
			t.Errorf("%s of an older revision survived a newer one", k)
		}
	}
	c.put(1, "late", doc(10)) // rendered from a snapshot already replaced
	if _, ok := c.get("late"); ok {
		t.Error("a document of an older revision was cached after a newer one")
	}
	for i := range 4 { // 240 + 4×240 > 1000 bytes: the oldest go
		c.put(2, fmt.Sprint(i), doc(240))
	}
	if c.bytes > c.maxBytes || c.lru.Len() > c.maxEntries {
		t.Errorf("the cache holds %d bytes in %d entries, over its budget", c.bytes, c.lru.Len())
	}
}
