package faulttest_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	"github.com/layersrank/qbank/internal/testserver"
	pb "github.com/layersrank/qbank/proto/layersrank/questionbank/v1"
	"github.com/layersrank/qbank/server"
)

// Racers and rounds of the etag races. 32 racers on one resource is far more
// contention than curators produce; it makes a lost update or a double
// winner show up at once if the compare-and-swap is not atomic.
const (
	racers      = 32
	lockedSteps = 4 // rounds in which every racer holds the same etag
)

// raceTarget is a resource racers update through its etag.
type raceTarget struct {
	// read returns the current etag, version (0 for templates) and text.
	read func(ctx context.Context) (etag string, version int, text string, err error)
	// write updates the text if etag is current, through gRPC or, with
	// viaHTTP, through the JSON gateway. conflict reports a lost race: gRPC
	// Aborted or HTTP 409 carrying the Aborted status.
	write func(ctx context.Context, viaHTTP bool, etag, text string) (res writeResult)
	// history returns version → text for every stored version (nil for
	// templates, which keep no history).
	history func(ctx context.Context) (map[int]string, error)
}

type writeResult struct {
	ok       bool
	conflict bool
	etag     string
	version  int
	err      error // anything other than a win or a clean conflict
}

// win is one acknowledged update.
type win struct {
	racer         int
	from, to      string // etags before and after
	version       int
	text          string
	staleRereads  int
	rereadTimeout bool
}

// TestEtagRaces has 32 clients update ONE question (then ONE template) with
// the same etag, through real gRPC and the JSON gateway, on both stores.
//
// Locked rounds: everyone holds the same etag; exactly one wins, the 31
// others get Aborted (HTTP 409), and after a loss each re-reads and must see
// the winner's write. Free-for-all: everyone re-reads and retries until it has
// won once. Afterwards the wins must form one unbroken chain of etags (each
// win's "from" is the previous win's "to"), versions must be contiguous with
// one version per win, and each version must hold exactly the text its winner
// wrote: no update lost, none applied twice.
func TestEtagRaces(t *testing.T) {
	testserver.ForEachBackend(t, func(t *testing.T, cfg func() server.Config) {
		ts := testserver.Start(t, cfg())
		t.Run("question", func(t *testing.T) { runRace(t, ts, questionTarget(t, ts)) })
		t.Run("template", func(t *testing.T) { runRace(t, ts, templateTarget(t, ts)) })
	})
}

func runRace(t *testing.T, ts *testserver.Server, target raceTarget) {
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	etag0, version0, text0, err := target.read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var wins []win

	// Locked rounds.
	for round := 1; round <= lockedSteps; round++ {
		etag, version, _, err := target.read(ctx)
		if err != nil {
			t.Fatal(err)
		}
		results := make([]writeResult, racers)
		texts := make([]string, racers)
		rereads := make([]int, racers)
		var timeouts atomic.Int32
		gate := make(chan struct{})
		var wg sync.WaitGroup
		for i := range racers {
			texts[i] = fmt.Sprintf("Locked round %d, racer %d: how do you keep a cache coherent?", round, i)
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-gate
				results[i] = target.write(ctx, i%2 == 1, etag, texts[i])
				if !results[i].conflict {
					return
				}
				// A loser re-reads: it must see a newer etag (the winner's)
				// soon (the winner's response waits for the snapshot
				// refresh, a loser's does not); count how often a read was
				// still stale, and allow two seconds for a loaded CI machine.
				for deadline := time.Now().Add(2 * time.Second); ; rereads[i]++ {
					e, _, _, err := target.read(ctx)
					if err == nil && e != etag {
						return
					}
					if time.Now().After(deadline) {
						timeouts.Add(1)
						return
					}
					time.Sleep(5 * time.Millisecond)
				}
			}()
		}
		close(gate)
		wg.Wait()
		winner := -1
		for i, r := range results {
			switch {
			case r.err != nil:
				t.Errorf("round %d racer %d: %v", round, i, r.err)
			case r.ok && winner >= 0:
				t.Errorf("round %d: racers %d and %d both won with etag %s", round, winner, i, etag)
			case r.ok:
				winner = i
			}
		}
		if winner < 0 {
			t.Fatalf("round %d: nobody won", round)
		}
		stale := 0
		for _, n := range rereads {
			stale += n
		}
		if n := timeouts.Load(); n > 0 {
			t.Errorf("round %d: %d losers still read the old etag two seconds after losing", round, n)
		}
		w := results[winner]
		if version > 0 && w.version != version+1 {
			t.Errorf("round %d: the winner made version %d, want %d", round, w.version, version+1)
		}
		wins = append(wins, win{racer: winner, from: etag, to: w.etag, version: w.version, text: texts[winner], staleRereads: stale})
	}

	// Free-for-all: every racer re-reads and retries until it has won once.
	var mu sync.Mutex
	var attempts, conflicts atomic.Int64
	var wg sync.WaitGroup
	for i := range racers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			text := fmt.Sprintf("Free-for-all, racer %d: what would you cache, and for how long?", i)
			for ctx.Err() == nil {
				etag, _, _, err := target.read(ctx)
				if err != nil {
					t.Errorf("racer %d: read: %v", i, err)
					return
				}
				attempts.Add(1)
				r := target.write(ctx, i%2 == 1, etag, text)
				switch {
				case r.err != nil:
					t.Errorf("racer %d: %v", i, r.err)
					return
				case r.conflict:
					conflicts.Add(1)
					continue
				}
				mu.Lock()
				wins = append(wins, win{racer: i, from: etag, to: r.etag, version: r.version, text: text})
				mu.Unlock()
				return
			}
			t.Errorf("racer %d never won before the deadline", i)
		}()
	}
	wg.Wait()
	if t.Failed() {
		return
	}

	// One unbroken chain of etags from the first to the last write.
	next := map[string]win{}
	for _, w := range wins {
		if prev, dup := next[w.from]; dup {
			t.Fatalf("two wins from etag %s: racers %d and %d (a lost update)", w.from, prev.racer, w.racer)
		}
		next[w.from] = w
	}
	chain, etag := 0, etag0
	var last win
	for {
		w, ok := next[etag]
		if !ok {
			break
		}
		chain++
		last, etag = w, w.to
	}
	if chain != len(wins) {
		t.Fatalf("the %d wins do not form one chain of etags (the chain from the start has %d links)", len(wins), chain)
	}
	finalEtag, finalVersion, finalText, err := target.read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if finalEtag != last.to || finalText != last.text {
		t.Errorf("the head is %s %q; the last win wrote %s %q", finalEtag, finalText, last.to, last.text)
	}
	stale := 0
	for _, w := range wins[:lockedSteps] {
		stale += w.staleRereads
	}
	t.Logf("%d locked rounds × %d racers, then a free-for-all: %d wins in one etag chain, %d free-for-all attempts (%d Aborted), %d stale re-reads after a loss",
		lockedSteps, racers, len(wins), attempts.Load(), conflicts.Load(), stale)

	if target.history == nil {
		return
	}
	// Versions: the one we started at plus exactly one per win, contiguous,
	// each holding the text of the win that made it.
	if finalVersion != version0+len(wins) {
		t.Errorf("head is version %d after %d wins from version %d", finalVersion, len(wins), version0)
	}
	hist, err := target.history(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(hist) != version0+len(wins) {
		t.Errorf("%d versions stored, want %d (version %d + %d wins)", len(hist), version0+len(wins), version0, len(wins))
	}
	for v := 1; v <= finalVersion; v++ {
		if _, ok := hist[v]; !ok {
			t.Errorf("version %d is missing: versions are not contiguous", v)
		}
	}
	if hist[version0] != text0 {
		t.Errorf("version %d changed: %q", version0, hist[version0])
	}
	for _, w := range wins {
		if hist[w.version] != w.text {
			t.Errorf("version %d holds %q, but racer %d's acknowledged write was %q", w.version, hist[w.version], w.racer, w.text)
		}
	}
}

// conflictOf classifies a gRPC error: a clean loss (Aborted) or a failure.
func conflictOf(err error) writeResult {
	if status.Code(err) == codes.Aborted {
		return writeResult{conflict: true}
	}
	return writeResult{err: err}
}

// httpConflictOf classifies a non-200 gateway testserver.Reply: a loss is 409 with the
// Aborted status (code 10), not AlreadyExists (also 409).
func httpConflictOf(r testserver.Reply) writeResult {
	if r.Code == http.StatusConflict && str(r.Body["code"]) == fmt.Sprint(int(codes.Aborted)) {
		return writeResult{conflict: true}
	}
	return writeResult{err: fmt.Errorf("HTTP %d %s, want 200 or 409 Aborted", r.Code, truncate(string(r.Raw), 300))}
}

func questionTarget(t *testing.T, ts *testserver.Server) raceTarget {
	const id = "race-target-question"
	if _, err := ts.API.CreateQuestion(testserver.GRPCContext(t, adminToken), &pb.CreateQuestionRequest{Question: questionPB(id, "Version one of the contested question.")}); err != nil {
		t.Fatal(err)
	}
	return raceTarget{
		read: func(ctx context.Context) (string, int, string, error) {
			r, err := ts.API.GetQuestion(testserver.AuthContext(ctx, readerToken), &pb.GetQuestionRequest{Id: id})
			if err != nil {
				return "", 0, "", err
			}
			return r.GetQuestion().GetEtag(), int(r.GetQuestion().GetVersion()), r.GetQuestion().GetText(), nil
		},
		write: func(ctx context.Context, viaHTTP bool, etag, text string) writeResult {
			if viaHTTP {
				r, err := testserver.Do(ctx, ts.Client, "PATCH", ts.Base+"/v1/questions/"+id+"?updateMask=text", adminToken,
					map[string]any{"text": text, "etag": etag})
				switch {
				case err != nil:
					return writeResult{err: err}
				case r.Code != http.StatusOK:
					return httpConflictOf(r)
				}
				v, _ := r.Body["version"].(float64)
				return writeResult{ok: true, etag: str(r.Body["etag"]), version: int(v)}
			}
			r, err := ts.API.UpdateQuestion(testserver.AuthContext(ctx, adminToken), &pb.UpdateQuestionRequest{
				Question:   &pb.Question{Id: id, Etag: etag, Text: text},
				UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"text"}},
			})
			if err != nil {
				return conflictOf(err)
			}
			return writeResult{ok: true, etag: r.GetQuestion().GetEtag(), version: int(r.GetQuestion().GetVersion())}
		},
		history: func(ctx context.Context) (map[int]string, error) {
			versions, err := allVersions(testserver.AuthContext(ctx, readerToken), ts.API, id)
			if err != nil {
				return nil, err
			}
			out := map[int]string{}
			for _, v := range versions {
				if _, dup := out[int(v.GetVersion())]; dup {
					return nil, fmt.Errorf("version %d is listed twice", v.GetVersion())
				}
				out[int(v.GetVersion())] = v.GetText()
			}
			return out, nil
		},
	}
}

func templateTarget(t *testing.T, ts *testserver.Server) raceTarget {
	const id = "race-target-template"
	if _, err := ts.API.CreateTemplate(testserver.GRPCContext(t, adminToken), &pb.CreateTemplateRequest{Template: &pb.Template{
		Id: id, Title: "Contested template", Role: "backend-engineer", MinMinutes: 35, MaxMinutes: 45,
	}}); err != nil {
		t.Fatal(err)
	}
	return raceTarget{
		read: func(ctx context.Context) (string, int, string, error) {
			r, err := ts.API.GetTemplate(testserver.AuthContext(ctx, readerToken), &pb.GetTemplateRequest{Id: id})
			if err != nil {
				return "", 0, "", err
			}
			return r.GetTemplate().GetEtag(), 0, r.GetTemplate().GetTitle(), nil
		},
		write: func(ctx context.Context, viaHTTP bool, etag, text string) writeResult {
			if viaHTTP {
				r, err := testserver.Do(ctx, ts.Client, "PATCH", ts.Base+"/v1/templates/"+url.PathEscape(id)+"?updateMask=title", adminToken,
					map[string]any{"title": text, "etag": etag})
				switch {
				case err != nil:
					return writeResult{err: err}
				case r.Code != http.StatusOK:
					return httpConflictOf(r)
				}
				return writeResult{ok: true, etag: str(r.Body["etag"])}
			}
			r, err := ts.API.UpdateTemplate(testserver.AuthContext(ctx, adminToken), &pb.UpdateTemplateRequest{
				Template:   &pb.Template{Id: id, Etag: etag, Title: text},
				UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"title"}},
			})
			if err != nil {
				return conflictOf(err)
			}
			return writeResult{ok: true, etag: r.GetTemplate().GetEtag()}
		},
	}
}
