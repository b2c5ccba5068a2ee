package server_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	reflectionpb "google.golang.org/grpc/reflection/grpc_reflection_v1"
	"google.golang.org/grpc/status"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/layersrank/qbank"
	"github.com/layersrank/qbank/internal/testserver"
	pb "github.com/layersrank/qbank/proto/layersrank/questionbank/v1"
	"github.com/layersrank/qbank/seed"
	"github.com/layersrank/qbank/server"
	"github.com/prometheus/client_golang/prometheus/testutil/promlint"
)

func newQuestion(id string) map[string]any {
	return map[string]any{
		"id":             id,
		"text":           "Tell me about a schema migration you ran on a busy table. How did you keep it safe?",
		"roles":          []string{"backend-engineer"},
		"dimension":      "technical",
		"competency":     "system-design",
		"whatItReveals":  "Operational care with data changes.",
		"responseFormat": "RESPONSE_FORMAT_VIDEO",
		"minutes":        5,
		"stacks":         []string{"postgres"},
		"followUps":      []string{"How did you roll back?", "What did you monitor?"},
		"scoringGuide":   map[string]any{"strong": "Plans backfills and rollbacks.", "adequate": "Runs it off-peak.", "weak": "Just runs ALTER TABLE."},
		"changeNote":     "new question",
	}
}

func TestListFilterAndPaging(t *testing.T) {
	testserver.ForEachBackend(t, func(t *testing.T, cfg func() server.Config) {
		ts := testserver.Start(t, cfg())
		seen := map[string]int{}
		total := -1
		token := ""
		for pages := 0; ; pages++ {
			if pages > 50 {
				t.Fatal("paging never ended")
			}
			q := url.Values{"role": {"backend-engineer"}, "dimension": {"technical"}, "pageSize": {"2"}}
			if token != "" {
				q.Set("pageToken", token)
			}
			out := ts.Must(t, http.StatusOK, "GET", "/v1/questions?"+q.Encode(), readerToken, nil).Body
			if n := len(list(out, "questions")); n > 2 {
				t.Fatalf("page of %d, want at most 2", n)
			}
			for _, item := range list(out, "questions") {
				q := obj(item)
				seen[str(q["id"])]++
				if q["dimension"] != "technical" || !slices.Contains(list(q, "roles"), any("backend-engineer")) || q["state"] != "STATE_ACTIVE" {
					t.Errorf("%s does not match the filters: %v %v %v", q["id"], q["dimension"], q["roles"], q["state"])
				}
			}
			if total == -1 {
				total = int(out["totalSize"].(float64))
			}
			token, _ = out["nextPageToken"].(string)
			if token == "" {
				break
			}
		}
		if len(seen) != total || total < 3 {
			t.Errorf("visited %d distinct questions, totalSize %d", len(seen), total)
		}
		for id, n := range seen {
			if n != 1 {
				t.Errorf("%s seen %d times", id, n)
			}
		}
	})
}

func TestPageTokenMisuse(t *testing.T) {
	testserver.ForEachBackend(t, func(t *testing.T, cfg func() server.Config) {
		ts := testserver.Start(t, cfg())
		out := ts.Must(t, http.StatusOK, "GET", "/v1/questions?pageSize=3", readerToken, nil).Body
		token := str(out["nextPageToken"])
		for name, q := range map[string]string{
			"other filter":    "/v1/questions?pageSize=3&role=devops-engineer&pageToken=" + token,
			"other page size": "/v1/questions?pageSize=4&pageToken=" + token,
			"edited":          "/v1/questions?pageSize=3&pageToken=" + token[:len(token)-2] + "AA",
			"garbage":         "/v1/questions?pageSize=3&pageToken=%27%3B%20DROP%20TABLE%20questions",
		} {
			r := ts.Call(t, "GET", q, readerToken, nil)
			if r.Code != http.StatusBadRequest || !strings.Contains(str(r.Body["message"]), "pageToken") {
				t.Errorf("%s: %d %v, want 400 naming pageToken", name, r.Code, r.Body)
			}
		}
	})
}

func TestAuth(t *testing.T) {
	testserver.ForEachBackend(t, func(t *testing.T, cfg func() server.Config) {
		ts := testserver.Start(t, cfg())
		if r := ts.Call(t, "GET", "/v1/questions", "", nil); r.Code != http.StatusUnauthorized {
			t.Errorf("no token: %d, want 401", r.Code)
		}
		if r := ts.Call(t, "GET", "/v1/questions", "not-a-real-token-at-all", nil); r.Code != http.StatusUnauthorized {
			t.Errorf("unknown token: %d, want 401", r.Code)
		}
		if r := ts.Call(t, "POST", "/v1/questions", readerToken, newQuestion("reader-write")); r.Code != http.StatusForbidden {
			t.Errorf("reader create: %d, want 403", r.Code)
		}
		created := ts.Must(t, http.StatusOK, "POST", "/v1/questions", adminToken, newQuestion("admin-write")).Body
		if created["version"] != float64(1) || created["author"] != "admin" || created["etag"] == "" {
			t.Errorf("admin create = %v", created)
		}
		for _, path := range []string{"/healthz", "/readyz", "/metrics", "/openapi.json"} {
			if r := ts.Call(t, "GET", path, "", nil); r.Code != http.StatusOK {
				t.Errorf("%s without token: %d, want 200", path, r.Code)
			}
		}
		if strings.Contains(ts.Logs.String(), adminToken) || strings.Contains(ts.Logs.String(), readerToken) {
			t.Error("a token appeared in the logs")
		}
	})
}

func TestCreateUpdateHistory(t *testing.T) {
	testserver.ForEachBackend(t, func(t *testing.T, cfg func() server.Config) {
		ts := testserver.Start(t, cfg())
		v1 := ts.Must(t, http.StatusOK, "POST", "/v1/questions", adminToken, newQuestion("safe-migrations")).Body
		if got := list(v1, "stacks"); len(got) != 1 || got[0] != "postgresql" {
			t.Errorf("stack alias not resolved: %v", got)
		}
		// A colleague's edit with a stale etag must lose and change nothing.
		edit := map[string]any{"text": "How do you change a hot table's schema without downtime?", "etag": v1["etag"]}
		v2 := ts.Must(t, http.StatusOK, "PATCH", "/v1/questions/safe-migrations?updateMask=text", adminToken, edit).Body
		if v2["version"] != float64(2) || v2["text"] != edit["text"] || v2["whatItReveals"] != v1["whatItReveals"] {
			t.Fatalf("update = %v", v2)
		}
		stale := map[string]any{"text": "Clobbered.", "etag": v1["etag"]}
		if r := ts.Call(t, "PATCH", "/v1/questions/safe-migrations", adminToken, stale); r.Code != http.StatusConflict {
			t.Fatalf("stale etag: %d %v, want 409", r.Code, r.Body)
		}
		head := ts.Must(t, http.StatusOK, "GET", "/v1/questions/safe-migrations", readerToken, nil).Body
		if head["version"] != float64(2) || head["text"] != edit["text"] {
			t.Errorf("stale update changed the question: %v", head)
		}
		old := ts.Must(t, http.StatusOK, "GET", "/v1/questions/safe-migrations?version=1", readerToken, nil).Body
		if old["text"] != v1["text"] || old["version"] != float64(1) {
			t.Errorf("version 1 = %v", old)
		}
		// No updateMask: the gateway takes the fields present in the body.
		v3 := ts.Must(t, http.StatusOK, "PATCH", "/v1/questions/safe-migrations", adminToken,
			map[string]any{"minutes": 6, "etag": v2["etag"], "changeNote": "more time"}).Body
		if v3["version"] != float64(3) || v3["minutes"] != float64(6) || v3["text"] != edit["text"] {
			t.Errorf("implicit mask update = %v", v3)
		}
		versions := list(ts.Must(t, http.StatusOK, "GET", "/v1/questions/safe-migrations/versions", readerToken, nil).Body, "versions")
		if len(versions) != 3 {
			t.Fatalf("%d versions, want 3", len(versions))
		}
		if obj(versions[0])["version"] != float64(3) || obj(versions[0])["changeNote"] != "more time" || obj(versions[2])["author"] != "admin" || obj(versions[2])["changeNote"] != "new question" {
			t.Errorf("history = %v", versions)
		}
		batch := list(ts.Must(t, http.StatusOK, "GET", "/v1/questions:batchGet?refs=safe-migrations@1&refs=safe-migrations", readerToken, nil).Body, "questions")
		if len(batch) != 2 || obj(batch[0])["text"] != v1["text"] || obj(batch[1])["version"] != float64(3) {
			t.Errorf("batchGet = %v", batch)
		}
		if r := ts.Call(t, "GET", "/v1/questions/no-such-question", readerToken, nil); r.Code != http.StatusNotFound {
			t.Errorf("unknown id: %d, want 404", r.Code)
		}
		if r := ts.Call(t, "POST", "/v1/questions", adminToken, newQuestion("safe-migrations")); r.Code != http.StatusConflict {
			t.Errorf("duplicate id: %d, want 409", r.Code)
		}
	})
}

func TestRetireRestore(t *testing.T) {
	testserver.ForEachBackend(t, func(t *testing.T, cfg func() server.Config) {
		ts := testserver.Start(t, cfg())
		q := ts.Must(t, http.StatusOK, "POST", "/v1/questions", adminToken, newQuestion("retire-me")).Body
		inList := func() bool {
			out := ts.Must(t, http.StatusOK, "GET", "/v1/questions?pageSize=100&competency=system-design", readerToken, nil).Body
			for _, item := range list(out, "questions") {
				if obj(item)["id"] == "retire-me" {
					return true
				}
			}
			return false
		}
		if !inList() {
			t.Fatal("a new question is missing from the list")
		}
		if r := ts.Call(t, "POST", "/v1/questions/retire-me:retire", adminToken, map[string]any{"etag": "stale"}); r.Code != http.StatusConflict {
			t.Errorf("retire with a stale etag: %d, want 409", r.Code)
		}
		retired := ts.Must(t, http.StatusOK, "POST", "/v1/questions/retire-me:retire", adminToken, map[string]any{"etag": q["etag"]}).Body
		if retired["state"] != "STATE_RETIRED" || inList() {
			t.Errorf("retired question still listed (state %v)", retired["state"])
		}
		if got := ts.Must(t, http.StatusOK, "GET", "/v1/questions/retire-me?version=1", readerToken, nil).Body; got["text"] != q["text"] {
			t.Error("a retired question is not readable by id and version")
		}
		out := ts.Must(t, http.StatusOK, "GET", "/v1/questions?state=STATE_RETIRED&pageSize=100", readerToken, nil).Body
		if n, want := len(list(out, "questions")), seedQuestions(t, qbank.StateRetired)+1; n != want {
			t.Errorf("state=RETIRED lists %d, want the seed's retired questions and retire-me (%d)", n, want)
		}
		restored := ts.Must(t, http.StatusOK, "POST", "/v1/questions/retire-me:restore", adminToken, map[string]any{"etag": retired["etag"]}).Body
		if restored["state"] != "STATE_ACTIVE" || restored["version"] != float64(1) || !inList() {
			t.Errorf("restore = %v", restored)
		}
		if r := ts.Call(t, "POST", "/v1/questions/retire-me:restore", adminToken, map[string]any{"etag": restored["etag"]}); r.Code != http.StatusBadRequest {
			t.Errorf("restoring an active question: %d, want 400 (failed precondition)", r.Code)
		}
	})
}

func TestInvalidCreateNamesEveryField(t *testing.T) {
	testserver.ForEachBackend(t, func(t *testing.T, cfg func() server.Config) {
		ts := testserver.Start(t, cfg())
		before := ts.Must(t, http.StatusOK, "GET", "/v1/questions?pageSize=1", readerToken, nil).Body["totalSize"]
		bad := newQuestion("Bad ID!")
		bad["text"] = "   "
		bad["roles"] = []string{"astronaut"}
		bad["dimension"] = "behavioral"       // system-design is technical
		bad["minutes"] = 40                   // out of range
		bad["stacks"] = []string{"cobol"}     // unknown
		bad["seniorities"] = []string{"guru"} // unknown
		r := ts.Call(t, "POST", "/v1/questions", adminToken, bad)
		if r.Code != http.StatusBadRequest {
			t.Fatalf("invalid create: %d %v", r.Code, r.Body)
		}
		var fields []string
		for _, d := range list(r.Body, "details") {
			for _, fv := range list(obj(d), "fieldViolations") {
				fields = append(fields, str(obj(fv)["field"]))
			}
		}
		for _, want := range []string{"question.id", "question.text", "question.roles", "question.competency", "question.minutes", "question.stacks", "question.seniorities"} {
			if !slices.Contains(fields, want) {
				t.Errorf("no violation for %s; got %v", want, fields)
			}
		}
		after := ts.Must(t, http.StatusOK, "GET", "/v1/questions?pageSize=1", readerToken, nil).Body["totalSize"]
		if before != after {
			t.Errorf("a rejected create changed the bank: %v → %v questions", before, after)
		}
	})
}

func TestGRPCReflectionHealthAndErrors(t *testing.T) {
	ts := testserver.Start(t, testserver.Backends[0].Config(t)())
	h, err := healthpb.NewHealthClient(ts.Conn).Check(testserver.GRPCContext(t, ""), &healthpb.HealthCheckRequest{Service: pb.QuestionBankService_ServiceDesc.ServiceName})
	if err != nil || h.GetStatus() != healthpb.HealthCheckResponse_SERVING {
		t.Fatalf("health = %v, %v", h, err)
	}
	stream, err := reflectionpb.NewServerReflectionClient(ts.Conn).ServerReflectionInfo(testserver.GRPCContext(t, ""))
	if err != nil {
		t.Fatal(err)
	}
	if err := stream.Send(&reflectionpb.ServerReflectionRequest{MessageRequest: &reflectionpb.ServerReflectionRequest_ListServices{}}); err != nil {
		t.Fatal(err)
	}
	resp, err := stream.Recv()
	if err != nil {
		t.Fatal(err)
	}
	var services []string
	for _, s := range resp.GetListServicesResponse().GetService() {
		services = append(services, s.GetName())
	}
	if !slices.Contains(services, "layersrank.questionbank.v1.QuestionBankService") {
		t.Errorf("reflection lists %v", services)
	}

	client := pb.NewQuestionBankServiceClient(ts.Conn)
	_, err = client.CreateQuestion(testserver.GRPCContext(t, adminToken), &pb.CreateQuestionRequest{Question: &pb.Question{Id: "x"}})
	st := status.Convert(err)
	if st.Code() != codes.InvalidArgument {
		t.Fatalf("empty create: %v", err)
	}
	var violations int
	for _, d := range st.Details() {
		if br, ok := d.(*errdetails.BadRequest); ok {
			violations += len(br.GetFieldViolations())
		}
	}
	if violations < 6 {
		t.Errorf("empty create gave %d field violations, want one per missing field", violations)
	}
	tax, err := client.GetTaxonomy(testserver.GRPCContext(t, readerToken), &pb.GetTaxonomyRequest{})
	if err != nil || len(tax.GetTaxonomy().GetRoles()) != 4 || len(tax.GetTaxonomy().GetDimensions()) != 3 {
		t.Errorf("taxonomy = %v, %v", tax, err)
	}
	if _, err := client.GetQuestion(testserver.GRPCContext(t, readerToken), &pb.GetQuestionRequest{Id: "rate-limiter", Version: -1}); status.Code(err) != codes.InvalidArgument {
		t.Errorf("negative version: %v", err)
	}
}

func TestRestartKeepsWritesAndSeedsOnce(t *testing.T) {
	testserver.ForEachBackend(t, func(t *testing.T, cfg func() server.Config) {
		bank, err := seed.Load()
		if err != nil {
			t.Fatal(err)
		}
		ts := testserver.Start(t, cfg())
		edited := bank.Questions[0]
		head := ts.Must(t, http.StatusOK, "GET", "/v1/questions/"+edited.ID, readerToken, nil).Body
		ts.Must(t, http.StatusOK, "PATCH", "/v1/questions/"+edited.ID+"?updateMask=text", adminToken,
			map[string]any{"text": "An admin's sharper wording.", "etag": head["etag"]})
		ts.Must(t, http.StatusOK, "POST", "/v1/questions", adminToken, newQuestion("written-before-restart"))
		ts.Stop()

		ts = testserver.Start(t, cfg())
		got := ts.Must(t, http.StatusOK, "GET", "/v1/questions/"+edited.ID, readerToken, nil).Body
		if got["text"] != "An admin's sharper wording." || got["version"] != float64(2) {
			t.Errorf("after restart the edit is %v v%v", got["text"], got["version"])
		}
		ts.Must(t, http.StatusOK, "GET", "/v1/questions/written-before-restart", readerToken, nil)
		out := ts.Must(t, http.StatusOK, "GET", "/v1/questions?pageSize=1", readerToken, nil).Body
		if want := seedQuestions(t, qbank.StateActive) + 1; int(out["totalSize"].(float64)) != want {
			t.Errorf("after restart %v active questions, want %d", out["totalSize"], want)
		}
	})
}

func TestReplicasSeeEachOthersWrites(t *testing.T) {
	testserver.ForEachBackend(t, func(t *testing.T, cfg func() server.Config) {
		a, b := testserver.Start(t, cfg()), testserver.Start(t, cfg())
		a.Must(t, http.StatusOK, "POST", "/v1/questions", adminToken, newQuestion("replicated"))
		deadline := time.Now().Add(time.Second)
		for {
			out := b.Must(t, http.StatusOK, "GET", "/v1/questions?competency=system-design&pageSize=100", readerToken, nil).Body
			found := false
			for _, q := range list(out, "questions") {
				found = found || obj(q)["id"] == "replicated"
			}
			if found {
				return
			}
			if time.Now().After(deadline) {
				t.Fatal("a write through one replica was not listed by the other within 1 s")
			}
			time.Sleep(20 * time.Millisecond)
		}
	})
}

func TestMetricsCountCalls(t *testing.T) {
	ts := testserver.Start(t, testserver.Backends[0].Config(t)())
	ts.Must(t, http.StatusOK, "GET", "/v1/taxonomy", readerToken, nil)
	ts.Call(t, "GET", "/v1/questions/nope-nope", readerToken, nil)
	req, _ := http.NewRequest("GET", ts.Base+"/metrics", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	_, _ = io.Copy(&b, resp.Body)
	for _, want := range []string{
		`grpc_server_handled_total{grpc_code="OK",grpc_method="GetTaxonomy"`,
		`grpc_server_handled_total{grpc_code="NotFound",grpc_method="GetQuestion"`,
		`grpc_server_handling_seconds_bucket{grpc_method="GetTaxonomy"`,
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	// The exposition must parse and pass Prometheus's own lint, the checks
	// `promtool check metrics` runs (promlint is that code, from the client
	// library qbank already links).
	problems, err := promlint.New(strings.NewReader(b.String())).Lint()
	if err != nil {
		t.Fatalf("/metrics does not parse as Prometheus text: %v", err)
	}
	for _, p := range problems {
		t.Errorf("promlint: %s: %s", p.Metric, p.Text)
	}
}

// TestPostgresReplicasAreNotified: with polling all but off, a replica
// learns of another's commit through LISTEN/NOTIFY within 1 s, and after its
// listening connection is killed it reconnects and catches up.
func TestPostgresReplicasAreNotified(t *testing.T) {
	cfg := testserver.Backends[1].Config(t)
	slow := func() server.Config { c := cfg(); c.RefreshInterval = time.Hour; return c }
	a, b := testserver.Start(t, slow()), testserver.Start(t, slow())
	seen := func(id string) bool {
		return b.Call(t, "GET", "/v1/questions/"+id, readerToken, nil).Code == http.StatusOK
	}
	waitFor := func(id string, within time.Duration) {
		t.Helper()
		deadline := time.Now().Add(within)
		for !seen(id) {
			if time.Now().After(deadline) {
				t.Fatalf("%s not visible on the other replica within %v", id, within)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	a.Must(t, http.StatusOK, "POST", "/v1/questions", adminToken, newQuestion("notified-one"))
	waitFor("notified-one", time.Second)

	// Kill every LISTEN connection on the database: the replica must notice,
	// reconnect and catch up on the write it missed meanwhile.
	ps, ok := b.Store().(interface{ Pool() *pgxpool.Pool })
	if !ok {
		t.Fatal("not a postgres store")
	}
	if _, err := ps.Pool().Exec(context.Background(),
		`SELECT pg_terminate_backend(pid) FROM pg_stat_activity
		 WHERE datname = current_database() AND query LIKE 'LISTEN%' AND pid <> pg_backend_pid()`); err != nil {
		t.Fatal(err)
	}
	a.Must(t, http.StatusOK, "POST", "/v1/questions", adminToken, newQuestion("notified-two"))
	waitFor("notified-two", 3*time.Second)
}

// TestRateLimitPerToken: a token over its limit gets 429 with Retry-After
// (ResourceExhausted with RetryInfo over gRPC), while another token is
// unaffected.
func TestRateLimitPerToken(t *testing.T) {
	cfg := testserver.Backends[0].Config(t)()
	cfg.RateLimit = 5 // bursts of 10
	ts := testserver.Start(t, cfg)
	limited := 0
	var retry string
	for range 30 {
		req, _ := http.NewRequest("GET", ts.Base+"/v1/taxonomy", nil)
		req.Header.Set("Authorization", "Bearer "+readerToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusTooManyRequests {
			limited++
			retry = resp.Header.Get("Retry-After")
		}
	}
	if limited < 15 || retry == "" {
		t.Errorf("%d of 30 rapid calls limited, Retry-After %q; want most limited with a hint", limited, retry)
	}
	ts.Must(t, http.StatusOK, "GET", "/v1/taxonomy", adminToken, nil)
	_, err := pb.NewQuestionBankServiceClient(ts.Conn).GetTaxonomy(testserver.GRPCContext(t, readerToken), &pb.GetTaxonomyRequest{})
	st := status.Convert(err)
	hasRetry := false
	for _, d := range st.Details() {
		_, ok := d.(*errdetails.RetryInfo)
		hasRetry = hasRetry || ok
	}
	if st.Code() != codes.ResourceExhausted || !hasRetry {
		t.Errorf("gRPC over the limit: %v (retry info %v)", err, hasRetry)
	}
}

// seedQuestions counts the embedded seed's questions in a state ("" = all):
// the bank a fresh server starts with.
func seedQuestions(t testing.TB, state qbank.State) int {
	t.Helper()
	b, err := seed.Load()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, q := range b.Questions {
		if state == "" || q.State == state {
			n++
		}
	}
	return n
}
