// Package testserver runs a real qbank server on loopback ports for tests,
// on each store the tests must cover, with its own gRPC and HTTP clients so
// that stopping it leaves no connection or goroutine behind. It is shared by
// every package's end-to-end tests (a _test file cannot be imported).
package testserver

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"

	pb "github.com/layersrank/qbank/proto/layersrank/questionbank/v1"
	"github.com/layersrank/qbank/repository/postgres/pgtest"
	"github.com/layersrank/qbank/server"
)

// Tokens a test server accepts unless the test sets its own (the server
// requires at least 16 characters).
const (
	AdminToken  = "test-admin-token-0123456789"
	ReaderToken = "test-reader-token-0123456789"
)

// Backend says where a test server keeps its data. Config returns a function
// that yields a configuration on the same data each time it is called, for
// restarts and for several replicas on one store.
type Backend struct {
	Name   string
	Config func(tb testing.TB) func() server.Config
}

// Backends are the stores every end-to-end test runs against: a SQLite file
// in a temporary dir, and a fresh PostgreSQL database.
var Backends = []Backend{
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

// ForEachBackend runs fn as a subtest per backend, named after it, so every
// store reports the same test names.
func ForEachBackend(t *testing.T, fn func(t *testing.T, cfg func() server.Config)) {
	for _, b := range Backends {
		t.Run(b.Name, func(t *testing.T) { fn(t, b.Config(t)) })
	}
}

// LogBuffer collects logs safely from many goroutines, so tests can check
// what a server reveals in them.
type LogBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *LogBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *LogBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// Server is a running test server and its clients.
type Server struct {
	*server.Server
	Base   string // http://127.0.0.1:port
	Conn   *grpc.ClientConn
	API    pb.QuestionBankServiceClient
	Client *http.Client
	Logs   *LogBuffer
	// Stop shuts the server down (once); it also runs at the test's end.
	Stop func()
}

// Start runs a server on free loopback ports and waits until it is ready.
// Unset tokens default to AdminToken and ReaderToken, an unset refresh
// interval to 100 ms, and an unset logger to JSON at every level into Logs.
func Start(tb testing.TB, cfg server.Config) *Server {
	tb.Helper()
	logs := &LogBuffer{}
	cfg.GRPCAddr, cfg.HTTPAddr = "127.0.0.1:0", "127.0.0.1:0"
	if cfg.AdminToken == "" && cfg.ReaderToken == "" && cfg.TokensFile == "" {
		cfg.AdminToken, cfg.ReaderToken = AdminToken, ReaderToken
	}
	if cfg.RefreshInterval == 0 {
		cfg.RefreshInterval = 100 * time.Millisecond
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	srv, err := server.New(ctx, cfg)
	if err != nil {
		tb.Fatalf("start server: %v", err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve() }()
	conn, err := grpc.NewClient(srv.GRPCAddr(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		tb.Fatal(err)
	}
	transport := &http.Transport{MaxIdleConnsPerHost: 64, DisableCompression: true}
	s := &Server{
		Server: srv, Base: "http://" + srv.HTTPAddr(), Conn: conn, API: pb.NewQuestionBankServiceClient(conn),
		Client: &http.Client{Transport: transport, Timeout: 30 * time.Second}, Logs: logs,
	}
	var once sync.Once
	s.Stop = func() {
		once.Do(func() {
			conn.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
			defer cancel()
			if err := srv.Shutdown(ctx); err != nil {
				tb.Errorf("shutdown: %v", err)
			}
			if err := <-served; err != nil {
				tb.Errorf("serve: %v", err)
			}
			transport.CloseIdleConnections()
		})
	}
	tb.Cleanup(s.Stop)
	if err := WaitReady(s.Client, s.Base, 20*time.Second); err != nil {
		tb.Fatal(err)
	}
	return s
}

// WaitReady polls base's /readyz until it answers 200.
func WaitReady(client *http.Client, base string, within time.Duration) error {
	deadline := time.Now().Add(within)
	for {
		resp, err := client.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s never became ready (last: %v)", base, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Reply is an HTTP answer: its status, headers, raw body and, when the body
// is a JSON object, the decoded object.
type Reply struct {
	Code   int
	Header http.Header
	Raw    []byte
	Body   map[string]any
}

// Do makes one HTTP call with a bearer token (none when token is empty) and
// a body: nil, raw bytes, a string, or anything else encoded as JSON. It
// never fails the test, so load goroutines can use it; a transport error
// comes back as err.
func Do(ctx context.Context, c *http.Client, method, url, token string, body any) (Reply, error) {
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	case string:
		rd = strings.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			return Reply{}, err
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return Reply{}, err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.Do(req)
	if err != nil {
		return Reply{}, err
	}
	defer resp.Body.Close()
	r := Reply{Code: resp.StatusCode, Header: resp.Header}
	if r.Raw, err = io.ReadAll(resp.Body); err != nil {
		return r, err
	}
	// Only a body that is one JSON object is decoded; a stream of them (the
	// export) is left to the test to read from Raw.
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") && len(r.Raw) > 0 && r.Raw[0] == '{' {
		_ = json.Unmarshal(r.Raw, &r.Body)
	}
	return r, nil
}

// Call is Do against the test server, failing the test on a transport error
// (only for the test's own goroutine).
func (s *Server) Call(tb testing.TB, method, path, token string, body any) Reply {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	r, err := Do(ctx, s.Client, method, s.Base+path, token, body)
	if err != nil {
		tb.Fatalf("%s %s: %v", method, path, err)
	}
	return r
}

// Must is Call that fails the test unless the status is want.
func (s *Server) Must(tb testing.TB, want int, method, path, token string, body any) Reply {
	tb.Helper()
	r := s.Call(tb, method, path, token, body)
	if r.Code != want {
		raw := string(r.Raw)
		if len(raw) > 400 {
			raw = raw[:400] + "…"
		}
		tb.Fatalf("%s %s = %d %s, want %d", method, path, r.Code, raw, want)
	}
	return r
}

// AuthContext is a context for gRPC calls with a bearer token (none when
// token is empty).
func AuthContext(parent context.Context, token string) context.Context {
	if token == "" {
		return parent
	}
	return metadata.AppendToOutgoingContext(parent, "authorization", "Bearer "+token)
}

// GRPCContext is AuthContext with a timeout that ends with the test.
func GRPCContext(tb testing.TB, token string) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	tb.Cleanup(cancel)
	return AuthContext(ctx, token)
}

// FreeAddr returns a loopback address that was free a moment ago, for a
// server the test starts as a command or a subprocess (one started here
// binds port 0 instead).
func FreeAddr(tb testing.TB) string {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}
