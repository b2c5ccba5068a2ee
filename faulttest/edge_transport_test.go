package faulttest_test

// Regression tests for the transport half of "hardening the edge": calls
// are admitted before their payload is read, bodies are small unless an
// admin imports, slow and idle clients are dropped, SIGTERM drains and exits
// 0 whatever is connected, streams per connection are capped, and both
// listeners and the CLI speak TLS. Every test is loopback only and bounded
// in time; waits are generous, assertions are about outcomes, not speed.

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/mem"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/layersrank/qbank/internal/bankgen"
	"github.com/layersrank/qbank/internal/heappeak"
	"github.com/layersrank/qbank/internal/testserver"
	pb "github.com/layersrank/qbank/proto/layersrank/questionbank/v1"
	"github.com/layersrank/qbank/protoconv"
	"github.com/layersrank/qbank/seed"
	"github.com/layersrank/qbank/server"
)

// rawCodec sends pre-encoded bytes as a gRPC message, so a test can send a
// 60 MiB payload without the client copying it (the heap measured is the
// server's, in this process).
type rawCodec struct{}

func (rawCodec) Marshal(v any) (mem.BufferSlice, error) {
	return mem.BufferSlice{mem.SliceBuffer(v.([]byte))}, nil
}

func (rawCodec) Unmarshal(data mem.BufferSlice, v any) error {
	*(v.(*[]byte)) = data.Materialize()
	return nil
}

func (rawCodec) Name() string { return "proto" }

// sizedBody hides its length, so the request goes out chunked and the
// server learns the size only by reading.
type sizedBody struct{ io.Reader }

// TestEdgeLargeBodiesRefusedBeforeRead sends 60 MiB payloads that no caller
// but an admin importing may send, over both transports: each is refused
// with its status, and the server's heap grows by a few MiB at most.
// Before, every one was read and decoded first (eight such calls took the
// server from 30 MB to 1.5 GB).
func TestEdgeLargeBodiesRefusedBeforeRead(t *testing.T) {
	s := testserver.Start(t, server.Config{DataDir: t.TempDir()})
	payload := make([]byte, 60<<20)
	for i := range payload {
		payload[i] = 'x'
	}
	// A JSON string that never ends: a JSON decoder must read it all.
	copy(payload, `{"text":"`)
	const maxGrowth = 12 << 20

	grpcCall := func(t *testing.T, method, token string, want ...codes.Code) {
		t.Helper()
		// A connection of its own: one the server closes for its budget
		// must not take the next case's with it.
		conn, err := grpc.NewClient(s.GRPCAddr(), grpc.WithTransportCredentials(insecure.NewCredentials()))
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		ctx, cancel := context.WithTimeout(testserver.AuthContext(context.Background(), token), 60*time.Second)
		defer cancel()
		var out []byte
		err = conn.Invoke(ctx, method, payload, &out, grpc.ForceCodecV2(rawCodec{}))
		if code := status.Code(err); !containsCode(want, code) {
			t.Errorf("%s (token %q) = %v, want one of %v", method, token, err, want)
		}
	}
	httpCall := func(t *testing.T, method, path, token string, chunked bool, want int) {
		t.Helper()
		var body io.Reader = bytes.NewReader(payload)
		if chunked {
			body = sizedBody{body}
		}
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, method, s.Base+path, body)
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		// Its own transport: the server closes these connections.
		client := &http.Client{Transport: &http.Transport{}}
		defer client.CloseIdleConnections()
		resp, err := client.Do(req)
		if err != nil {
			t.Errorf("%s %s: %v", method, path, err)
			return
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		var st map[string]any
		if resp.StatusCode != want || json.Unmarshal(raw, &st) != nil || st["message"] == nil {
			t.Errorf("%s %s (token %q, chunked %v) = %d %s, want %d with a JSON status", method, path, token, chunked, resp.StatusCode, truncate(string(raw), 300), want)
		}
	}

	cases := []struct {
		name string
		run  func(t *testing.T)
	}{
		{"grpc anonymous import", func(t *testing.T) {
			grpcCall(t, pb.QuestionBankService_ImportQuestions_FullMethodName, "", codes.Unauthenticated)
		}},
		{"grpc reader import", func(t *testing.T) {
			grpcCall(t, pb.QuestionBankService_ImportQuestions_FullMethodName, readerToken, codes.PermissionDenied)
		}},
		{"grpc anonymous create", func(t *testing.T) {
			grpcCall(t, pb.QuestionBankService_CreateQuestion_FullMethodName, "", codes.Unauthenticated)
		}},
		{"grpc bad token import", func(t *testing.T) {
			grpcCall(t, pb.QuestionBankService_ImportQuestions_FullMethodName, badToken, codes.Unauthenticated)
		}},
		// Open and reader methods: the connection's byte budget closes it.
		{"grpc anonymous health check", func(t *testing.T) {
			grpcCall(t, "/grpc.health.v1.Health/Check", "", codes.Unavailable, codes.Internal, codes.ResourceExhausted)
		}},
		{"grpc reader get", func(t *testing.T) {
			grpcCall(t, pb.QuestionBankService_GetQuestion_FullMethodName, readerToken, codes.Unavailable, codes.Internal, codes.ResourceExhausted)
		}},
		{"http anonymous import", func(t *testing.T) {
			httpCall(t, http.MethodPost, "/v1/questions:import", "", false, http.StatusUnauthorized)
		}},
		{"http anonymous import chunked", func(t *testing.T) {
			httpCall(t, http.MethodPost, "/v1/questions:import", "", true, http.StatusUnauthorized)
		}},
		{"http reader import", func(t *testing.T) {
			httpCall(t, http.MethodPost, "/v1/questions:import", readerToken, false, http.StatusForbidden)
		}},
		// Not an import: the suffix no longer picks the limit.
		{"http admin patch with import suffix", func(t *testing.T) {
			httpCall(t, http.MethodPatch, "/v1/questions/abc-def:import", adminToken, false, http.StatusNotFound)
		}},
		{"http admin create", func(t *testing.T) {
			httpCall(t, http.MethodPost, "/v1/questions", adminToken, false, http.StatusRequestEntityTooLarge)
		}},
		{"http admin create chunked", func(t *testing.T) {
			httpCall(t, http.MethodPost, "/v1/questions", adminToken, true, http.StatusRequestEntityTooLarge)
		}},
	}
	for _, c := range cases {
		t.Run(strings.ReplaceAll(c.name, " ", "_"), func(t *testing.T) {
			stop := heappeak.Start(5 * time.Millisecond)
			c.run(t)
			if grew := stop(); grew > maxGrowth {
				t.Errorf("server heap grew by %.1f MiB during the call, want at most %d MiB", float64(grew)/(1<<20), maxGrowth>>20)
			} else {
				t.Logf("heap growth %.1f MiB", float64(grew)/(1<<20))
			}
		})
	}
	// The server still serves.
	s.Must(t, http.StatusOK, http.MethodGet, "/v1/taxonomy", readerToken, nil)
}

func containsCode(list []codes.Code, c codes.Code) bool {
	for _, x := range list {
		if x == c {
			return true
		}
	}
	return false
}

// TestEdgeAdminImportsLargeBank: the large allowance is still there for an
// admin's import, over both transports: a 10,000-question bank, far over
// the small body limit.
func TestEdgeAdminImportsLargeBank(t *testing.T) {
	s := testserver.Start(t, server.Config{DataDir: t.TempDir()})
	bank, err := seed.Load()
	if err != nil {
		t.Fatal(err)
	}
	qs := protoconv.QuestionsToProto(bankgen.Questions(&bank.Taxonomy, 10000, 11))
	for _, q := range qs {
		q.ChangeNote = "edge import"
	}
	req := &pb.ImportQuestionsRequest{Questions: qs, ValidateOnly: true}
	body, err := protojson.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	if len(body) <= 4<<20 {
		t.Fatalf("the test bank is only %d bytes; it must exceed the small body limit", len(body))
	}
	t.Logf("import body: %.1f MiB", float64(len(body))/(1<<20))
	r := s.Call(t, http.MethodPost, "/v1/questions:import", adminToken, body)
	if r.Code != http.StatusOK || str(r.Body["validateOnly"]) != "true" {
		t.Fatalf("HTTP dry-run import of 10,000 questions = %d %s", r.Code, truncate(string(r.Raw), 300))
	}
	req.ValidateOnly = false
	resp, err := s.API.ImportQuestions(testserver.GRPCContext(t, adminToken), req, grpc.MaxCallRecvMsgSize(64<<20))
	if err != nil {
		t.Fatalf("gRPC import of 10,000 questions: %v", err)
	}
	if resp.GetCreatedCount() != 10000 {
		t.Fatalf("gRPC import created %d questions, want 10000", resp.GetCreatedCount())
	}
}

// rawRequest opens a TCP connection to addr and writes head; the returned
// channel yields the server's answer (status line, or "" when it closed
// without one) and the time the server closed the connection.
type rawAnswer struct {
	status string
	closed time.Duration
}

func rawRequest(t *testing.T, addr, head string) (net.Conn, <-chan rawAnswer) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	if head != "" {
		if _, err := io.WriteString(conn, head); err != nil {
			t.Fatal(err)
		}
	}
	began := time.Now()
	out := make(chan rawAnswer, 1)
	go func() {
		br := bufio.NewReader(conn)
		line, _ := br.ReadString('\n')
		_, _ = io.Copy(io.Discard, br) // until the server closes
		out <- rawAnswer{status: strings.TrimSpace(line), closed: time.Since(began)}
	}()
	return conn, out
}

// trickle writes one byte every interval until the connection fails or
// stop closes.
func trickle(conn net.Conn, interval time.Duration, stop <-chan struct{}) {
	go func() {
		tick := time.NewTicker(interval)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				if _, err := conn.Write([]byte{' '}); err != nil {
					return
				}
			}
		}
	}()
}

// TestEdgeSlowAndIdleClientsDropped: a client that trickles a body, with
// or without a token, or trickles its headers, or connects and says
// nothing, is dropped within the read timeout; the connection cap holds.
// Before, a body trickled at a byte per 5 s kept its connection (and
// goroutine) at 70 s without a token.
func TestEdgeSlowAndIdleClientsDropped(t *testing.T) {
	const readTimeout = 2 * time.Second
	s := testserver.Start(t, server.Config{DataDir: t.TempDir(), ReadTimeout: readTimeout, MaxConns: 8})
	addr := strings.TrimPrefix(s.Base, "http://")
	within := readTimeout + 8*time.Second // generous: the machine may be loaded
	post := func(token string) string {
		h := "POST /v1/questions HTTP/1.1\r\nHost: qbank\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n"
		if token != "" {
			h += "Authorization: Bearer " + token + "\r\n"
		}
		return h + "\r\n{"
	}
	stop := make(chan struct{})
	defer close(stop)

	anon, anonAnswer := rawRequest(t, addr, post(""))
	trickle(anon, 200*time.Millisecond, stop)
	admin, adminAnswer := rawRequest(t, addr, post(adminToken))
	trickle(admin, 200*time.Millisecond, stop)
	headers, headersAnswer := rawRequest(t, addr, "GET /healthz HTTP/1.1\r\n")
	trickle(headers, 200*time.Millisecond, stop)
	_, idleAnswer := rawRequest(t, addr, "")

	for _, c := range []struct {
		name   string
		answer <-chan rawAnswer
		status string // the status line's code, or "" for any
	}{
		{"anonymous body trickler", anonAnswer, "401"},
		{"admin body trickler", adminAnswer, "408"},
		{"header trickler", headersAnswer, ""},
		{"idle connection", idleAnswer, ""},
	} {
		select {
		case a := <-c.answer:
			t.Logf("%s: %q, closed after %v", c.name, a.status, a.closed.Round(10*time.Millisecond))
			if c.status != "" && !strings.Contains(a.status, " "+c.status+" ") {
				t.Errorf("%s got %q, want status %s", c.name, a.status, c.status)
			}
		case <-time.After(within):
			t.Errorf("%s still connected after %v (read timeout %v)", c.name, within, readTimeout)
		}
	}

	// The connection cap: with every slot held by a silent client, a new
	// request waits; once they go, it is served.
	var held []net.Conn
	for range 8 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, c)
	}
	time.Sleep(200 * time.Millisecond) // let the server accept them
	quick := &http.Client{Timeout: 500 * time.Millisecond, Transport: &http.Transport{}}
	if resp, err := quick.Get(s.Base + "/healthz"); err == nil {
		resp.Body.Close()
		t.Errorf("a 9th connection was served while 8 (the cap) were open")
	}
	for _, c := range held {
		c.Close()
	}
	if err := testserver.WaitReady(&http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{}}, s.Base, within); err != nil {
		t.Errorf("after the held connections closed: %v", err)
	}
}

// TestEdgeSmallAnonymousBodyClosedAtOnce: a refused request whose small
// body is still arriving is answered and its connection closed at once,
// not held while Go's server reads up to 256 KiB of body to reuse the
// connection. Before, a trickled 1,000-byte anonymous body kept its
// connection until the read timeout.
func TestEdgeSmallAnonymousBodyClosedAtOnce(t *testing.T) {
	const readTimeout = 20 * time.Second
	s := testserver.Start(t, server.Config{DataDir: t.TempDir(), ReadTimeout: readTimeout})
	stop := make(chan struct{})
	defer close(stop)
	c, answer := rawRequest(t, strings.TrimPrefix(s.Base, "http://"),
		"POST /v1/questions HTTP/1.1\r\nHost: qbank\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{")
	trickle(c, 200*time.Millisecond, stop)
	select {
	case a := <-answer:
		t.Logf("%q, closed after %v", a.status, a.closed.Round(10*time.Millisecond))
		if !strings.Contains(a.status, " 401 ") {
			t.Errorf("got %q, want 401", a.status)
		}
		if a.closed > readTimeout/2 {
			t.Errorf("closed after %v: held for most of the read timeout (%v)", a.closed, readTimeout)
		}
	case <-time.After(readTimeout + 5*time.Second):
		t.Errorf("still connected after the read timeout (%v)", readTimeout)
	}
}

// TestEdgeStreamsPerConnectionCapped: one anonymous gRPC connection gets at
// most MaxStreams concurrent calls; the next waits (the client obeys the
// server's SETTINGS) instead of being served. Before, 3,000 anonymous
// Health/Watch streams on one connection were all accepted.
func TestEdgeStreamsPerConnectionCapped(t *testing.T) {
	const capStreams = 8
	s := testserver.Start(t, server.Config{DataDir: t.TempDir(), MaxStreams: capStreams})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	health := healthpb.NewHealthClient(s.Conn)
	for i := range capStreams {
		w, err := health.Watch(ctx, &healthpb.HealthCheckRequest{})
		if err == nil {
			_, err = w.Recv()
		}
		if err != nil {
			t.Fatalf("watch %d of %d: %v", i+1, capStreams, err)
		}
	}
	extra, cancelExtra := context.WithTimeout(ctx, 2*time.Second)
	defer cancelExtra()
	w, err := health.Watch(extra, &healthpb.HealthCheckRequest{})
	if err == nil {
		_, err = w.Recv()
	}
	if status.Code(err) != codes.DeadlineExceeded {
		t.Fatalf("stream %d on a connection capped at %d = %v, want it held back (DeadlineExceeded)", capStreams+1, capStreams, err)
	}
}

// TestEdgeAnonymousRateLimited: calls without a valid token are limited per
// client address on both transports (429 with a JSON status and
// Retry-After over HTTP), while a token's calls are not.
func TestEdgeAnonymousRateLimited(t *testing.T) {
	s := testserver.Start(t, server.Config{DataDir: t.TempDir(), AnonRateLimit: 2})
	limited := func() bool {
		for range 20 {
			r := s.Call(t, http.MethodGet, "/healthz", "", nil)
			if r.Code == http.StatusTooManyRequests {
				if r.Body["message"] == nil || r.Header.Get("Retry-After") == "" {
					t.Errorf("429 without a JSON status or Retry-After: %v %s", r.Header, r.Raw)
				}
				return true
			}
		}
		return false
	}
	if !limited() {
		t.Fatalf("20 anonymous /healthz calls in a row were all served (limit 2/s, burst 4)")
	}
	// Guessing tokens spends the same allowance: 429, not another 401.
	if r := s.Call(t, http.MethodGet, "/v1/taxonomy", badToken, nil); r.Code != http.StatusTooManyRequests {
		t.Errorf("bad token after the allowance was spent = %d, want 429", r.Code)
	}
	s.Must(t, http.StatusOK, http.MethodGet, "/v1/taxonomy", readerToken, nil)
	health := healthpb.NewHealthClient(s.Conn)
	var last error
	for range 20 {
		if _, last = health.Check(testserver.GRPCContext(t, ""), &healthpb.HealthCheckRequest{}); last != nil {
			break
		}
	}
	if status.Code(last) != codes.ResourceExhausted {
		t.Errorf("20 anonymous health checks: last error %v, want ResourceExhausted", last)
	}
}

// TestEdgeHealthWithTokenIsTheHolders: an open method called with a valid
// token is the token holder's call. A reader's connection that checks
// health at full speed (more than the anonymous byte allowance of 1 MiB
// then 64 KiB/s) keeps its connection, and the address's anonymous limit
// does not apply; the same checks without a token are still anonymous.
// Before, the connection was cut after ~12,000 calls ("error reading from
// server: EOF"), because an open method never raised its trust.
func TestEdgeHealthWithTokenIsTheHolders(t *testing.T) {
	s := testserver.Start(t, server.Config{DataDir: t.TempDir(), RateLimit: -1, AnonRateLimit: 2})
	health := healthpb.NewHealthClient(s.Conn)
	ctx := testserver.GRPCContext(t, readerToken)
	for i := range 25000 {
		if _, err := health.Check(ctx, &healthpb.HealthCheckRequest{}); err != nil {
			t.Fatalf("health check %d with a reader token: %v", i+1, err)
		}
	}
	var last error
	for range 20 {
		if _, last = health.Check(testserver.GRPCContext(t, ""), &healthpb.HealthCheckRequest{}); last != nil {
			break
		}
	}
	if status.Code(last) != codes.ResourceExhausted {
		t.Errorf("20 anonymous health checks after the reader's: last error %v, want ResourceExhausted", last)
	}
}

// TestEdgeSIGTERMWithTricklerExitsZero: SIGTERM while a client trickles a
// body and another holds a health watch: the server drains for
// --drain-timeout, cuts them and exits 0. Before, it took 20 s and exited 2.
func TestEdgeSIGTERMWithTricklerExitsZero(t *testing.T) {
	const drain = 2 * time.Second
	p := startProc(t, t.TempDir(), "", true, "--drain-timeout", drain.String(), "--read-timeout", "1m")
	addr := strings.TrimPrefix(p.base, "http://")
	conn, answer := rawRequest(t, addr, "POST /v1/questions HTTP/1.1\r\nHost: qbank\r\nContent-Type: application/json\r\nAuthorization: Bearer "+adminToken+"\r\nContent-Length: 100000\r\n\r\n{")
	stop := make(chan struct{})
	defer close(stop)
	trickle(conn, 200*time.Millisecond, stop)
	gconn, _ := dialGRPC(t, p.grpcAddr)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	watch, err := healthpb.NewHealthClient(gconn).Watch(ctx, &healthpb.HealthCheckRequest{})
	if err == nil {
		_, err = watch.Recv()
	}
	if err != nil {
		t.Fatalf("health watch: %v", err)
	}
	time.Sleep(500 * time.Millisecond) // the trickle is under way

	began := time.Now()
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(drain + 20*time.Second):
		t.Fatalf("no exit within %v of SIGTERM; log:\n%s", drain+20*time.Second, truncate(p.stderr.String(), 3000))
	}
	took := time.Since(began)
	t.Logf("exited %v after SIGTERM (drain %v): %v", took.Round(10*time.Millisecond), drain, p.waitErr)
	if p.waitErr != nil {
		t.Errorf("exit: %v, want 0; log:\n%s", p.waitErr, truncate(p.stderr.String(), 3000))
	}
	select {
	case a := <-answer:
		t.Logf("trickler: %q after %v", a.status, a.closed.Round(10*time.Millisecond))
	case <-time.After(5 * time.Second):
		t.Errorf("the trickler's connection is still open after the server exited")
	}
}

// testPKI is a CA and a server certificate for 127.0.0.1 it signed, and a
// client certificate, as PEM files.
type testPKI struct {
	dir                           string
	caFile, certFile, keyFile     string
	clientCertFile, clientKeyFile string
	pool                          *x509.CertPool
	clientCert                    tls.Certificate
}

func newTestPKI(t *testing.T) *testPKI {
	t.Helper()
	dir := t.TempDir()
	p := &testPKI{dir: dir, pool: x509.NewCertPool()}
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "qbank test CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	p.pool.AddCert(ca)
	p.caFile = writePEM(t, dir, "ca.pem", "CERTIFICATE", caDER)
	leaf := func(name string, serial int64, usage x509.ExtKeyUsage) (string, string, tls.Certificate) {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: name},
			NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour),
			KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{usage},
			IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"},
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
		if err != nil {
			t.Fatal(err)
		}
		keyDER, err := x509.MarshalECPrivateKey(key)
		if err != nil {
			t.Fatal(err)
		}
		certFile := writePEM(t, dir, name+".pem", "CERTIFICATE", der)
		keyFile := writePEM(t, dir, name+"-key.pem", "EC PRIVATE KEY", keyDER)
		pair, err := tls.LoadX509KeyPair(certFile, keyFile)
		if err != nil {
			t.Fatal(err)
		}
		return certFile, keyFile, pair
	}
	p.certFile, p.keyFile, _ = leaf("server", 2, x509.ExtKeyUsageServerAuth)
	p.clientCertFile, p.clientKeyFile, p.clientCert = leaf("client", 3, x509.ExtKeyUsageClientAuth)
	return p
}

func writePEM(t *testing.T, dir, name, typ string, der []byte) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// startTLS runs an in-process server with TLS on both listeners (the
// testserver harness speaks plaintext).
func startTLS(t *testing.T, cfg server.Config) *server.Server {
	t.Helper()
	cfg.GRPCAddr, cfg.HTTPAddr = "127.0.0.1:0", "127.0.0.1:0"
	cfg.AdminToken, cfg.ReaderToken = adminToken, readerToken
	cfg.Logger = slog.New(slog.NewJSONHandler(io.Discard, nil))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	srv, err := server.New(ctx, cfg)
	if err != nil {
		t.Fatalf("start TLS server: %v", err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve() }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		if err := <-served; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return srv
}

// TestEdgeTLS: with --tls-cert and --tls-key both listeners speak TLS (and
// refuse plaintext), gRPC and HTTP clients verify the certificate, the CLI
// exports and imports over it, and --tls-client-ca requires a client
// certificate.
func TestEdgeTLS(t *testing.T) {
	pki := newTestPKI(t)
	srv := startTLS(t, server.Config{DataDir: t.TempDir(), TLSCert: pki.certFile, TLSKey: pki.keyFile})

	httpsClient := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pki.pool}}}
	defer httpsClient.CloseIdleConnections()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	r, err := testserver.Do(ctx, httpsClient, http.MethodGet, "https://"+srv.HTTPAddr()+"/v1/taxonomy", readerToken, nil)
	if err != nil || r.Code != http.StatusOK {
		t.Fatalf("HTTPS taxonomy = %d %v", r.Code, err)
	}
	if _, err := testserver.Do(ctx, &http.Client{Timeout: 5 * time.Second}, http.MethodGet, "https://"+srv.HTTPAddr()+"/healthz", "", nil); err == nil {
		t.Errorf("an HTTPS client that does not trust the CA connected")
	}
	if r, err := testserver.Do(ctx, &http.Client{Timeout: 5 * time.Second}, http.MethodGet, "http://"+srv.HTTPAddr()+"/healthz", "", nil); err == nil && r.Code == http.StatusOK {
		t.Errorf("plaintext HTTP was served on the TLS listener")
	}

	conn, err := grpc.NewClient(srv.GRPCAddr(), grpc.WithTransportCredentials(credentials.NewTLS(&tls.Config{RootCAs: pki.pool})))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := pb.NewQuestionBankServiceClient(conn).GetTaxonomy(testserver.AuthContext(ctx, readerToken), &pb.GetTaxonomyRequest{}); err != nil {
		t.Fatalf("gRPC over TLS: %v", err)
	}
	plain, err := grpc.NewClient(srv.GRPCAddr(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	short, cancelShort := context.WithTimeout(ctx, 3*time.Second)
	defer cancelShort()
	if _, err := healthpb.NewHealthClient(plain).Check(short, &healthpb.HealthCheckRequest{}); err == nil {
		t.Errorf("plaintext gRPC was served on the TLS listener")
	}

	// The CLI: export the bank over TLS, import it back (nothing changes).
	bin := qbankBinary(t)
	out := filepath.Join(t.TempDir(), "bank.json")
	cli := func(args ...string) string {
		cmd := exec.Command(bin, args...)
		cmd.Env = append(cleanEnv(), "QBANK_TOKEN="+adminToken)
		raw, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("qbank %s: %v\n%s", strings.Join(args, " "), err, raw)
		}
		return string(raw)
	}
	cli("export", "--server", srv.GRPCAddr(), "--tls-ca", pki.caFile, "--format", "json", "-o", out)
	if info, err := os.Stat(out); err != nil || info.Size() == 0 {
		t.Fatalf("export over TLS wrote nothing: %v", err)
	}
	t.Logf("import: %s", strings.TrimSpace(cli("import", "--server", srv.GRPCAddr(), "--tls-ca", pki.caFile, out)))
	// Without the CA the CLI refuses the server's certificate.
	cmd := exec.Command(bin, "export", "--server", srv.GRPCAddr(), "--tls", "--format", "json", "-o", filepath.Join(t.TempDir(), "x.json"))
	cmd.Env = append(cleanEnv(), "QBANK_TOKEN="+adminToken)
	if raw, err := cmd.CombinedOutput(); err == nil {
		t.Errorf("the CLI trusted a certificate from an unknown CA: %s", raw)
	}

	// Mutual TLS: a client certificate is required.
	mtls := startTLS(t, server.Config{DataDir: t.TempDir(), TLSCert: pki.certFile, TLSKey: pki.keyFile, TLSClientCA: pki.caFile})
	withCert := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pki.pool, Certificates: []tls.Certificate{pki.clientCert}}}}
	defer withCert.CloseIdleConnections()
	if r, err := testserver.Do(ctx, withCert, http.MethodGet, "https://"+mtls.HTTPAddr()+"/v1/taxonomy", readerToken, nil); err != nil || r.Code != http.StatusOK {
		t.Errorf("mTLS with a client certificate = %d %v", r.Code, err)
	}
	if _, err := testserver.Do(ctx, httpsClient, http.MethodGet, "https://"+mtls.HTTPAddr()+"/healthz", "", nil); err == nil {
		t.Errorf("mTLS server answered a client without a certificate")
	}
	cli("export", "--server", mtls.GRPCAddr(), "--tls-ca", pki.caFile, "--tls-client-cert", pki.clientCertFile, "--tls-client-key", pki.clientKeyFile, "--format", "json", "-o", filepath.Join(t.TempDir(), "m.json"))
}
