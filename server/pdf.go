package server

import (
	"bytes"
	"container/list"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/layersrank/qbank"
	"github.com/layersrank/qbank/bankfile"
	"github.com/layersrank/qbank/server/apierr"
	"github.com/layersrank/qbank/server/auth"
	"github.com/layersrank/qbank/server/gateway"
)

// documents serves the printable PDFs: the bank (whole, a collection or a
// role kit) and assessment kits. A PDF costs tens to hundreds of
// milliseconds of CPU, where a read costs microseconds, so each document is
// rendered once per bank revision and request and kept in a bounded cache,
// and renders of distinct documents take turns in a few slots: PDF
// downloads then cannot take the CPU that reads need.
type documents struct {
	svc   *Service
	authn *auth.Authenticator
	log   *slog.Logger
	cache *pdfCache
	slots chan struct{}
	// limit prices a download above a read: each token may fetch a few
	// PDFs a second, so a client looping on downloads (even of cached
	// documents, hundreds of kilobytes each) cannot take the CPU reads need.
	limit *auth.RateLimiter
	// waiting counts requests queued for a slot; past maxWaiting more are
	// turned away (429) rather than queued without bound.
	waiting atomic.Int64
}

// Cache, queue and rate bounds.
const (
	pdfCacheBytes   = 64 << 20
	pdfCacheEntries = 256
	maxWaiting      = 64
	pdfsPerSecond   = 10 // per token, in bursts of up to pdfBurst
	pdfBurst        = 30
)

func newDocuments(svc *Service, authn *auth.Authenticator, log *slog.Logger) *documents {
	return &documents{svc: svc, authn: authn, log: log,
		cache: newPDFCache(pdfCacheBytes, pdfCacheEntries),
		limit: auth.NewRateLimiter(pdfsPerSecond, pdfBurst),
		slots: make(chan struct{}, max(1, runtime.GOMAXPROCS(0)/2))}
}

// bankHandler serves GET /v1/question-bank.pdf[?role=…][&collection=…]: the
// active bank, one collection of it (the published 50), or a role kit.
func (d *documents) bankHandler() http.Handler {
	const route = "/v1/question-bank.pdf"
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The token first: nothing is parsed, looked up or rendered for a
		// caller who may not read.
		if err := d.authorize(r, route); err != nil {
			d.writeStatus(w, r, err)
			return
		}
		q, err := query(r, "role", "collection")
		if err != nil {
			d.writeStatus(w, r, err)
			return
		}
		snap := d.svc.catalog.Snapshot()
		f := bankfile.Filter{Role: q.Get("role"), Collection: q.Get("collection"), State: qbank.StateActive}
		e, err := bankfile.Select(snap.Taxonomy, snap.Revision, f, time.Now())
		if err != nil {
			d.writeStatus(w, r, err)
			return
		}
		key := fmt.Sprintf("bank|%d|%q|%q", snap.Revision, f.Role, f.Collection)
		pdf, err := d.render(r.Context(), snap.Revision, key, func(buf *bytes.Buffer) error {
			sink, err := bankfile.NewSink(buf, bankfile.PDF)
			if err != nil {
				return err
			}
			// A render is shared by every request waiting for it: one leaving
			// must not cut it short for the others.
			if err := bankfile.Run(e, snapshotQuestions(context.Background(), snap), sink); err != nil {
				return err
			}
			return sink.Close()
		})
		if err != nil {
			d.writeStatus(w, r, err)
			return
		}
		name := "layersrank-question-bank"
		for _, part := range []string{f.Collection, f.Role} {
			if part != "" {
				name += "-" + part
			}
		}
		writePDF(w, name, pdf)
	})
}

// authorize checks the token, then the token's PDF allowance.
func (d *documents) authorize(r *http.Request, route string) error {
	p, err := d.authn.AuthorizeHTTP(r, route, auth.RoleReader)
	if err != nil {
		return err
	}
	if ok, wait := d.limit.Allow(p.Name); !ok {
		return apierr.New(codes.ResourceExhausted, qbank.ReasonRateLimited,
			fmt.Sprintf("token %q is over its PDF allowance (%d a second); retry in %v", p.Name, pdfsPerSecond, wait.Round(time.Millisecond)),
			map[string]string{"principal": p.Name}, apierr.Retry(wait)).Err()
	}
	return nil
}

// render returns the cached document for key, or renders it in a slot.
func (d *documents) render(ctx context.Context, revision int64, key string, render func(*bytes.Buffer) error) ([]byte, error) {
	if pdf, ok := d.cache.get(key); ok {
		return pdf, nil
	}
	if d.waiting.Add(1) > maxWaiting {
		d.waiting.Add(-1)
		return nil, busy()
	}
	select {
	case d.slots <- struct{}{}:
		d.waiting.Add(-1)
	case <-ctx.Done():
		d.waiting.Add(-1)
		return nil, ctx.Err()
	}
	defer func() { <-d.slots }()
	// The same document may have been rendered while this request waited.
	if pdf, ok := d.cache.get(key); ok {
		return pdf, nil
	}
	var buf bytes.Buffer
	start := time.Now()
	if err := render(&buf); err != nil {
		return nil, err
	}
	d.log.DebugContext(ctx, "rendered PDF", "bytes", buf.Len(), "duration", time.Since(start))
	pdf := buf.Bytes()
	d.cache.put(revision, key, pdf)
	return pdf, nil
}

// busy is the error for a request turned away because too many renders
// are queued: 429 with Retry-After.
func busy() error {
	return apierr.New(codes.ResourceExhausted, qbank.ReasonRateLimited, "too many PDF renders are queued; try again shortly",
		nil, apierr.Retry(time.Second)).Err()
}

// query returns the request's query parameters, refusing (400, naming it)
// one that is not valid UTF-8 or that the route does not take: a typo such
// as "roles=" must not quietly print the whole bank.
func query(r *http.Request, known ...string) (url.Values, error) {
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, (qbank.Violations{{Field: "query", Description: "is not a valid query string"}}).Err()
	}
	var v qbank.Violations
	for _, k := range slices.Sorted(func(yield func(string) bool) {
		for k := range q {
			if !yield(k) {
				return
			}
		}
	}) {
		switch {
		case !validUTF8(k) || slices.ContainsFunc(q[k], func(s string) bool { return !validUTF8(s) }):
			v.Add(strings.ToValidUTF8(k, "?"), "is not valid UTF-8")
		case !slices.Contains(known, k):
			v.Add(strings.ToValidUTF8(k, "?"), "is not a parameter of this route (it takes %s)", strings.Join(known, ", "))
		}
		if len(v) >= 5 {
			break
		}
	}
	return q, v.Err()
}

func validUTF8(s string) bool { return strings.ToValidUTF8(s, "") == s }

// writePDF sends a rendered document. It is confidential: no cache outside
// the client may keep it.
func writePDF(w http.ResponseWriter, name string, pdf []byte) {
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.pdf"`)
	w.Header().Set("Content-Length", fmt.Sprint(len(pdf)))
	w.Header().Set("Cache-Control", "private, no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write(pdf)
}

// writeStatus writes an error as every route does (gateway.WriteStatus):
// the JSON google.rpc.Status with its details, fields named by JSON paths,
// Retry-After and the Bearer challenge where they apply.
func (d *documents) writeStatus(w http.ResponseWriter, r *http.Request, err error) {
	gateway.WriteStatus(w, r, status.Convert(toStatus(apierr.WithJSONPaths(r.Context()), d.log, r.URL.Path, err)))
}

// pdfCache keeps rendered documents, least recently used first out, within
// a byte and an entry budget. Entries of a revision older than the newest
// seen are dropped as soon as a newer one is cached: they are never asked
// for again.
type pdfCache struct {
	mu         sync.Mutex
	maxBytes   int64
	maxEntries int
	bytes      int64
	newest     int64
	lru        *list.List // of *pdfEntry, most recent at the front
	byKey      map[string]*list.Element
}

type pdfEntry struct {
	key      string
	revision int64
	pdf      []byte
}

func newPDFCache(maxBytes int64, maxEntries int) *pdfCache {
	return &pdfCache{maxBytes: maxBytes, maxEntries: maxEntries, lru: list.New(), byKey: map[string]*list.Element{}}
}

func (c *pdfCache) get(key string) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.byKey[key]
	if !ok {
		return nil, false
	}
	c.lru.MoveToFront(el)
	return el.Value.(*pdfEntry).pdf, true
}

func (c *pdfCache) put(revision int64, key string, pdf []byte) {
	if int64(len(pdf)) > c.maxBytes/4 {
		return // one huge bank must not empty the cache of everything else
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if revision < c.newest {
		return // rendered from a snapshot already replaced
	}
	if revision > c.newest {
		c.newest = revision
		for el := c.lru.Back(); el != nil; {
			prev := el.Prev()
			if el.Value.(*pdfEntry).revision < revision {
				c.remove(el)
			}
			el = prev
		}
	}
	if _, ok := c.byKey[key]; ok {
		return
	}
	c.byKey[key] = c.lru.PushFront(&pdfEntry{key: key, revision: revision, pdf: pdf})
	c.bytes += int64(len(pdf))
	for c.bytes > c.maxBytes || c.lru.Len() > c.maxEntries {
		c.remove(c.lru.Back())
	}
}

func (c *pdfCache) remove(el *list.Element) {
	e := el.Value.(*pdfEntry)
	c.lru.Remove(el)
	delete(c.byKey, e.key)
	c.bytes -= int64(len(e.pdf))
}
