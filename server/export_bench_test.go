package server_test

import (
	"context"
	"runtime"
	"sync/atomic"
	"testing"

	"github.com/layersrank/qbank"
	"github.com/layersrank/qbank/bankfile"
	"github.com/layersrank/qbank/internal/bankgen"
	"github.com/layersrank/qbank/internal/testserver"
	pb "github.com/layersrank/qbank/proto/layersrank/questionbank/v1"
	"github.com/layersrank/qbank/protoconv"
	"github.com/layersrank/qbank/repository/sqlite"
	"github.com/layersrank/qbank/server"
)

// countingWriter counts what an export writes.
type countingWriter struct{ n atomic.Int64 }

func (c *countingWriter) Write(p []byte) (int, error) { c.n.Add(int64(len(p))); return len(p), nil }

// liveHeap tracks how much live heap an export holds beyond what was live
// when it started. It forces a collection at each sample, so what it sees is
// memory still reachable (held), not garbage the collector has yet to free.
type liveHeap struct {
	base, peak uint64
}

func newLiveHeap() *liveHeap {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return &liveHeap{base: m.HeapAlloc, peak: m.HeapAlloc}
}

func (h *liveHeap) sample() {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	h.peak = max(h.peak, m.HeapAlloc)
}

func (h *liveHeap) growthMB() float64 { return float64(h.peak-h.base) / (1 << 20) }

// sampleEvery is how many questions pass between live-heap samples.
const sampleEvery = 5000

// largeBank makes a SQLite data dir holding the seed plus n generated
// questions (bankgen.Fill).
func largeBank(b *testing.B, n int) string {
	dir := b.TempDir()
	ctx := context.Background()
	store, err := sqlite.Open(ctx, dir)
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	if err := bankgen.Fill(ctx, store, n, 1); err != nil {
		b.Fatal(err)
	}
	return dir
}

// BenchmarkExport50000 streams a 50,050-question bank through gRPC into the
// JSON file format, and straight from the store, reporting the bytes written
// and the peak heap growth while doing it.
func BenchmarkExport50000(b *testing.B) {
	dir := largeBank(b, 50000)
	b.Run("grpc", func(b *testing.B) {
		ts := testserver.Start(b, server.Config{DataDir: dir})
		client := pb.NewQuestionBankServiceClient(ts.Conn)
		for b.Loop() {
			out := &countingWriter{}
			heap := newLiveHeap()
			w, _ := bankfile.NewWriter(out, bankfile.JSON)
			stream, err := client.ExportQuestionBank(testserver.GRPCContext(b, readerToken), &pb.ExportQuestionBankRequest{})
			if err != nil {
				b.Fatal(err)
			}
			seen := 0
			n := testserver.DrainExport(b, stream, w.Header, func(q *pb.Question) error {
				if seen++; seen%sampleEvery == 0 {
					heap.sample()
				}
				return w.Question(q)
			})
			_ = w.Close()
			b.ReportMetric(heap.growthMB(), "live-heap-growth-MB")
			b.ReportMetric(float64(out.n.Load())/(1<<20), "export-MB")
			b.ReportMetric(float64(n), "questions")
		}
	})
	b.Run("store", func(b *testing.B) {
		store, err := sqlite.Open(context.Background(), dir)
		if err != nil {
			b.Fatal(err)
		}
		defer store.Close()
		for b.Loop() {
			out := &countingWriter{}
			heap := newLiveHeap()
			w, _ := bankfile.NewWriter(out, bankfile.JSON)
			_ = w.Header(&pb.ExportHeader{})
			n := 0
			err := store.EachQuestion(context.Background(), func(q qbank.Question) error {
				n++
				if n%sampleEvery == 0 {
					heap.sample()
				}
				return w.Question(protoconv.QuestionToProto(&q))
			})
			if err != nil {
				b.Fatal(err)
			}
			_ = w.Close()
			b.ReportMetric(heap.growthMB(), "live-heap-growth-MB")
			b.ReportMetric(float64(out.n.Load())/(1<<20), "export-MB")
			b.ReportMetric(float64(n), "questions")
		}
	})
}
