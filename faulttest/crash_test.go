package faulttest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"github.com/jackc/pgx/v5"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	"github.com/layersrank/qbank"
	"github.com/layersrank/qbank/internal/testserver"
	pb "github.com/layersrank/qbank/proto/layersrank/questionbank/v1"
	"github.com/layersrank/qbank/repository"
	"github.com/layersrank/qbank/repository/postgres"
	"github.com/layersrank/qbank/repository/postgres/pgtest"
	"github.com/layersrank/qbank/repository/sqlite"
	"github.com/layersrank/qbank/seed"
)

// Crash test shape: writers per burst, versions written per question, and
// how many acknowledged writes a burst reaches before the kill (so the kill
// lands in the middle of steady writing, not before it starts).
const (
	crashWriters     = 6
	crashVersions    = 3
	crashAcksBefore  = 40
	crashCycles      = 2
	crashBurstBudget = 20 * time.Second
)

// ack is one acknowledged write: the server answered OK, so the version must
// survive anything that happens afterwards.
type ack struct {
	id      string
	version int
	text    string
}

// ackLog collects acknowledged writes from the writer goroutines.
type ackLog struct {
	mu   sync.Mutex
	acks []ack
}

func (l *ackLog) add(a ack) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.acks = append(l.acks, a)
	return len(l.acks)
}

func (l *ackLog) all() []ack {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.acks)
}

// TestKill9LosesNothingAcknowledged runs the real binary, SIGKILLs it first
// during its very first start (migrations and seeding may be half done), then
// twice in the middle of a burst of creates and updates from six clients
// (gRPC and HTTP), restarting on the same data each time. After every restart
// each acknowledged write must be there with its exact content; at the end
// the SQLite file must pass PRAGMA integrity_check, every question's versions
// must be contiguous from 1, and the bank must hold exactly the seeded
// questions (each still at its one seeded version: seeding never ran twice)
// plus the ones the bursts created.
func TestKill9LosesNothingAcknowledged(t *testing.T) {
	for _, store := range []string{"sqlite", "postgres"} {
		t.Run(store, func(t *testing.T) {
			dataDir, dbURL := t.TempDir(), ""
			if store == "postgres" {
				dbURL = pgtest.NewDatabase(t)
			}
			log := &ackLog{}

			// Killed while starting for the first time.
			p := startProc(t, dataDir, dbURL, false)
			began := time.Now()
			waitForStore(t, dataDir, dbURL)
			time.Sleep(time.Duration(rand.IntN(40)) * time.Millisecond)
			p.kill()
			checkNoRace(t, p)
			seededFirst := strings.Contains(p.stderr.String(), "seed applied")
			t.Logf("binary built in %v (race detector: %v)", buildTime.Round(time.Millisecond), raceEnabled)
			t.Logf("first start killed %v after launch, once it had opened the store (seeding had finished: %v)", time.Since(began).Round(time.Millisecond), seededFirst)

			for cycle := 1; cycle <= crashCycles; cycle++ {
				p = startProc(t, dataDir, dbURL, true)
				if cycle == 1 {
					// Seeding is one transaction: the restart adds every seed
					// question or, if the killed start had committed them,
					// none; never a part.
					added := seededCount(p.stderr.String())
					if want := map[bool]int{true: 0, false: seedSize(t)}[seededFirst]; added != want && !(added == 0 && !seededFirst) {
						t.Errorf("the restart after the killed first start seeded %d questions, want %d", added, want)
					}
				}
				checkAcks(t, p, log.all())
				n := burstAndKill(t, p, log, cycle)
				checkNoRace(t, p)
				t.Logf("cycle %d: killed with SIGKILL after %d acknowledged writes (%d in all)", cycle, n, len(log.all()))
			}

			p = startProc(t, dataDir, dbURL, true)
			acks := log.all()
			checkAcks(t, p, acks)
			p.term(t) // and SIGTERM still drains and exits 0
			checkNoRace(t, p)
			checkStore(t, dataDir, dbURL, acks)
			t.Logf("%s: %d acknowledged writes (creates and updates) across %d kills, all present after restart", store, len(acks), crashCycles+1)
		})
	}
}

// burstAndKill has crashWriters clients create questions and update each to
// crashVersions versions, recording every OK, and SIGKILLs the server once
// crashAcksBefore writes of this burst were acknowledged. It returns the
// number acknowledged in this burst.
func burstAndKill(t *testing.T, p *proc, log *ackLog, cycle int) int {
	t.Helper()
	_, api := dialGRPC(t, p.grpcAddr)
	transport := &http.Transport{}
	defer transport.CloseIdleConnections()
	client := &http.Client{Transport: transport, Timeout: 10 * time.Second}
	ctx, cancel := context.WithTimeout(context.Background(), crashBurstBudget)
	defer cancel()

	var mu sync.Mutex
	count := 0
	enough := make(chan struct{})
	record := func(a ack) {
		log.add(a)
		mu.Lock()
		defer mu.Unlock()
		if count++; count == crashAcksBefore {
			close(enough)
		}
	}
	var wg sync.WaitGroup
	for w := range crashWriters {
		wg.Add(1)
		go func() {
			defer wg.Done()
			viaHTTP := w%2 == 1
			for n := 0; ctx.Err() == nil; n++ {
				id := fmt.Sprintf("crash-c%d-w%d-%03d", cycle, w, n)
				var etag string
				for v := 1; v <= crashVersions; v++ {
					text := fmt.Sprintf("Cycle %d writer %d item %d, version %d: how do you make a write durable?", cycle, w, n, v)
					var err error
					if etag, _, err = writeQuestion(ctx, api, client, p.base, viaHTTP, id, etag, v, text); err != nil {
						return // the server is gone (or the burst is over): stop
					}
					record(ack{id: id, version: v, text: text})
				}
			}
		}()
	}
	select {
	case <-enough:
		// Land the kill at a random point of the next few writes.
		time.Sleep(time.Duration(rand.IntN(20)) * time.Millisecond)
	case <-ctx.Done():
		t.Errorf("only %d writes acknowledged within %v; log:\n%s", count, crashBurstBudget, truncate(p.stderr.String(), 3000))
	}
	p.kill()
	cancel()
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	return count
}

// writeQuestion creates (version 1) or updates (to version v) a question,
// over gRPC or HTTP, and returns the new etag once the server acknowledged
// it. code is the HTTP status of the answer (for gRPC, the status the gateway
// maps its code to), 0 when none arrived.
func writeQuestion(ctx context.Context, api pb.QuestionBankServiceClient, client *http.Client, base string, viaHTTP bool, id, etag string, v int, text string) (newEtag string, code int, err error) {
	if viaHTTP {
		var r testserver.Reply
		if v == 1 {
			r, err = testserver.Do(ctx, client, "POST", base+"/v1/questions", adminToken, questionJSON(id, text))
		} else {
			r, err = testserver.Do(ctx, client, "PATCH", base+"/v1/questions/"+id+"?updateMask=text", adminToken, map[string]any{"text": text, "etag": etag})
		}
		switch {
		case err != nil:
			return "", 0, err
		case r.Code != http.StatusOK:
			return "", r.Code, fmt.Errorf("write %s@%d: HTTP %d %s", id, v, r.Code, truncate(string(r.Raw), 200))
		}
		newEtag, err = checkWritten(id, v, str(r.Body["etag"]), r.Body["version"])
		return newEtag, r.Code, err
	}
	var got *pb.Question
	if v == 1 {
		var r *pb.CreateQuestionResponse
		if r, err = api.CreateQuestion(testserver.AuthContext(ctx, adminToken), &pb.CreateQuestionRequest{Question: questionPB(id, text)}); err == nil {
			got = r.GetQuestion()
		}
	} else {
		var r *pb.UpdateQuestionResponse
		if r, err = api.UpdateQuestion(testserver.AuthContext(ctx, adminToken), &pb.UpdateQuestionRequest{
			Question:   &pb.Question{Id: id, Etag: etag, Text: text},
			UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"text"}},
		}); err == nil {
			got = r.GetQuestion()
		}
	}
	if err != nil {
		if st, ok := status.FromError(err); ok && st.Code() != codes.Unknown {
			return "", runtime.HTTPStatusFromCode(st.Code()), err
		}
		return "", 0, err
	}
	newEtag, err = checkWritten(id, v, got.GetEtag(), float64(got.GetVersion()))
	return newEtag, http.StatusOK, err
}

// checkWritten guards the ack log: an OK that reports another version than
// the one written would be a bug of its own.
func checkWritten(id string, want int, etag string, version any) (string, error) {
	if v, _ := version.(float64); int(v) != want {
		return "", fmt.Errorf("%s: acknowledged as version %v, want %d", id, version, want)
	}
	return etag, nil
}

// checkAcks reads every acknowledged version back from a running server.
func checkAcks(t *testing.T, p *proc, acks []ack) {
	t.Helper()
	if len(acks) == 0 {
		return
	}
	_, api := dialGRPC(t, p.grpcAddr)
	ctx := testserver.GRPCContext(t, readerToken)
	missing := 0
	for _, a := range acks {
		r, err := api.GetQuestion(ctx, &pb.GetQuestionRequest{Id: a.id, Version: int32(a.version)})
		switch {
		case err != nil:
			missing++
			if missing <= 5 {
				t.Errorf("acknowledged %s@%d is gone after the restart: %v", a.id, a.version, err)
			}
		case r.GetQuestion().GetText() != a.text:
			t.Errorf("acknowledged %s@%d reads back as %q, was %q", a.id, a.version, r.GetQuestion().GetText(), a.text)
		}
	}
	if missing > 0 {
		t.Fatalf("%d of %d acknowledged writes lost", missing, len(acks))
	}
}

// checkStore opens the stopped server's store directly and checks it whole.
func checkStore(t *testing.T, dataDir, dbURL string, acks []ack) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var store repository.Store
	if dbURL == "" {
		s, err := sqlite.Open(ctx, dataDir)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.IntegrityCheck(ctx); err != nil {
			t.Errorf("PRAGMA integrity_check after the kills: %v", err)
		}
		store = s
	} else {
		s, err := postgres.Open(ctx, dbURL)
		if err != nil {
			t.Fatal(err)
		}
		store = s
	}
	defer store.Close()

	bank, err := seed.Load()
	if err != nil {
		t.Fatal(err)
	}
	seeded := map[string]bool{}
	for _, q := range bank.Questions {
		seeded[q.ID] = true
	}
	var heads []qbank.Question
	if err := store.EachQuestion(ctx, func(q qbank.Question) error { heads = append(heads, q); return nil }); err != nil {
		t.Fatal(err)
	}
	acked := map[string]map[int]string{}
	for _, a := range acks {
		if acked[a.id] == nil {
			acked[a.id] = map[int]string{}
		}
		acked[a.id][a.version] = a.text
	}
	seedCount, created := 0, 0
	for _, h := range heads {
		versions, err := store.QuestionVersions(ctx, h.ID)
		if err != nil {
			t.Fatal(err)
		}
		// Newest first, contiguous down to 1, no duplicates.
		for i, v := range versions {
			if v.Version != h.Version-i {
				t.Errorf("%s: versions %v are not contiguous from %d down to 1", h.ID, versionNumbers(versions), h.Version)
				break
			}
		}
		if len(versions) != h.Version {
			t.Errorf("%s: %d versions stored for head version %d", h.ID, len(versions), h.Version)
		}
		switch {
		case seeded[h.ID]:
			seedCount++
			if len(versions) != 1 || versions[0].Author != seed.Author {
				t.Errorf("seed question %s has versions %v: seeded twice or edited", h.ID, versionNumbers(versions))
			}
		case strings.HasPrefix(h.ID, "crash-"):
			created++
			for _, v := range versions {
				if want, ok := acked[h.ID][v.Version]; ok && v.Text != want {
					t.Errorf("%s@%d holds %q, acknowledged %q", h.ID, v.Version, v.Text, want)
				}
			}
		default:
			t.Errorf("unexpected question %s in the store", h.ID)
		}
	}
	if seedCount != len(bank.Questions) {
		t.Errorf("%d seed questions in the store, want exactly %d", seedCount, len(bank.Questions))
	}
	for id := range acked {
		if !slices.ContainsFunc(heads, func(h qbank.Question) bool { return h.ID == id }) {
			t.Errorf("acknowledged question %s is not in the store", id)
		}
	}
	if len(heads) != len(bank.Questions)+created {
		t.Errorf("%d questions stored, want %d seeded + %d created", len(heads), len(bank.Questions), created)
	}
	t.Logf("store: %d seeded + %d created questions (%d acknowledged; the rest were in flight at a kill and committed), versions contiguous",
		seedCount, created, len(acked))
}

func versionNumbers(qs []qbank.Question) []int {
	out := make([]int, len(qs))
	for i, q := range qs {
		out[i] = q.Version
	}
	return out
}

// waitForStore waits until the starting server has touched its store: the
// SQLite file exists, or it holds a connection to its PostgreSQL database.
// Killing it then lands in migrations or seeding, not in process start-up.
func waitForStore(t *testing.T, dataDir, dbURL string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var admin *pgx.Conn
	if dbURL != "" {
		var err error
		if admin, err = pgx.Connect(ctx, pgtest.AdminURL()); err != nil {
			t.Fatal(err)
		}
		defer admin.Close(context.Background())
	}
	var name string
	if u, err := url.Parse(dbURL); err == nil {
		name = strings.TrimPrefix(u.Path, "/")
	}
	for ctx.Err() == nil {
		if dbURL == "" {
			if _, err := os.Stat(filepath.Join(dataDir, sqlite.FileName)); err == nil {
				return
			}
		} else {
			var n int
			if err := admin.QueryRow(ctx, "SELECT count(*) FROM pg_stat_activity WHERE datname = $1", name).Scan(&n); err == nil && n > 0 {
				return
			}
		}
		time.Sleep(2 * time.Millisecond)
	}
	t.Fatal("the server never opened its store")
}

// seededCount reads how many questions the server's start seeded, from its
// "seed applied" log line (-1 when there is none).
func seededCount(log string) int {
	for _, line := range strings.Split(log, "\n") {
		if !strings.Contains(line, "seed applied") {
			continue
		}
		var rec struct {
			Added int `json:"questions_added"`
		}
		if json.Unmarshal([]byte(line), &rec) == nil {
			return rec.Added
		}
	}
	return -1
}

// checkNoRace fails the test when the race-enabled subprocess reported a
// data race before it died.
func checkNoRace(t *testing.T, p *proc) {
	t.Helper()
	if log := p.stderr.String(); strings.Contains(log, "WARNING: DATA RACE") {
		t.Errorf("the server reported a data race:\n%s", truncate(log[strings.Index(log, "WARNING: DATA RACE"):], 6000))
	}
}

// seedSize is how many questions the embedded seed holds.
func seedSize(t testing.TB) int {
	t.Helper()
	b, err := seed.Load()
	if err != nil {
		t.Fatal(err)
	}
	return len(b.Questions)
}
