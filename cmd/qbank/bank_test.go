package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/layersrank/qbank"
	"github.com/layersrank/qbank/bankfile"
	"github.com/layersrank/qbank/bankpdf/pdftest"
	"github.com/layersrank/qbank/internal/testserver"
	"github.com/layersrank/qbank/repository/sqlite"
)

func mustRun(t *testing.T, args ...string) string {
	t.Helper()
	var out, errOut bytes.Buffer
	if err := run(context.Background(), args, &out, &errOut); err != nil {
		t.Fatalf("qbank %s: %v\n%s", strings.Join(args, " "), err, errOut.String())
	}
	return out.String()
}

// questionsIn reads an export file into id → (content, state).
func questionsIn(t *testing.T, path string) map[string]qbank.Question {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	req, err := bankfile.Read(f)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]qbank.Question{}
	for _, q := range req.GetQuestions() {
		out[q.GetId()] = qbank.Question{ID: q.GetId(), Version: int(q.GetVersion()), State: qbank.State(strings.ToLower(strings.TrimPrefix(q.GetState().String(), "STATE_"))),
			Content: qbank.Content{Text: q.GetText(), Minutes: int(q.GetMinutes()), Roles: q.GetRoles(), FollowUps: q.GetFollowUps()}}
	}
	return out
}

// TestExportImportRoundTrip: an export imported into a fresh store
// reproduces the bank, and imported into its own store changes nothing;
// JSON and YAML alike.
func TestExportImportRoundTrip(t *testing.T) {
	src, dst, files := t.TempDir(), t.TempDir(), t.TempDir()
	mustRun(t, "seed", "--data-dir", src)

	// Give the source bank some history.
	store, err := sqlite.Open(context.Background(), src)
	if err != nil {
		t.Fatal(err)
	}
	q, _ := store.Question(context.Background(), qbank.Ref{ID: "api-rate-limiting-design"})
	edited := q.Content.Clone()
	edited.Minutes = 6
	if _, err := store.UpdateQuestion(context.Background(), q.ID, q.Etag, edited, qbank.StateRetired, qbank.Change{Author: "alice"}); err != nil {
		t.Fatal(err)
	}
	store.Close()

	jsonFile, yamlFile := filepath.Join(files, "bank.json"), filepath.Join(files, "bank.yaml")
	mustRun(t, "export", "--data-dir", src, "--format", "json", "-o", jsonFile)
	mustRun(t, "export", "--data-dir", src, "--format", "yaml", "-o", yamlFile)
	source := questionsIn(t, jsonFile)
	if len(source) != seedSize(t) || source["api-rate-limiting-design"].State != qbank.StateRetired || source["api-rate-limiting-design"].Version != 2 {
		t.Fatalf("export holds %d questions; edited one = %+v", len(source), source["api-rate-limiting-design"])
	}
	if yamlQs := questionsIn(t, yamlFile); len(yamlQs) != seedSize(t) || yamlQs["api-rate-limiting-design"].Minutes != 6 {
		t.Errorf("the YAML export differs: %d questions", len(yamlQs))
	}

	// Into its own store: nothing changes, from either format.
	for _, f := range []string{jsonFile, yamlFile} {
		if out := mustRun(t, "import", "--data-dir", src, f); !strings.Contains(out, fmt.Sprintf("0 created, 0 updated, %d unchanged", seedSize(t))) {
			t.Errorf("re-import of %s: %s", filepath.Base(f), out)
		}
	}

	// Into a fresh store: the same bank.
	if out := mustRun(t, "import", "--data-dir", dst, "--validate-only", jsonFile); !strings.Contains(out, "dry run") || !strings.Contains(out, fmt.Sprintf("%d created", seedSize(t))) {
		t.Errorf("dry run: %s", out)
	}
	if out := mustRun(t, "import", "--data-dir", dst, jsonFile); !strings.Contains(out, fmt.Sprintf("%d created", seedSize(t))) {
		t.Errorf("import into a fresh store: %s", out)
	}
	copyFile := filepath.Join(files, "copy.json")
	mustRun(t, "export", "--data-dir", dst, "--format", "json", "-o", copyFile)
	copied := questionsIn(t, copyFile)
	for id, want := range source {
		got, ok := copied[id]
		if !ok || got.Text != want.Text || got.Minutes != want.Minutes || got.State != want.State || strings.Join(got.FollowUps, "|") != strings.Join(want.FollowUps, "|") {
			t.Errorf("%s differs after the round trip: %+v vs %+v", id, got, want)
		}
	}

	// A role-limited export holds only that role.
	devops := filepath.Join(files, "devops.json")
	mustRun(t, "export", "--data-dir", src, "--role", "devops-engineer", "-o", devops)
	for id, q := range questionsIn(t, devops) {
		if !strings.Contains(strings.Join(q.Roles, ","), "devops-engineer") {
			t.Errorf("%s is not a devops question", id)
		}
	}
}

func TestImportRejectsBadFileAndWritesNothing(t *testing.T) {
	dir := t.TempDir()
	mustRun(t, "seed", "--data-dir", dir)
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	content := `questions:
  - id: new-good-question
    text: "How do you decide what to monitor in a new service?"
    roles: [devops-engineer]
    dimension: technical
    competency: observability
    whatItReveals: "Whether monitoring follows user impact."
    responseFormat: RESPONSE_FORMAT_WRITTEN
    minutes: 5
  - id: Not-Kebab
    text: ""
    roles: [astronaut]
    dimension: technical
    competency: observability
    whatItReveals: "x"
    responseFormat: RESPONSE_FORMAT_VIDEO
    minutes: 3
`
	if err := os.WriteFile(bad, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"import", "--data-dir", dir, bad}, &out, &errOut)
	if err == nil {
		t.Fatal("a bad import succeeded")
	}
	for _, want := range []string{"questions[1].id", "questions[1].text", "questions[1].roles"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error does not name %s: %v", want, err)
		}
	}
	if strings.Contains(err.Error(), "questions[0]") {
		t.Errorf("the good item was blamed: %v", err)
	}
	store, _ := sqlite.Open(context.Background(), dir)
	defer store.Close()
	if _, err := store.Question(context.Background(), qbank.Ref{ID: "new-good-question"}); qbank.ErrorCode(err) != qbank.ENOTFOUND {
		t.Errorf("a failed import wrote its good item: %v", err)
	}
}

// TestExportImportThroughARunningServer: with --server, export streams over
// gRPC (JSON and PDF) and import goes through ImportQuestions, as the
// running server's admin.
func TestExportImportThroughARunningServer(t *testing.T) {
	dir, files := t.TempDir(), t.TempDir()
	grpcAddr, httpAddr := testserver.FreeAddr(t), testserver.FreeAddr(t)
	t.Setenv("QBANK_ADMIN_TOKEN", "cli-admin-token-0123456789")
	t.Setenv("QBANK_READER_TOKEN", "cli-reader-token-0123456789")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--data-dir", dir, "--grpc-addr", grpcAddr, "--http-addr", httpAddr}, &bytes.Buffer{}, &bytes.Buffer{})
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	}()
	waitHTTP(t, "http://"+httpAddr+"/readyz")

	jsonFile, pdfFile := filepath.Join(files, "bank.json"), filepath.Join(files, "bank.pdf")
	mustRun(t, "export", "--server", grpcAddr, "--token", "cli-reader-token-0123456789", "-o", jsonFile)
	if qs := questionsIn(t, jsonFile); len(qs) != seedSize(t) {
		t.Fatalf("remote export holds %d questions", len(qs))
	}
	mustRun(t, "export", "--server", grpcAddr, "--token", "cli-reader-token-0123456789", "--format", "pdf", "--role", "data-engineer", "-o", pdfFile)
	if raw, err := os.ReadFile(pdfFile); err != nil || !bytes.HasPrefix(raw, []byte("%PDF-")) {
		t.Fatalf("remote PDF export: %v", err)
	}
	if out := mustRun(t, "import", "--server", grpcAddr, "--token", "cli-admin-token-0123456789", jsonFile); !strings.Contains(out, fmt.Sprintf("0 created, 0 updated, %d unchanged", seedSize(t))) {
		t.Errorf("remote re-import: %s", out)
	}
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"import", "--server", grpcAddr, "--token", "cli-reader-token-0123456789", jsonFile}, &out, &errOut); err == nil || !strings.Contains(err.Error(), "PermissionDenied") {
		t.Errorf("a reader's remote import: %v", err)
	}
}

func waitHTTP(t *testing.T, url string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(url); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s never became ready", url)
}

// TestDocumentsSameFromCLIAndHTTP: the CLI prints the same documents as the
// HTTP routes, whether it opens the store or asks a running server: the
// published bank or the whole one, a role kit (with its version labels) and
// an assessment kit.
func TestDocumentsSameFromCLIAndHTTP(t *testing.T) {
	dir, files := t.TempDir(), t.TempDir()
	grpcAddr, httpAddr := testserver.FreeAddr(t), testserver.FreeAddr(t)
	const reader = "cli-reader-token-0123456789"
	t.Setenv("QBANK_ADMIN_TOKEN", "cli-admin-token-0123456789")
	t.Setenv("QBANK_READER_TOKEN", reader)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--data-dir", dir, "--grpc-addr", grpcAddr, "--http-addr", httpAddr}, &bytes.Buffer{}, &bytes.Buffer{})
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	}()
	waitHTTP(t, "http://"+httpAddr+"/readyz")
	fetch := func(path string) []byte {
		req, _ := http.NewRequest("GET", "http://"+httpAddr+path, nil)
		req.Header.Set("Authorization", "Bearer "+reader)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d %s", path, resp.StatusCode, raw)
		}
		return raw
	}
	kitRefs := "api-rate-limiting-design@1,regretted-technical-decision@1,frontend-api-design-disagreement@1"
	for _, c := range []struct {
		name, path string
		args       []string
	}{
		{"bank", "/v1/question-bank.pdf", []string{"export", "--format", "pdf"}},
		{"role", "/v1/question-bank.pdf?role=backend-engineer", []string{"export", "--format", "pdf", "--role", "backend-engineer"}},
		{"kit", "/v1/interview-kit.pdf?role=backend-engineer&stacks=go&refs=" + strings.ReplaceAll(kitRefs, ",", "&refs="),
			[]string{"kit", "--role", "backend-engineer", "--stacks", "golang", "--refs", kitRefs}},
	} {
		t.Run(c.name, func(t *testing.T) {
			want := pdftest.Text(t, fetch(c.path))
			if c.name == "role" && !strings.Contains(want, "api-rate-limiting-design@1") {
				t.Fatal("the role kit prints no version labels")
			}
			for _, via := range [][]string{{"--data-dir", dir}, {"--server", grpcAddr, "--token", reader}} {
				out := filepath.Join(files, c.name+strings.TrimLeft(via[0], "-")+".pdf")
				mustRun(t, append(append(slices.Clone(c.args), via...), "-o", out)...)
				raw, err := os.ReadFile(out)
				if err != nil {
					t.Fatal(err)
				}
				if got := pdftest.Text(t, raw); got != want {
					t.Errorf("qbank %s %s prints another text than GET %s", strings.Join(c.args, " "), via[0], c.path)
				}
				if fi, _ := os.Stat(out); fi.Mode().Perm() != 0o600 {
					t.Errorf("%s has mode %v, want 0600", out, fi.Mode().Perm())
				}
			}
		})
	}
}

// A failed export or kit leaves nothing behind: no file, no temporary file,
// and a file it would have replaced as it was.
func TestFailedOutputLeavesNothing(t *testing.T) {
	dir, files := t.TempDir(), t.TempDir()
	mustRun(t, "seed", "--data-dir", dir)
	kept := filepath.Join(files, "kept.json")
	if err := os.WriteFile(kept, []byte("an earlier export"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"export", "--data-dir", dir, "--format", "pdf", "--role", "astronaut", "-o", filepath.Join(files, "bank.pdf")},
		{"export", "--data-dir", dir, "--collection", "nope", "-o", kept},
		{"kit", "--data-dir", dir, "--role", "backend-engineer", "--refs", "no-such-question@1", "-o", filepath.Join(files, "kit.pdf")},
		{"export", "--server", "127.0.0.1:1", "--token", "x", "-o", filepath.Join(files, "remote.json")},
	} {
		var out, errOut bytes.Buffer
		if err := run(context.Background(), args, &out, &errOut); err == nil {
			t.Errorf("qbank %s succeeded", strings.Join(args, " "))
		}
	}
	entries, _ := os.ReadDir(files)
	if len(entries) != 1 || entries[0].Name() != "kept.json" {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("failed exports left %v behind", names)
	}
	if raw, _ := os.ReadFile(kept); string(raw) != "an earlier export" {
		t.Errorf("a failed export replaced an existing file: %q", raw)
	}
}
