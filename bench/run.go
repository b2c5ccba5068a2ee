package bench

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	mrand "math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/proto"

	"github.com/layersrank/qbank/internal/bankgen"
	"github.com/layersrank/qbank/internal/storeopen"
	pb "github.com/layersrank/qbank/proto/layersrank/questionbank/v1"
	"github.com/layersrank/qbank/seed"
	"github.com/layersrank/qbank/server"
)

// Config says what to measure.
type Config struct {
	Stores      []string // "sqlite", "postgres"
	Sizes       []int    // bank sizes, seed included (50 = the seed alone)
	Concurrency []int
	Duration    time.Duration // per measurement
	// PostgresURL is where benchmark databases are created (and dropped).
	PostgresURL string
	// Only, when set, limits the measured operations to those whose name
	// contains it (floors always run).
	Only     string
	Progress io.Writer
}

const (
	adminToken  = "bench-admin-token-0123456789"
	readerToken = "bench-reader-token-0123456789"
)

// Run measures every op for every store, size and concurrency.
func Run(ctx context.Context, cfg Config) ([]Result, error) {
	floorURL, stopFloor, err := bareHTTP()
	if err != nil {
		return nil, err
	}
	defer stopFloor()
	var out []Result
	for _, store := range cfg.Stores {
		for _, size := range cfg.Sizes {
			rs, err := runOne(ctx, cfg, store, size, floorURL)
			if err != nil {
				return out, fmt.Errorf("%s, %d questions: %w", store, size, err)
			}
			out = append(out, rs...)
		}
	}
	return out, nil
}

// Prepared is a store filled to a size, and how to reach it.
type Prepared struct {
	Config server.Config
	IDs    []string // active question ids
	Drop   func()
}

// Prepare fills a fresh store with the seed plus generated questions up to
// size, written straight to the store in large transactions.
func Prepare(ctx context.Context, store string, size int, pgURL string) (*Prepared, error) {
	p := &Prepared{Drop: func() {}}
	dir, err := os.MkdirTemp("", "qbank-bench-")
	if err != nil {
		return nil, err
	}
	p.Config = server.Config{DataDir: dir}
	p.Drop = func() { os.RemoveAll(dir) }
	if store == "postgres" {
		dbURL, drop, err := createDatabase(ctx, pgURL)
		if err != nil {
			return nil, err
		}
		p.Config.DatabaseURL = dbURL
		p.Drop = func() { drop(); os.RemoveAll(dir) }
	}
	s, err := storeopen.Open(ctx, storeopen.Config{DataDir: p.Config.DataDir, DatabaseURL: p.Config.DatabaseURL})
	if err != nil {
		p.Drop()
		return nil, err
	}
	defer s.Close()
	bank, err := seed.Load()
	if err != nil {
		return nil, err
	}
	if err := bankgen.Fill(ctx, s, max(0, size-len(bank.Questions)), 42); err != nil {
		return nil, err
	}
	c, err := s.Load(ctx)
	if err != nil {
		return nil, err
	}
	for _, q := range c.Questions {
		p.IDs = append(p.IDs, q.ID)
	}
	return p, nil
}

func createDatabase(ctx context.Context, adminURL string) (string, func(), error) {
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return "", nil, fmt.Errorf("postgres at %s: %w", adminURL, err)
	}
	defer conn.Close(ctx)
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "qbank_bench_" + hex.EncodeToString(b[:])
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		return "", nil, err
	}
	u, _ := url.Parse(adminURL)
	u.Path = "/" + name
	drop := func() {
		c, err := pgx.Connect(context.Background(), adminURL)
		if err != nil {
			return
		}
		defer c.Close(context.Background())
		_, _ = c.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	}
	return u.String(), drop, nil
}

// Dial starts a server (see Start) and a gRPC client of it; stop closes both.
func Dial(ctx context.Context, cfg server.Config) (*server.Server, *grpc.ClientConn, func(), error) {
	srv, stopServer, err := Start(ctx, cfg)
	if err != nil {
		return nil, nil, nil, err
	}
	conn, err := grpc.NewClient(srv.GRPCAddr(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		stopServer()
		return nil, nil, nil, err
	}
	return srv, conn, func() { conn.Close(); stopServer() }, nil
}

// Start runs a server on loopback ports over a prepared store, with logs
// formatted as in production (JSON, info) but discarded.
func Start(ctx context.Context, cfg server.Config) (*server.Server, func(), error) {
	cfg.GRPCAddr, cfg.HTTPAddr = "127.0.0.1:0", "127.0.0.1:0"
	cfg.AdminToken, cfg.ReaderToken = adminToken, readerToken
	// One token and one client address drive the whole load here: neither
	// limiter may turn a measurement into a count of refusals (the health
	// floor is anonymous).
	cfg.RateLimit, cfg.AnonRateLimit = -1, -1
	cfg.Logger = slog.New(slog.NewJSONHandler(io.Discard, nil))
	srv, err := server.New(ctx, cfg)
	if err != nil {
		return nil, nil, err
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve() }()
	return srv, func() {
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
		<-done
	}, nil
}

func runOne(ctx context.Context, cfg Config, store string, size int, floorURL string) ([]Result, error) {
	progress(cfg, "preparing %s with %d questions", store, size)
	prep, err := Prepare(ctx, store, size, cfg.PostgresURL)
	if err != nil {
		return nil, err
	}
	defer prep.Drop()
	srv, conn, stop, err := Dial(ctx, prep.Config)
	if err != nil {
		return nil, err
	}
	defer stop()
	client := pb.NewQuestionBankServiceClient(conn)
	health := healthpb.NewHealthClient(conn)
	auth := func(ctx context.Context) context.Context {
		return metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+readerToken)
	}
	ids := prep.IDs
	randomID := func(rng *mrand.Rand) string { return ids[rng.IntN(len(ids))] }
	// No Accept-Encoding: the gateway is measured with gzip off, writing the
	// same bytes as the floor.
	httpClient := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64, MaxConnsPerHost: 64, DisableCompression: true}}
	gatewayBase := "http://" + srv.HTTPAddr() + "/v1/questions/"

	type named struct {
		name, floor string
		fn          op
		onlyConc1   bool // too costly to run from many clients at once
	}
	ops := []named{
		// The floor carries the reader's token like every call it is
		// compared with: the edge checks it the same way, and an anonymous
		// connection has a byte allowance meant for probes, not load.
		{name: opHealthFloor, fn: func(ctx context.Context, _ int, _ *mrand.Rand) error {
			_, err := health.Check(auth(ctx), &healthpb.HealthCheckRequest{})
			return err
		}},
		{name: "floor: bare net/http, a question's JSON", fn: httpGet(httpClient, func(*mrand.Rand) string { return floorURL }, "")},
		{name: "GetQuestion", floor: "floor: gRPC health check", fn: func(ctx context.Context, _ int, rng *mrand.Rand) error {
			_, err := client.GetQuestion(auth(ctx), &pb.GetQuestionRequest{Id: randomID(rng)})
			return err
		}},
		{name: "ListQuestions role+dimension, 25", floor: "floor: gRPC health check", fn: func(ctx context.Context, _ int, _ *mrand.Rand) error {
			_, err := client.ListQuestions(auth(ctx), &pb.ListQuestionsRequest{Role: "backend-engineer", Dimension: "technical", PageSize: 25})
			return err
		}},
		{name: "ListQuestions search \"latency\", 25", floor: "floor: gRPC health check", fn: func(ctx context.Context, _ int, _ *mrand.Rand) error {
			_, err := client.ListQuestions(auth(ctx), &pb.ListQuestionsRequest{Query: "latency", PageSize: 25})
			return err
		}},
		{name: opAssembleSeed, floor: opHealthFloor, fn: func(ctx context.Context, _ int, rng *mrand.Rand) error {
			// One request shape: after its first call the distribution is
			// cached, and each call is a draw.
			_, err := client.AssembleAssessment(auth(ctx), &pb.AssembleAssessmentRequest{Role: "backend-engineer", Seed: proto.Int64(rng.Int64())})
			return err
		}},
		{name: "AnalyzeExposure (same shape)", floor: "floor: gRPC health check", fn: func(ctx context.Context, _ int, _ *mrand.Rand) error {
			_, err := client.AnalyzeExposure(auth(ctx), &pb.AnalyzeExposureRequest{Assessment: &pb.AssembleAssessmentRequest{Role: "backend-engineer"}})
			return err
		}},
		{name: opAssembleShape, floor: opHealthFloor, onlyConc1: true, fn: func(ctx context.Context, _ int, rng *mrand.Rand) error {
			// Excluding a random question makes a shape not seen before
			// (almost always), so each call computes a distribution.
			_, err := client.AssembleAssessment(auth(ctx), &pb.AssembleAssessmentRequest{Role: "backend-engineer",
				ExcludedQuestionIds: []string{randomID(rng)}, Seed: proto.Int64(rng.Int64())})
			return err
		}},
		{name: "gateway GET /v1/questions/{id}", floor: "floor: bare net/http, a question's JSON", fn: httpGet(httpClient, func(rng *mrand.Rand) string { return gatewayBase + randomID(rng) }, readerToken)},
	}
	floors := map[string]Result{}
	var out []Result
	for _, conc := range cfg.Concurrency {
		for _, o := range ops {
			if cfg.Only != "" && o.floor != "" && !strings.Contains(o.name, cfg.Only) {
				continue
			}
			if o.onlyConc1 && conc != 1 {
				continue
			}
			// Warm up connections and caches, then measure.
			measure(ctx, conc, cfg.Duration/10, o.fn)
			runtime.GC()
			r := measure(ctx, conc, cfg.Duration, o.fn)
			r.Store, r.Questions, r.Op, r.Floor = store, len(ids), o.name, o.floor
			if o.floor == "" {
				if r.Errors > 0 {
					// A floor that fails is measuring refusals, and every
					// ratio against it would flatter the operation.
					return nil, fmt.Errorf("%s, %s at concurrency %d: %d of its calls failed, first: %w", store, o.name, conc, r.Errors, r.FirstError)
				}
				floors[fmt.Sprint(o.name, conc)] = r
			} else if f := floors[fmt.Sprint(o.floor, conc)]; f.QPS > 0 {
				r.QPSRatio, r.P50Ratio = r.QPS/f.QPS, float64(r.P50)/float64(f.P50)
			}
			progress(cfg, "%-8s %6d q  c=%-2d %-42s %9.0f/s  p50 %-9v p99 %-9v errors %d", store, len(ids), conc, o.name, r.QPS, r.P50, r.P99, r.Errors)
			out = append(out, r)
		}
	}
	return out, nil
}

func progress(cfg Config, format string, args ...any) {
	if cfg.Progress != nil {
		fmt.Fprintf(cfg.Progress, format+"\n", args...)
	}
}
