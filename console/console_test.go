package console_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/layersrank/qbank/console"
)

// TestSecurityHeaders checks the headers of every response the console
// handler gives: each asset, the page, a redirect, a missing file, a HEAD
// and a refused method.
func TestSecurityHeaders(t *testing.T) {
	h := console.Handler()
	type req struct{ method, path string }
	var reqs []req
	for _, name := range console.Names() {
		reqs = append(reqs, req{"GET", console.Prefix + name}, req{"HEAD", console.Prefix + name})
	}
	reqs = append(reqs, req{"GET", "/console/"}, req{"GET", "/console"}, req{"GET", "/console/nope.js"},
		req{"GET", "/console/../v1/questions"}, req{"POST", "/console/"}, req{"DELETE", "/console/js/app.js"})
	if len(console.Names()) < 10 {
		t.Fatalf("only %d assets embedded: %v", len(console.Names()), console.Names())
	}
	for _, r := range reqs {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(r.method, r.path, nil))
		hdr := rec.Header()
		if got := hdr.Get("Content-Security-Policy"); got != console.CSP {
			t.Errorf("%s %s: Content-Security-Policy = %q", r.method, r.path, got)
		}
		if hdr.Get("X-Content-Type-Options") != "nosniff" || hdr.Get("X-Frame-Options") != "DENY" || hdr.Get("Referrer-Policy") != "no-referrer" {
			t.Errorf("%s %s: headers %v", r.method, r.path, hdr)
		}
	}
	for _, directive := range []string{"default-src 'none'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'",
		"connect-src 'self'", "require-trusted-types-for 'script'"} {
		if !strings.Contains(console.CSP, directive) {
			t.Errorf("CSP lacks %s", directive)
		}
	}
	if strings.Contains(console.CSP, "unsafe") || strings.Contains(console.CSP, "http") || strings.Contains(console.CSP, "*") {
		t.Errorf("CSP allows too much: %s", console.CSP)
	}
}

func TestServing(t *testing.T) {
	h := console.Handler()
	get := func(method, path string, hdr ...string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(method, path, nil)
		for i := 0; i+1 < len(hdr); i += 2 {
			r.Header.Set(hdr[i], hdr[i+1])
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		return rec
	}
	t.Run("IndexNotCached", func(t *testing.T) {
		rec := get("GET", "/console/")
		if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
			t.Fatalf("GET /console/: %d %s", rec.Code, rec.Header().Get("Content-Type"))
		}
		if rec.Header().Get("Cache-Control") != "no-cache" || rec.Header().Get("ETag") == "" {
			t.Errorf("index caching: %v", rec.Header())
		}
		if !bytes.Contains(rec.Body.Bytes(), []byte(`<script type="module" src="js/app.js">`)) {
			t.Errorf("index does not load the app module")
		}
		again := get("GET", "/console/", "If-None-Match", rec.Header().Get("ETag"))
		if again.Code != http.StatusNotModified || again.Body.Len() != 0 {
			t.Errorf("revalidation: %d, %d bytes", again.Code, again.Body.Len())
		}
	})
	t.Run("ModulesAreJavaScript", func(t *testing.T) {
		rec := get("GET", "/console/js/app.js")
		if rec.Code != 200 || rec.Header().Get("Content-Type") != "text/javascript; charset=utf-8" {
			t.Fatalf("app.js: %d %q", rec.Code, rec.Header().Get("Content-Type"))
		}
	})
	t.Run("Redirect", func(t *testing.T) {
		rec := get("GET", "/console")
		if rec.Code != http.StatusMovedPermanently || rec.Header().Get("Location") != "/console/" {
			t.Errorf("GET /console: %d %q", rec.Code, rec.Header().Get("Location"))
		}
	})
	t.Run("Head", func(t *testing.T) {
		rec := get("HEAD", "/console/console.css")
		if rec.Code != 200 || rec.Body.Len() != 0 || rec.Header().Get("Content-Length") == "" {
			t.Errorf("HEAD: %d, %d bytes, length %q", rec.Code, rec.Body.Len(), rec.Header().Get("Content-Length"))
		}
	})
	t.Run("MethodNotAllowed", func(t *testing.T) {
		rec := get("POST", "/console/")
		if rec.Code != http.StatusMethodNotAllowed || rec.Header().Get("Allow") != "GET, HEAD" {
			t.Errorf("POST: %d, Allow %q", rec.Code, rec.Header().Get("Allow"))
		}
	})
	t.Run("Gzip", func(t *testing.T) {
		plain := get("GET", "/console/js/edit.js")
		rec := get("GET", "/console/js/edit.js", "Accept-Encoding", "br, gzip")
		if rec.Header().Get("Content-Encoding") != "gzip" || rec.Header().Get("Vary") != "Accept-Encoding" {
			t.Fatalf("gzip: %v", rec.Header())
		}
		zr, err := gzip.NewReader(rec.Body)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(zr)
		if !bytes.Equal(body, plain.Body.Bytes()) || rec.Header().Get("ETag") == plain.Header().Get("ETag") {
			t.Errorf("gzip body differs or shares the plain etag")
		}
		if again := get("GET", "/console/js/edit.js", "Accept-Encoding", "gzip", "If-None-Match", rec.Header().Get("ETag")); again.Code != http.StatusNotModified {
			t.Errorf("gzip revalidation: %d", again.Code)
		}
		if rec := get("GET", "/console/js/edit.js", "Accept-Encoding", "gzip;q=0"); rec.Header().Get("Content-Encoding") != "" {
			t.Errorf("gzip sent though refused")
		}
	})
	t.Run("NotFound", func(t *testing.T) {
		for _, p := range []string{"/console/nope.js", "/console/js/", "/console/assets/index.html"} {
			if rec := get("GET", p); rec.Code != http.StatusNotFound {
				t.Errorf("GET %s: %d", p, rec.Code)
			}
		}
	})
}

// TestMount checks that the console takes only its own paths.
func TestMount(t *testing.T) {
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusTeapot) })
	h := console.Mount(next)
	for path, want := range map[string]int{
		"/console/": 200, "/console": http.StatusMovedPermanently, "/console/js/app.js": 200, "/console/x": 404,
		"/consoles": http.StatusTeapot, "/v1/questions": http.StatusTeapot, "/": http.StatusTeapot, "/healthz": http.StatusTeapot,
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		if rec.Code != want {
			t.Errorf("GET %s: %d, want %d", path, rec.Code, want)
		}
	}
}

// TestNoUnsafeMarkup keeps the console's sources free of the constructs the
// CSP forbids or that would parse data as HTML: a regression shows up here
// before it shows up as a blocked script in a browser.
func TestNoUnsafeMarkup(t *testing.T) {
	h := console.Handler()
	for _, name := range console.Names() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", console.Prefix+name, nil))
		body, _ := io.ReadAll(rec.Body)
		src := string(body)
		for _, bad := range []string{"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function",
			"style=\"", "onclick=", "onload=", "javascript:", "localStorage", "document.cookie", "http://", "https://"} {
			if strings.Contains(src, bad) && !(strings.HasSuffix(name, ".svg") && strings.HasPrefix(bad, "http")) {
				t.Errorf("%s contains %q", name, bad)
			}
		}
		if strings.HasSuffix(name, ".html") && strings.Contains(src, "<script>") {
			t.Errorf("%s has an inline script", name)
		}
	}
}

// apiJSON calls the API as a test client does, outside the browser.
func apiJSON(t *testing.T, client *http.Client, base, token, method, path string, body any) (int, map[string]any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, base+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	out := map[string]any{}
	_ = json.Unmarshal(raw, &out)
	return resp.StatusCode, out
}
