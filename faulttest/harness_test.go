package faulttest_test

// The harness is internal/testserver (an in-process server on loopback
// ports with its clients, and HTTP and gRPC helpers that load goroutines can
// use); this file adds what only these tests need: valid questions to write,
// and the qbank binary run as a subprocess for the crash tests.

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/layersrank/qbank/internal/testserver"
	pb "github.com/layersrank/qbank/proto/layersrank/questionbank/v1"
)

// The tokens the test server accepts (internal/testserver's); badToken is
// well formed but unknown, so a rejection is about the token, not its shape.
const (
	adminToken  = testserver.AdminToken
	readerToken = testserver.ReaderToken
	badToken    = "faulttest-wrong-token-0123456789"
)

// questionJSON is a valid question for the JSON gateway.
func questionJSON(id, text string) map[string]any {
	return map[string]any{
		"id":             id,
		"text":           text,
		"roles":          []string{"backend-engineer"},
		"dimension":      "technical",
		"competency":     "system-design",
		"whatItReveals":  "How the candidate reasons about trade-offs under load.",
		"responseFormat": "RESPONSE_FORMAT_WRITTEN",
		"minutes":        5,
		"followUps":      []string{"What would you measure first?"},
		"changeNote":     "faulttest",
	}
}

// questionPB is the same question for gRPC.
func questionPB(id, text string) *pb.Question {
	return &pb.Question{
		Id: id, Text: text, Roles: []string{"backend-engineer"}, Dimension: "technical",
		Competency: "system-design", WhatItReveals: "How the candidate reasons about trade-offs under load.",
		ResponseFormat: pb.ResponseFormat_RESPONSE_FORMAT_WRITTEN, Minutes: 5,
		FollowUps: []string{"What would you measure first?"}, ChangeNote: "faulttest",
	}
}

func str(v any) string { return fmt.Sprint(v) }

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// violationFields lists the fieldViolations of a JSON google.rpc.Status.
func violationFields(body map[string]any) []string {
	var out []string
	details, _ := body["details"].([]any)
	for _, d := range details {
		dm, _ := d.(map[string]any)
		fvs, _ := dm["fieldViolations"].([]any)
		for _, fv := range fvs {
			m, _ := fv.(map[string]any)
			out = append(out, str(m["field"]))
		}
	}
	return out
}

// ---- the binary as a subprocess -------------------------------------------

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
	buildTime time.Duration
	binDir    string // removed by TestMain
)

// moduleRoot finds go.mod upwards from the test's working directory (the
// package directory, as go test runs it).
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("go.mod not found above the test's working directory")
		}
		dir = parent
	}
}

// qbankBinary builds ./cmd/qbank once per test process. It is built with the
// race detector when the tests are, which reuses the packages go test has
// just compiled (a cold non-race build of the SQLite driver takes minutes on
// a small machine) and checks the binary for races as well.
func qbankBinary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		root, err := moduleRoot()
		if err != nil {
			buildErr = err
			return
		}
		if binDir, err = os.MkdirTemp("", "qbank-faulttest-"); err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(binDir, "qbank")
		args := []string{"build", "-o", binPath}
		if raceEnabled {
			args = append(args, "-race")
		}
		args = append(args, "./cmd/qbank")
		cmd := exec.Command("go", args...)
		cmd.Dir = root
		began := time.Now()
		out, err := cmd.CombinedOutput()
		buildTime = time.Since(began)
		if err != nil {
			buildErr = fmt.Errorf("go %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// proc is `qbank serve` running as a subprocess.
type proc struct {
	cmd      *exec.Cmd
	base     string // HTTP
	grpcAddr string
	stderr   *testserver.LogBuffer
	exited   chan struct{}
	waitErr  error
}

// startProc runs `qbank serve` on fresh loopback ports with the test tokens
// in its environment, on dataDir (SQLite) or databaseURL (PostgreSQL) with
// any extra flags, and waits until /readyz answers 200 when wait is set.
func startProc(t testing.TB, dataDir, databaseURL string, wait bool, extra ...string) *proc {
	t.Helper()
	bin := qbankBinary(t)
	p := &proc{grpcAddr: testserver.FreeAddr(t), stderr: &testserver.LogBuffer{}, exited: make(chan struct{})}
	httpAddr := testserver.FreeAddr(t)
	p.base = "http://" + httpAddr
	args := []string{"serve", "--grpc-addr", p.grpcAddr, "--http-addr", httpAddr, "--data-dir", dataDir}
	if databaseURL != "" {
		args = append(args, "--database-url", databaseURL)
	}
	p.cmd = exec.Command(bin, append(args, extra...)...)
	p.cmd.Env = append(cleanEnv(), "QBANK_ADMIN_TOKEN="+adminToken, "QBANK_READER_TOKEN="+readerToken)
	p.cmd.Stderr = p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", bin, err)
	}
	go func() {
		p.waitErr = p.cmd.Wait()
		close(p.exited)
	}()
	t.Cleanup(func() { p.kill() })
	if wait {
		client := &http.Client{Timeout: 2 * time.Second}
		defer client.CloseIdleConnections()
		if err := testserver.WaitReady(client, p.base, 60*time.Second); err != nil {
			p.kill()
			t.Fatalf("%v; log:\n%s", err, truncate(p.stderr.String(), 4000))
		}
	}
	return p
}

// cleanEnv is the environment without any QBANK_* setting, so none of the
// developer's leaks into a subprocess.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "QBANK_") {
			env = append(env, kv)
		}
	}
	return env
}

// kill sends SIGKILL (the process gets no chance to flush or clean up) and
// waits for it to be gone.
func (p *proc) kill() {
	select {
	case <-p.exited:
		return
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.exited
}

// term sends SIGTERM and waits (bounded) for a clean exit.
func (p *proc) term(t testing.TB) {
	t.Helper()
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
		if p.waitErr != nil {
			t.Errorf("after SIGTERM the server exited with %v; log:\n%s", p.waitErr, truncate(p.stderr.String(), 4000))
		}
	case <-time.After(30 * time.Second):
		p.kill()
		t.Errorf("the server did not exit within 30 s of SIGTERM")
	}
}

// dialGRPC connects to a subprocess's gRPC address.
func dialGRPC(t testing.TB, addr string) (*grpc.ClientConn, pb.QuestionBankServiceClient) {
	t.Helper()
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn, pb.NewQuestionBankServiceClient(conn)
}

// allVersions reads a question's whole history, newest first, page by page.
func allVersions(ctx context.Context, api pb.QuestionBankServiceClient, id string) ([]*pb.Question, error) {
	var out []*pb.Question
	req := &pb.ListQuestionVersionsRequest{Id: id, PageSize: 100}
	for {
		r, err := api.ListQuestionVersions(ctx, req)
		if err != nil {
			return nil, err
		}
		out = append(out, r.GetVersions()...)
		if r.GetNextPageToken() == "" {
			return out, nil
		}
		req.PageToken = r.GetNextPageToken()
	}
}
