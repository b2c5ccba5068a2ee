package bench

import (
	"context"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"runtime"
	"time"

	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	pb "github.com/layersrank/qbank/proto/layersrank/questionbank/v1"
)

// Scale is how start-up and memory grow with the bank.
type Scale struct {
	Store     string
	Questions int
	// Startup is server.New on a filled store: migrate, seed check, full
	// load, snapshot and index build, listeners.
	Startup time.Duration
	// BytesPerQuestion is the live heap the started server holds, over the
	// live heap before it started, per question.
	BytesPerQuestion float64
}

// MeasureScale fills a store to size and measures a server starting on it.
func MeasureScale(ctx context.Context, store string, size int, pgURL string) (Scale, error) {
	prep, err := Prepare(ctx, store, size, pgURL)
	if err != nil {
		return Scale{}, err
	}
	defer prep.Drop()
	before := liveHeap()
	t := time.Now()
	srv, stop, err := Start(ctx, prep.Config)
	if err != nil {
		return Scale{}, err
	}
	startup := time.Since(t)
	after := liveHeap()
	runtime.KeepAlive(srv)
	stop()
	return Scale{Store: store, Questions: len(prep.IDs), Startup: startup,
		BytesPerQuestion: float64(after-before) / float64(len(prep.IDs))}, nil
}

func liveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// Writes is write throughput through gRPC.
type Writes struct {
	Store                        string
	CreatesPerSec, UpdatesPerSec float64
	Errors                       int
}

// MeasureWrites creates, then updates, questions for d each from conc
// clients on a seeded store.
func MeasureWrites(ctx context.Context, store, pgURL string, conc int, d time.Duration) (Writes, error) {
	prep, err := Prepare(ctx, store, 50, pgURL)
	if err != nil {
		return Writes{}, err
	}
	defer prep.Drop()
	_, conn, stop, err := Dial(ctx, prep.Config)
	if err != nil {
		return Writes{}, err
	}
	defer stop()
	client := pb.NewQuestionBankServiceClient(conn)
	admin := func(ctx context.Context) context.Context {
		return metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+adminToken)
	}
	template, err := client.GetQuestion(admin(ctx), &pb.GetQuestionRequest{Id: prep.IDs[0]})
	if err != nil {
		return Writes{}, err
	}
	counters := make([]int, conc)
	created := measure(ctx, conc, d, func(ctx context.Context, w int, _ *mrand.Rand) error {
		counters[w]++
		q := template.GetQuestion()
		_, err := client.CreateQuestion(admin(ctx), &pb.CreateQuestionRequest{QuestionId: fmt.Sprintf("bench-w%d-%07d", w, counters[w]), Question: q})
		return err
	})
	// Each writer updates its own question, so every update is a real new
	// version rather than a lost etag race.
	etags := make([]string, conc)
	for w := range conc {
		q, err := client.GetQuestion(admin(ctx), &pb.GetQuestionRequest{Id: prep.IDs[w]})
		if err != nil {
			return Writes{}, err
		}
		etags[w] = q.GetQuestion().GetEtag()
	}
	updated := measure(ctx, conc, d, func(ctx context.Context, w int, _ *mrand.Rand) error {
		counters[w]++
		resp, err := client.UpdateQuestion(admin(ctx), &pb.UpdateQuestionRequest{
			Question: &pb.Question{Id: prep.IDs[w], Etag: etags[w], ChangeNote: fmt.Sprint("bench ", counters[w]),
				Text: fmt.Sprintf("Revision %d: walk me through how you would find the cause of a slow endpoint.", counters[w])},
			UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"text"}},
		})
		if err == nil {
			etags[w] = resp.GetQuestion().GetEtag()
		}
		return err
	})
	return Writes{Store: store, CreatesPerSec: created.QPS, UpdatesPerSec: updated.QPS, Errors: created.Errors + updated.Errors}, nil
}

// ScaleMarkdown writes the scale and write figures as tables.
func ScaleMarkdown(w io.Writer, scales []Scale, writes []Writes) {
	fmt.Fprintln(w, "| store | questions | start-up | live heap per question |")
	fmt.Fprintln(w, "| --- | ---: | ---: | ---: |")
	for _, s := range scales {
		fmt.Fprintf(w, "| %s | %d | %.2f s | %.0f B |\n", s.Store, s.Questions, s.Startup.Seconds(), s.BytesPerQuestion)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| store | creates/s | updates/s | errors |")
	fmt.Fprintln(w, "| --- | ---: | ---: | ---: |")
	for _, x := range writes {
		fmt.Fprintf(w, "| %s | %.0f | %.0f | %d |\n", x.Store, x.CreatesPerSec, x.UpdatesPerSec, x.Errors)
	}
}
