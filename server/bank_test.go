package server_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/layersrank/qbank/bankfile"
	"github.com/layersrank/qbank/internal/testserver"
	pb "github.com/layersrank/qbank/proto/layersrank/questionbank/v1"
	"github.com/layersrank/qbank/server"
)

// exportFile streams ExportQuestionBank over gRPC into the JSON file format.
func exportFile(t *testing.T, ts *testserver.Server, req *pb.ExportQuestionBankRequest) ([]byte, int) {
	t.Helper()
	stream, err := pb.NewQuestionBankServiceClient(ts.Conn).ExportQuestionBank(testserver.GRPCContext(t, readerToken), req)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	w, _ := bankfile.NewWriter(&buf, bankfile.JSON)
	n := testserver.DrainExport(t, stream, w.Header, w.Question)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), n
}

func TestExportThenImportChangesNothing(t *testing.T) {
	testserver.ForEachBackend(t, func(t *testing.T, cfg func() server.Config) {
		ts := testserver.Start(t, cfg())
		// Give the bank some history: an edit, a retirement, a draft.
		q := ts.Must(t, http.StatusOK, "GET", "/v1/questions/api-rate-limiting-design", readerToken, nil).Body
		ts.Must(t, http.StatusOK, "PATCH", "/v1/questions/api-rate-limiting-design?updateMask=minutes", adminToken, map[string]any{"minutes": 6, "etag": q["etag"]})
		r := ts.Must(t, http.StatusOK, "GET", "/v1/questions/regretted-technical-decision", readerToken, nil).Body
		ts.Must(t, http.StatusOK, "POST", "/v1/questions/regretted-technical-decision:retire", adminToken, map[string]any{"etag": r["etag"]})
		draft := newQuestion("draft-question")
		draft["state"] = "STATE_DRAFT"
		ts.Must(t, http.StatusOK, "POST", "/v1/questions", adminToken, draft)

		file, n := exportFile(t, ts, &pb.ExportQuestionBankRequest{})
		want := seedQuestions(t, "") + 1 // the seed's, in every state, and the draft
		if n != want {
			t.Fatalf("exported %d questions, want %d (every state)", n, want)
		}
		var body map[string]any
		if err := json.Unmarshal(file, &body); err != nil {
			t.Fatalf("the export is not JSON: %v", err)
		}
		out := ts.Must(t, http.StatusOK, "POST", "/v1/questions:import", adminToken, body).Body
		if out["unchangedCount"] != float64(want) || out["createdCount"] != nil || out["updatedCount"] != nil {
			t.Errorf("re-importing the export: %v", out)
		}
		versions := list(ts.Must(t, http.StatusOK, "GET", "/v1/questions/api-rate-limiting-design/versions", readerToken, nil).Body, "versions")
		if len(versions) != 2 {
			t.Errorf("re-import made versions: %d", len(versions))
		}

		// The same through the gateway's streaming route, limited to a role.
		req, _ := http.NewRequest("GET", ts.Base+"/v1/question-bank:export?role=devops-engineer", nil)
		req.Header.Set("Authorization", "Bearer "+readerToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		lines := 0
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			var msg struct {
				Result struct {
					Header   map[string]any `json:"header"`
					Question map[string]any `json:"question"`
				} `json:"result"`
			}
			if err := json.Unmarshal(sc.Bytes(), &msg); err != nil {
				t.Fatalf("line %d: %v", lines, err)
			}
			if lines == 0 && msg.Result.Header == nil {
				t.Fatal("the first streamed line is not the header")
			}
			if lines > 0 && !slices.Contains(list(msg.Result.Question, "roles"), any("devops-engineer")) {
				t.Errorf("%v is not a devops question", msg.Result.Question["id"])
			}
			lines++
		}
		if lines < 10 {
			t.Errorf("streamed %d lines", lines)
		}
	})
}

func TestImportIsAllOrNothing(t *testing.T) {
	testserver.ForEachBackend(t, func(t *testing.T, cfg func() server.Config) {
		ts := testserver.Start(t, cfg())
		cur := ts.Must(t, http.StatusOK, "GET", "/v1/questions/api-rate-limiting-design", readerToken, nil).Body
		stale := map[string]any{}
		for k, v := range cur {
			stale[k] = v
		}
		stale["minutes"] = 6
		stale["etag"] = "not-the-current-etag"
		bad := newQuestion("imported-bad")
		bad["minutes"] = 99
		body := map[string]any{"questions": []any{newQuestion("imported-good"), bad, stale}}
		r := ts.Call(t, "POST", "/v1/questions:import", adminToken, body)
		if r.Code != http.StatusBadRequest {
			t.Fatalf("bad import: %d %v", r.Code, r.Body)
		}
		msg := str(r.Body["message"])
		for _, want := range []string{"questions[1].minutes", "questions[2].etag"} {
			if !strings.Contains(msg, want) {
				t.Errorf("the error does not name %s: %s", want, msg)
			}
		}
		if r := ts.Call(t, "GET", "/v1/questions/imported-good", readerToken, nil); r.Code != http.StatusNotFound {
			t.Error("a rejected import created a question")
		}

		// A dry run reports, writes nothing.
		fresh := map[string]any{}
		for k, v := range cur {
			fresh[k] = v
		}
		fresh["minutes"] = 6
		dry := ts.Must(t, http.StatusOK, "POST", "/v1/questions:import", adminToken,
			map[string]any{"questions": []any{newQuestion("imported-good"), fresh}, "validateOnly": true}).Body
		results := list(dry, "results")
		if dry["createdCount"] != float64(1) || dry["updatedCount"] != float64(1) || obj(results[1])["version"] != float64(2) || obj(results[1])["action"] != "ACTION_UPDATED" {
			t.Errorf("dry run = %v", dry)
		}
		if got := ts.Must(t, http.StatusOK, "GET", "/v1/questions/api-rate-limiting-design", readerToken, nil).Body; got["version"] != float64(1) {
			t.Error("a dry run wrote a version")
		}
		done := ts.Must(t, http.StatusOK, "POST", "/v1/questions:import", adminToken,
			map[string]any{"questions": []any{newQuestion("imported-good"), fresh}}).Body
		if done["createdCount"] != float64(1) || done["updatedCount"] != float64(1) {
			t.Errorf("import = %v", done)
		}
		got := ts.Must(t, http.StatusOK, "GET", "/v1/questions/api-rate-limiting-design", readerToken, nil).Body
		if got["version"] != float64(2) || got["minutes"] != float64(6) || got["author"] != "admin" {
			t.Errorf("after import: %v", got)
		}
		if r := ts.Call(t, "POST", "/v1/questions:import", readerToken, body); r.Code != http.StatusForbidden {
			t.Errorf("reader import: %d, want 403", r.Code)
		}
	})
}

func TestPDFDownload(t *testing.T) {
	ts := testserver.Start(t, testserver.Backends[0].Config(t)())
	get := func(path, token string) (*http.Response, []byte) {
		req, _ := http.NewRequest("GET", ts.Base+path, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		return resp, raw
	}
	if resp, _ := get("/v1/question-bank.pdf", ""); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("PDF without a token: %d, want 401", resp.StatusCode)
	}
	resp, whole := get("/v1/question-bank.pdf", readerToken)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(whole, []byte("%PDF-")) {
		t.Fatalf("PDF: %d %s %q", resp.StatusCode, resp.Header.Get("Content-Type"), whole[:min(len(whole), 20)])
	}
	resp, devops := get("/v1/question-bank.pdf?role=devops-engineer", readerToken)
	if resp.StatusCode != http.StatusOK || len(devops) >= len(whole) {
		t.Errorf("role PDF: %d, %d bytes vs %d for the whole bank", resp.StatusCode, len(devops), len(whole))
	}
	if resp, body := get("/v1/question-bank.pdf?role=astronaut", readerToken); resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "role") {
		t.Errorf("unknown role: %d %s", resp.StatusCode, body)
	}
}
