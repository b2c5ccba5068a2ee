package server_test

import (
	"context"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/layersrank/qbank"
	"github.com/layersrank/qbank/internal/testserver"
	pb "github.com/layersrank/qbank/proto/layersrank/questionbank/v1"
	"github.com/layersrank/qbank/repository"
	"github.com/layersrank/qbank/server"
)

// statements records what a store sends from the moment it is installed.
type statements struct {
	mu  sync.Mutex
	all []string
}

func (s *statements) add(sql string) { s.mu.Lock(); s.all = append(s.all, sql); s.mu.Unlock() }

// during returns what fn sent.
func (s *statements) during(fn func()) []string {
	s.mu.Lock()
	s.all = nil
	s.mu.Unlock()
	fn()
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.all)
}

// settle waits until the store has been quiet for a while: the catalog
// refreshes after every write, and on PostgreSQL once more when the write's
// notification comes back.
func (s *statements) settle(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if len(s.during(func() { time.Sleep(time.Second) })) == 0 {
			return
		}
	}
	t.Fatal("the store never went quiet")
}

// eventually polls cond until it holds, for up to 20 seconds.
func eventually(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestPinnedReadCostsOneStatement: the platform reads every item of an
// assessment it assembled by id and version, forever. A pinned read of an
// old version costs one SQL statement the first time, and none after (the
// catalog keeps the question's versions); a current version costs none.
func TestPinnedReadCostsOneStatement(t *testing.T) {
	testserver.ForEachBackend(t, func(t *testing.T, cfg func() server.Config) {
		c := cfg()
		c.RefreshInterval = time.Hour // no polling: every statement is the read's
		ts := testserver.Start(t, c)
		obs, ok := ts.Store().(repository.QueryObserver)
		if !ok {
			t.Fatalf("%T does not report its statements (repository.QueryObserver)", ts.Store())
		}
		created := ts.Must(t, http.StatusOK, "POST", "/v1/questions", adminToken, newQuestion("pinned-reads")).Body
		etag := created["etag"]
		for _, text := range []string{"Second wording: how would you design it?", "Third wording: how would you design it?"} {
			etag = ts.Must(t, http.StatusOK, "PATCH", "/v1/questions/pinned-reads?updateMask=text", adminToken,
				map[string]any{"text": text, "etag": etag}).Body["etag"]
		}
		var stmts statements
		obs.OnQuery(stmts.add)
		t.Cleanup(func() { obs.OnQuery(nil) })
		stmts.settle(t)

		get := func(version int32) func() {
			return func() {
				want := version
				if want == 0 {
					want = 3
				}
				q, err := ts.API.GetQuestion(testserver.GRPCContext(t, readerToken), &pb.GetQuestionRequest{Id: "pinned-reads", Version: version})
				if err != nil || q.GetQuestion().GetVersion() != want {
					t.Fatalf("GetQuestion(pinned-reads@%d) = version %d, %v; want version %d", version, q.GetQuestion().GetVersion(), err, want)
				}
			}
		}
		for _, step := range []struct {
			what    string
			version int32
			want    int
		}{
			{"an old version, first read", 1, 1},
			{"another old version", 2, 0},
			{"the first again", 1, 0},
			{"the current version, by number", 3, 0},
			{"the current version", 0, 0},
		} {
			if got := stmts.during(get(step.version)); len(got) != step.want {
				t.Errorf("%s (version %d): %d statements, want %d: %q", step.what, step.version, len(got), step.want, got)
			}
		}

		// A version written by another replica, of a question whose history
		// this replica has not read. On SQLite (polling off) the snapshot
		// stays behind, so the store answers, in one statement; PostgreSQL
		// notifies the replica, whose snapshot then serves it with none.
		ctx := context.Background()
		cur, err := ts.Store().Question(ctx, qbank.Ref{ID: "api-rate-limiting-design"})
		if err != nil {
			t.Fatal(err)
		}
		content := cur.Content.Clone()
		content.Text = "Written elsewhere: how would you design an API rate limiter?"
		next, err := ts.Store().UpdateQuestion(ctx, cur.ID, cur.Etag, content, cur.State, qbank.Change{Author: "another-replica"})
		if err != nil {
			t.Fatal(err)
		}
		want := 1
		if c.DatabaseURL != "" {
			want = 0
			eventually(t, func() bool {
				q, err := ts.API.GetQuestion(testserver.GRPCContext(t, readerToken), &pb.GetQuestionRequest{Id: next.ID})
				return err == nil && q.GetQuestion().GetVersion() == int32(next.Version)
			})
		}
		stmts.settle(t)
		got := stmts.during(func() {
			q, err := ts.API.GetQuestion(testserver.GRPCContext(t, readerToken), &pb.GetQuestionRequest{Id: next.ID, Version: int32(next.Version)})
			if err != nil || q.GetQuestion().GetText() != content.Text {
				t.Fatalf("the version written elsewhere: %v, %v", q.GetQuestion(), err)
			}
		})
		if len(got) != want {
			t.Errorf("a version written elsewhere: %d statements, want %d: %q", len(got), want, got)
		}
	})
}
