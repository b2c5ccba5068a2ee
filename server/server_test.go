package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"

	"github.com/layersrank/qbank/repository/postgres/pgtest"
	"github.com/layersrank/qbank/server"
)

const (
	adminToken  = "test-admin-token-0123456789"
	readerToken = "test-reader-token-0123456789"
)

// backend says where a test server keeps its data; every end-to-end test runs
// once per backend with the same name.
type backend struct {
	name string
	// config returns a store configuration; calling it again with the same
	// state returns one on the same data (for restarts and replicas).
	config func(tb testing.TB) func() server.Config
}

var backends = []backend{
	{"sqlite", func(tb testing.TB) func() server.Config {
		dir := tb.TempDir()
		return func() server.Config { return server.Config{DataDir: dir} }
	}},
	{"postgres", func(tb testing.TB) func() server.Config {
		url := pgtest.NewDatabase(tb)
		dir := tb.TempDir()
		return func() server.Config { return server.Config{DataDir: dir, DatabaseURL: url} }
	}},
}

// forEachBackend runs fn as a subtest per backend.
func forEachBackend(t *testing.T, fn func(t *testing.T, cfg func() server.Config)) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) { fn(t, b.config(t)) })
	}
}

// logBuffer collects a server's logs so tests can check what they reveal.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// testServer is a real server on loopback ports.
type testServer struct {
	*server.Server
	base string // http://127.0.0.1:port
	conn *grpc.ClientConn
	logs *logBuffer
	stop func()
}

func start(t testing.TB, cfg server.Config) *testServer {
	t.Helper()
	logs := &logBuffer{}
	cfg.GRPCAddr, cfg.HTTPAddr = "127.0.0.1:0", "127.0.0.1:0"
	cfg.AdminToken, cfg.ReaderToken = adminToken, readerToken
	cfg.RefreshInterval = 100 * time.Millisecond
	cfg.Logger = slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	srv, err := server.New(ctx, cfg)
	if err != nil {
		t.Fatalf("start server: %v", err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve() }()
	conn, err := grpc.NewClient(srv.GRPCAddr(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	ts := &testServer{Server: srv, base: "http://" + srv.HTTPAddr(), conn: conn, logs: logs}
	var once sync.Once
	ts.stop = func() {
		once.Do(func() {
			conn.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := srv.Shutdown(ctx); err != nil {
				t.Errorf("shutdown: %v", err)
			}
			if err := <-served; err != nil {
				t.Errorf("serve: %v", err)
			}
		})
	}
	t.Cleanup(ts.stop)
	waitReady(t, ts.base)
	return ts
}

func waitReady(t testing.TB, base string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s never became ready", base)
}

// call makes an HTTP request through the gateway and decodes a JSON reply.
func (ts *testServer) call(t *testing.T, method, path, token string, body any) (int, map[string]any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, ts.base+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	out := map[string]any{}
	if len(raw) > 0 && strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(raw, &out); err != nil {
			t.Fatalf("%s %s: decode %q: %v", method, path, raw, err)
		}
	}
	return resp.StatusCode, out
}

// must is call that fails the test unless the status is want.
func (ts *testServer) must(t *testing.T, want int, method, path, token string, body any) map[string]any {
	t.Helper()
	code, out := ts.call(t, method, path, token, body)
	if code != want {
		t.Fatalf("%s %s = %d %v, want %d", method, path, code, out, want)
	}
	return out
}

func grpcCtx(t testing.TB, token string) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+token)
}

func str(v any) string { return fmt.Sprint(v) }

func list(m map[string]any, key string) []any {
	l, _ := m[key].([]any)
	return l
}

func obj(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}
