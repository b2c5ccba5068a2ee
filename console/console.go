// Package console serves the curation console: a browser client of the JSON
// gateway for admins and reviewers, at /console/ on the HTTP listener.
//
// The console is static: one HTML page, a style sheet and JavaScript
// modules, embedded in the binary, so nothing needs building and nothing is
// fetched from another origin. It holds no secrets and needs no token to
// load; every API call it makes carries the token the user signs in with,
// and the API decides what that token may do, so the console can show no
// more than the API allows.
//
// Every response carries a strict Content-Security-Policy: scripts, styles
// and API calls from this origin only, no inline script or style, no
// framing, and Trusted Types required, so the browser itself refuses any
// attempt to parse a string as HTML (question text is only ever set as
// text).
package console

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
)

//go:embed assets
var assets embed.FS

// Prefix is where the console is mounted.
const Prefix = "/console/"

// CSP is the Content-Security-Policy of every console response.
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; " +
	"connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'; " +
	"require-trusted-types-for 'script'; trusted-types 'none'"

// file is one embedded asset, read (and compressed) once.
type file struct {
	body        []byte
	gzipped     []byte // nil when compression does not pay
	contentType string
	etag        string
}

// Mount serves the console under Prefix (and redirects the bare prefix to
// it) and hands every other request to next, so the console needs no route
// in the API's router.
func Mount(next http.Handler) http.Handler {
	ui := Handler()
	bare := strings.TrimSuffix(Prefix, "/")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == bare || strings.HasPrefix(r.URL.Path, Prefix) {
			ui.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// Handler serves the console under Prefix: index.html at Prefix itself and
// the assets beside it. It answers GET and HEAD only.
func Handler() http.Handler {
	files, err := load()
	if err != nil {
		// The assets are embedded at build time; failing here means the
		// binary itself is broken, which a test catches.
		panic(err)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		setSecurityHeaders(w.Header())
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		name, ok := strings.CutPrefix(r.URL.Path, Prefix)
		if !ok {
			if r.URL.Path+"/" == Prefix {
				http.Redirect(w, r, Prefix, http.StatusMovedPermanently)
				return
			}
			http.NotFound(w, r)
			return
		}
		if name == "" {
			name = "index.html"
		}
		f, ok := files[name]
		if !ok {
			http.NotFound(w, r)
			return
		}
		h := w.Header()
		h.Set("Content-Type", f.contentType)
		// Revalidate every time (a cheap 304 by etag), so a new release's
		// page never runs with an old release's modules.
		h.Set("Cache-Control", "no-cache")
		h.Set("Vary", "Accept-Encoding")
		body, etag := f.body, f.etag
		if f.gzipped != nil && acceptsGzip(r) {
			body, etag = f.gzipped, strings.TrimSuffix(f.etag, `"`)+`-gz"`
			h.Set("Content-Encoding", "gzip")
		}
		h.Set("ETag", etag)
		if match := r.Header.Get("If-None-Match"); match != "" && etagMatches(match, etag) {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		h.Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(http.StatusOK)
		if r.Method == http.MethodGet {
			_, _ = w.Write(body)
		}
	})
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(name), "gzip") && strings.ReplaceAll(strings.TrimSpace(params), " ", "") != "q=0" {
			return true
		}
	}
	return false
}

// setSecurityHeaders applies to every response, errors and redirects
// included.
func setSecurityHeaders(h http.Header) {
	h.Set("Content-Security-Policy", CSP)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Cross-Origin-Resource-Policy", "same-origin")
	h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
}

func etagMatches(header, etag string) bool {
	for _, candidate := range strings.Split(header, ",") {
		candidate = strings.TrimSpace(candidate)
		if candidate == "*" || strings.TrimPrefix(candidate, "W/") == etag {
			return true
		}
	}
	return false
}

// load reads every embedded asset, keyed by its path under assets/.
func load() (map[string]file, error) {
	files := map[string]file{}
	err := fs.WalkDir(assets, "assets", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := assets.ReadFile(p)
		if err != nil {
			return err
		}
		ct := mime.TypeByExtension(path.Ext(p))
		switch path.Ext(p) {
		case ".js":
			ct = "text/javascript; charset=utf-8" // the system's MIME table may lack it or disagree
		case ".html":
			ct = "text/html; charset=utf-8"
		case ".css":
			ct = "text/css; charset=utf-8"
		case ".svg":
			ct = "image/svg+xml"
		}
		if ct == "" {
			return fmt.Errorf("console: no content type for %s", p)
		}
		sum := sha256.Sum256(body)
		f := file{
			body: body, contentType: ct,
			etag: `"` + base64.RawURLEncoding.EncodeToString(sum[:12]) + `"`,
		}
		var gz bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
		if _, err := zw.Write(body); err != nil {
			return err
		}
		if err := zw.Close(); err != nil {
			return err
		}
		if gz.Len() < len(body)*9/10 {
			f.gzipped = gz.Bytes()
		}
		files[strings.TrimPrefix(p, "assets/")] = f
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("console: load assets: %w", err)
	}
	if _, ok := files["index.html"]; !ok {
		return nil, fmt.Errorf("console: assets lack index.html")
	}
	return files, nil
}

// Names lists the served asset paths under Prefix, for tests.
func Names() []string {
	files, err := load()
	if err != nil {
		return nil
	}
	out := make([]string, 0, len(files))
	for name := range files {
		out = append(out, name)
	}
	return out
}
