package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"

	"github.com/layersrank/qbank/internal/testserver"
	"github.com/layersrank/qbank/server"
)

const (
	adminToken  = testserver.AdminToken
	readerToken = testserver.ReaderToken
)

// backends are the stores every end-to-end test runs against.
var backends = testserver.Backends

// forEachBackend runs fn as a subtest per backend.
func forEachBackend(t *testing.T, fn func(t *testing.T, cfg func() server.Config)) {
	testserver.ForEachBackend(t, fn)
}

// testServer is a real server on loopback ports (internal/testserver), with
// the short names these tests use.
type testServer struct {
	*testserver.Server
	base string // http://127.0.0.1:port
	conn *grpc.ClientConn
	logs *testserver.LogBuffer
	stop func()
}

func start(t testing.TB, cfg server.Config) *testServer {
	t.Helper()
	s := testserver.Start(t, cfg)
	return &testServer{Server: s, base: s.Base, conn: s.Conn, logs: s.Logs, stop: s.Stop}
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
