// Command qbank runs and administers the LayersRank question bank.
//
//	qbank serve     serve gRPC and the JSON gateway
//	qbank migrate   apply schema migrations and exit
//	qbank seed      load the embedded seed (idempotent) and exit
//	qbank export    write the bank as JSON, YAML or PDF
//	qbank kit       write the interview kit of one assembled assessment (PDF)
//	qbank import    import questions from an export, all or nothing
//	qbank version   print the version
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"

	"google.golang.org/grpc/grpclog"

	"github.com/layersrank/qbank/internal/storeopen"
	"github.com/layersrank/qbank/seed"
	"github.com/layersrank/qbank/server"
	"github.com/layersrank/qbank/server/transport"
)

// logLevel is the level of every log, gRPC's own included (it is set from
// --log-level once a command parses its flags).
var logLevel slog.LevelVar

func main() {
	// gRPC's own messages become JSON log lines like the server's. grpclog
	// must be set before any gRPC use and only once, so here (tests call
	// run, and keep gRPC's default logger).
	grpclog.SetLoggerV2(transport.GRPCLogger(slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: &logLevel}))))
	if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "qbank:", err)
		}
		os.Exit(2)
	}
}

const usage = `qbank — the LayersRank question bank

Usage:
  qbank serve   [flags]   serve gRPC and the JSON gateway (SIGTERM drains and exits 0)
  qbank migrate [flags]   apply schema migrations and exit
  qbank seed    [flags]   load the embedded seed into the store (idempotent) and exit
  qbank export  [flags]   write the bank as json, yaml or pdf (--format, --role, --collection, --state, -o FILE)
  qbank kit     [flags]   write one assessment's interview kit as pdf (--role, --refs ID@VERSION,..., --stacks, -o FILE)
  qbank import  [flags] FILE  import questions from an export, all or nothing (--validate-only)
  qbank version           print the build version

export, import and kit open the store directly (--data-dir / --database-url), or talk to a
running server with --server ADDR and --token (or QBANK_SERVER, QBANK_TOKEN).

Run "qbank <command> -h" for a command's flags. Benchmarks are a separate
command, qbank-bench (go run ./cmd/qbank-bench -h).
`

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("no command given")
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return serve(ctx, rest, stderr)
	case "migrate":
		return migrate(ctx, rest, stdout, stderr)
	case "seed":
		return seedCmd(ctx, rest, stdout, stderr)
	case "export":
		return exportCmd(ctx, rest, stdout, stderr)
	case "import":
		return importCmd(ctx, rest, stdout, stderr)
	case "kit":
		return kitCmd(ctx, rest, stdout, stderr)
	case "bench":
		// Benchmarks are their own command, so that serve does not carry
		// the benchmark harness and its generated banks.
		return errors.New("benchmarks are a separate command: go run ./cmd/qbank-bench [flags] (see README, \"Performance\")")
	case "version":
		fmt.Fprintln(stdout, "qbank", version())
		return nil
	case "-h", "--help", "help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("unknown command %q", cmd)
	}
}

func version() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" {
				return s.Value
			}
		}
		if bi.Main.Version != "" {
			return bi.Main.Version
		}
	}
	return "(devel)"
}

// flags binds the flags every command that opens the store shares; each
// defaults to its environment variable, so a flag given on the command line
// wins.
func flags(name string, stderr io.Writer) (*flag.FlagSet, *storeopen.Config, *string) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg := &storeopen.Config{}
	fs.StringVar(&cfg.DataDir, "data-dir", env("QBANK_DATA_DIR", storeopen.DefaultDataDir), "directory of the embedded SQLite store and dev tokens (QBANK_DATA_DIR)")
	fs.StringVar(&cfg.DatabaseURL, "database-url", env("QBANK_DATABASE_URL", ""), "postgres://… to use PostgreSQL instead of SQLite (QBANK_DATABASE_URL)")
	logLevel := fs.String("log-level", env("QBANK_LOG_LEVEL", "info"), "debug, info, warn or error (QBANK_LOG_LEVEL)")
	return fs, cfg, logLevel
}

// origins splits a comma-separated list of origins, dropping empty items.
func origins(list string) []string {
	var out []string
	for _, o := range strings.Split(list, ",") {
		if o = strings.TrimSpace(o); o != "" {
			out = append(out, o)
		}
	}
	return out
}

func env(key, def string) string {
	if v, ok := os.LookupEnv(key); ok && v != "" {
		return v
	}
	return def
}

func envFloat(key string, def float64) float64 {
	if v, err := strconv.ParseFloat(os.Getenv(key), 64); err == nil {
		return v
	}
	return def
}

func envInt(key string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(key)); err == nil {
		return v
	}
	return def
}

func envDuration(key string, def time.Duration) time.Duration {
	if v, err := time.ParseDuration(os.Getenv(key)); err == nil {
		return v
	}
	return def
}

func logger(w io.Writer, level string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("log level %q: want debug, info, warn or error", level)
	}
	logLevel.Set(l)
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: l})), nil
}

func serve(ctx context.Context, args []string, stderr io.Writer) error {
	fs, store, level := flags("serve", stderr)
	cfg := &server.Config{}
	fs.StringVar(&cfg.GRPCAddr, "grpc-addr", env("QBANK_GRPC_ADDR", server.DefaultGRPCAddr), "gRPC listen address (QBANK_GRPC_ADDR)")
	fs.StringVar(&cfg.HTTPAddr, "http-addr", env("QBANK_HTTP_ADDR", server.DefaultHTTPAddr), "HTTP gateway listen address (QBANK_HTTP_ADDR)")
	fs.StringVar(&cfg.TokensFile, "tokens-file", env("QBANK_TOKENS_FILE", ""), "YAML/JSON file of hashed tokens (QBANK_TOKENS_FILE)")
	fs.Float64Var(&cfg.RateLimit, "rate-limit", envFloat("QBANK_RATE_LIMIT", server.DefaultRateLimit), "calls per second per token; negative disables (QBANK_RATE_LIMIT)")
	fs.Func("cors-origins", "comma-separated browser origins allowed to call the HTTP API, e.g. https://app.example.com; empty turns CORS off (QBANK_CORS_ORIGINS)", func(v string) error {
		cfg.CORSOrigins = origins(v)
		return nil
	})
	cfg.CORSOrigins = origins(os.Getenv("QBANK_CORS_ORIGINS"))
	fs.StringVar(&cfg.TLSCert, "tls-cert", env("QBANK_TLS_CERT", ""), "PEM certificate (chain) for both listeners; with --tls-key turns TLS on (QBANK_TLS_CERT)")
	fs.StringVar(&cfg.TLSKey, "tls-key", env("QBANK_TLS_KEY", ""), "PEM private key of --tls-cert (QBANK_TLS_KEY)")
	fs.StringVar(&cfg.TLSClientCA, "tls-client-ca", env("QBANK_TLS_CLIENT_CA", ""), "PEM CA bundle: require client certificates it signed (mutual TLS) (QBANK_TLS_CLIENT_CA)")
	fs.Float64Var(&cfg.AnonRateLimit, "anon-rate-limit", envFloat("QBANK_ANON_RATE_LIMIT", server.DefaultAnonRateLimit), "calls per second per client address without a valid token; negative disables (QBANK_ANON_RATE_LIMIT)")
	fs.DurationVar(&cfg.ReadTimeout, "read-timeout", envDuration("QBANK_READ_TIMEOUT", server.DefaultReadTimeout), "HTTP: time to read a whole request, body included (QBANK_READ_TIMEOUT)")
	fs.DurationVar(&cfg.ImportReadTimeout, "import-read-timeout", envDuration("QBANK_IMPORT_READ_TIMEOUT", server.DefaultImportReadTimeout), "HTTP: time to read an admin's import body (QBANK_IMPORT_READ_TIMEOUT)")
	fs.DurationVar(&cfg.WriteTimeout, "write-timeout", envDuration("QBANK_WRITE_TIMEOUT", server.DefaultWriteTimeout), "HTTP: time to write a response; the export stream renews it per write (QBANK_WRITE_TIMEOUT)")
	fs.DurationVar(&cfg.IdleTimeout, "idle-timeout", envDuration("QBANK_IDLE_TIMEOUT", server.DefaultIdleTimeout), "close connections idle this long, HTTP and gRPC (QBANK_IDLE_TIMEOUT)")
	fs.IntVar(&cfg.MaxConns, "max-conns", envInt("QBANK_MAX_CONNS", server.DefaultMaxConns), "open connections per listener; more wait to be accepted (QBANK_MAX_CONNS)")
	maxStreams := fs.Int("max-streams", envInt("QBANK_MAX_STREAMS", server.DefaultMaxStreams), "concurrent calls per gRPC connection (QBANK_MAX_STREAMS)")
	drainTimeout := fs.Duration("drain-timeout", envDuration("QBANK_DRAIN_TIMEOUT", 20*time.Second), "on SIGTERM, time for calls in flight to finish before their connections are closed (QBANK_DRAIN_TIMEOUT)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *maxStreams < 1 {
		return fmt.Errorf("--max-streams %d: want at least 1", *maxStreams)
	}
	cfg.MaxStreams = uint32(*maxStreams)
	cfg.DataDir, cfg.DatabaseURL = store.DataDir, store.DatabaseURL
	log, err := logger(stderr, *level)
	if err != nil {
		return err
	}
	cfg.Logger = log
	cfg.Version = version()
	cfg.AdminToken, cfg.ReaderToken = os.Getenv("QBANK_ADMIN_TOKEN"), os.Getenv("QBANK_READER_TOKEN")

	ctx, stop := signal.NotifyContext(ctx, syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	startCtx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	srv, err := server.New(startCtx, *cfg)
	if err != nil {
		return err
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve() }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: draining in-flight calls", "drain_timeout", drainTimeout.String())
	drain, cancelDrain := context.WithTimeout(context.Background(), *drainTimeout)
	defer cancelDrain()
	if err := srv.Shutdown(drain); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-served; err != nil {
		return err
	}
	log.Info("stopped")
	return nil
}

func migrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, cfg, _ := flags("migrate", stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	store, err := storeopen.Open(ctx, *cfg) // opening migrates
	if err != nil {
		return err
	}
	defer store.Close()
	rev, err := store.Revision(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "schema is current; bank revision %d\n", rev)
	return nil
}

func seedCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, cfg, _ := flags("seed", stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	bank, err := seed.Load()
	if err != nil {
		return err
	}
	store, err := storeopen.Open(ctx, *cfg)
	if err != nil {
		return err
	}
	defer store.Close()
	res, err := seed.Apply(ctx, store, bank)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "taxonomy changed: %v; questions added: %d of %d in the seed; updated: %d; retired: %d; kept (admin-edited): %d\n",
		res.TaxonomyChanged, len(res.AddedQuestions), len(bank.Questions), len(res.UpdatedQuestions), len(res.RetiredQuestions), len(res.Kept))
	for _, k := range res.Kept {
		fmt.Fprintf(stdout, "kept %s at version %d (edited by %s): the release's revision was not applied\n", k.ID, k.Version, k.Author)
	}
	return nil
}
