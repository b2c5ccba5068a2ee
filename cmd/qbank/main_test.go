package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/layersrank/qbank/internal/testserver"
	"github.com/layersrank/qbank/seed"
)

// TestServeDevTokensAndSIGTERM starts `qbank serve` with no tokens configured:
// it must create dev tokens (0600) under the data dir, say where without
// printing them, serve with them, and exit cleanly (nil → exit 0) on SIGTERM.
func TestServeDevTokensAndSIGTERM(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("QBANK_ADMIN_TOKEN", "")
	t.Setenv("QBANK_READER_TOKEN", "")
	httpAddr := testserver.FreeAddr(t)
	var stderr testserver.LogBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(context.Background(), []string{"serve", "--data-dir", dir, "--grpc-addr", testserver.FreeAddr(t), "--http-addr", httpAddr}, &bytes.Buffer{}, &stderr)
	}()

	var tokens struct{ Admin, Reader string }
	deadline := time.Now().Add(20 * time.Second)
	for {
		raw, err := os.ReadFile(filepath.Join(dir, "dev-tokens.json"))
		if err == nil && json.Unmarshal(raw, &tokens) == nil {
			if resp, err := http.Get("http://" + httpAddr + "/readyz"); err == nil {
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					break
				}
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("server never became ready; log:\n%s", stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	info, err := os.Stat(filepath.Join(dir, "dev-tokens.json"))
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("dev tokens file mode = %v, %v; want 0600", info.Mode().Perm(), err)
	}
	req, _ := http.NewRequest("GET", "http://"+httpAddr+"/v1/taxonomy", nil)
	req.Header.Set("Authorization", "Bearer "+tokens.Reader)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("taxonomy with the dev reader token: %v %v", resp.StatusCode, err)
	}
	resp.Body.Close()

	if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve after SIGTERM returned %v, want nil (exit 0)", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop after SIGTERM")
	}
	logs := stderr.String()
	if !strings.Contains(logs, "dev-tokens.json") || strings.Contains(logs, tokens.Admin) || strings.Contains(logs, tokens.Reader) {
		t.Errorf("the log must name the tokens file and never the tokens:\n%s", logs)
	}
}

func TestUnknownCommand(t *testing.T) {
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"frobnicate"}, &out, &errOut); err == nil || !strings.Contains(errOut.String(), "Usage") {
		t.Errorf("unknown command: %v, %q", err, errOut.String())
	}
}

func TestMigrateAndSeedCommands(t *testing.T) {
	dir := t.TempDir()
	var out bytes.Buffer
	if err := run(context.Background(), []string{"seed", "--data-dir", dir}, &out, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), fmt.Sprintf("questions added: %d of %d", seedSize(t), seedSize(t))) {
		t.Errorf("first seed said %q", out.String())
	}
	out.Reset()
	if err := run(context.Background(), []string{"seed", "--data-dir", dir}, &out, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), fmt.Sprintf("taxonomy changed: false; questions added: 0 of %d in the seed; updated: 0; retired: 0; kept (admin-edited): 0", seedSize(t))) {
		t.Errorf("second seed said %q", out.String())
	}
	out.Reset()
	if err := run(context.Background(), []string{"migrate", "--data-dir", dir}, &out, &out); err != nil || !strings.Contains(out.String(), "bank revision 3") {
		t.Errorf("migrate said %q, %v", out.String(), err)
	}
}

// seedSize is how many questions the embedded seed holds (every state: a
// fresh store gets them all).
func seedSize(t testing.TB) int {
	t.Helper()
	b, err := seed.Load()
	if err != nil {
		t.Fatal(err)
	}
	return len(b.Questions)
}
