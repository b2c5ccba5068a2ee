package server

import (
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/layersrank/qbank/internal/storeopen"
	"github.com/layersrank/qbank/server/auth"
)

// Config is everything `qbank serve` is told, by flag or environment.
type Config struct {
	GRPCAddr    string // default 127.0.0.1:9090
	HTTPAddr    string // default 127.0.0.1:8080
	DataDir     string // SQLite file and dev tokens; default ./data
	DatabaseURL string // postgres://…; empty for the embedded SQLite store
	TokensFile  string // hashed tokens (YAML or JSON)
	AdminToken  string // QBANK_ADMIN_TOKEN
	ReaderToken string // QBANK_READER_TOKEN
	// RefreshInterval is how often the catalog polls the store for writes
	// made by other replicas: default 250ms on SQLite; 5s on PostgreSQL,
	// where LISTEN/NOTIFY brings them at once and polling is the backstop.
	RefreshInterval time.Duration
	// RateLimit is calls per second allowed per token (bursts of twice
	// that): 0 means the default, 5,000; negative turns limiting off.
	RateLimit float64
	// CORSOrigins are the browser origins allowed to call the HTTP API
	// (--cors-origins, QBANK_CORS_ORIGINS); empty turns CORS off.
	CORSOrigins []string
	// Version is the build's version, shown in the OpenAPI document.
	Version string
	Logger  *slog.Logger

	// TLSCert and TLSKey (PEM files) turn TLS on for both listeners;
	// TLSClientCA (PEM) also requires client certificates signed by it
	// (mutual TLS). Empty: plaintext, for loopback or behind a proxy or
	// mesh that terminates TLS.
	TLSCert, TLSKey, TLSClientCA string
	// AnonRateLimit is calls per second allowed per client address without
	// a valid token (open routes, unknown paths, failed authentication),
	// bursts of twice that: 0 means DefaultAnonRateLimit; negative turns it
	// off (behind a proxy every client has the proxy's address).
	AnonRateLimit float64
	// HTTP timeouts: ReadTimeout bounds reading a whole request (headers and
	// body); an admin's import gets ImportReadTimeout instead. WriteTimeout
	// bounds writing a response (the export stream renews it per write).
	// IdleTimeout closes keep-alive connections left idle; it is also the
	// gRPC connections' idle limit. Zero means the defaults below.
	ReadTimeout, ImportReadTimeout, WriteTimeout, IdleTimeout time.Duration
	// MaxConns caps open connections per listener (more wait to be
	// accepted); 0 means DefaultMaxConns.
	MaxConns int
	// MaxStreams caps concurrent calls on one gRPC connection; 0 means
	// DefaultMaxStreams.
	MaxStreams uint32
}

// Edge defaults: generous for real clients, short enough that a slow or
// idle one cannot hold a connection (and its goroutine) for long.
const (
	DefaultAnonRateLimit     = 50
	DefaultReadTimeout       = 30 * time.Second
	DefaultImportReadTimeout = 5 * time.Minute
	DefaultWriteTimeout      = 2 * time.Minute
	DefaultIdleTimeout       = 2 * time.Minute
	DefaultMaxConns          = 4096
	DefaultMaxStreams        = 256
)

// Where qbank listens unless told: loopback only, so a first start exposes
// nothing.
const (
	DefaultGRPCAddr = "127.0.0.1:9090"
	DefaultHTTPAddr = "127.0.0.1:8080"
)

// DefaultRateLimit is generous for the assessment platform's token and still
// stops a runaway or leaked one from starving everyone else.
const DefaultRateLimit = 5000

func (c Config) withDefaults() Config {
	if c.GRPCAddr == "" {
		c.GRPCAddr = DefaultGRPCAddr
	}
	if c.HTTPAddr == "" {
		c.HTTPAddr = DefaultHTTPAddr
	}
	if c.DataDir == "" {
		c.DataDir = storeopen.DefaultDataDir
	}
	if c.RefreshInterval <= 0 {
		c.RefreshInterval = 250 * time.Millisecond
		if c.DatabaseURL != "" {
			c.RefreshInterval = 5 * time.Second
		}
	}
	if c.RateLimit == 0 {
		c.RateLimit = DefaultRateLimit
	}
	if c.AnonRateLimit == 0 {
		c.AnonRateLimit = DefaultAnonRateLimit
	}
	for _, d := range []struct {
		v   *time.Duration
		def time.Duration
	}{{&c.ReadTimeout, DefaultReadTimeout}, {&c.ImportReadTimeout, DefaultImportReadTimeout}, {&c.WriteTimeout, DefaultWriteTimeout}, {&c.IdleTimeout, DefaultIdleTimeout}} {
		if *d.v <= 0 {
			*d.v = d.def
		}
	}
	if c.MaxConns <= 0 {
		c.MaxConns = DefaultMaxConns
	}
	if c.MaxStreams == 0 {
		c.MaxStreams = DefaultMaxStreams
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return c
}

// storeConfig is the part of the configuration that says which store to open.
func (c Config) storeConfig() storeopen.Config {
	return storeopen.Config{DataDir: c.DataDir, DatabaseURL: c.DatabaseURL, Logger: c.Logger}
}

// keyring builds the token keyring from the environment and the tokens file;
// with neither, it makes (once) and loads development tokens in the data dir.
func (c Config) keyring(log *slog.Logger) (*auth.Keyring, error) {
	k := &auth.Keyring{}
	if c.AdminToken != "" {
		if err := k.AddToken("admin", auth.RoleAdmin, c.AdminToken); err != nil {
			return nil, fmt.Errorf("QBANK_ADMIN_TOKEN: %w", err)
		}
	}
	if c.ReaderToken != "" {
		if err := k.AddToken("reader", auth.RoleReader, c.ReaderToken); err != nil {
			return nil, fmt.Errorf("QBANK_READER_TOKEN: %w", err)
		}
	}
	if c.TokensFile != "" {
		if err := k.LoadTokensFile(c.TokensFile); err != nil {
			return nil, err
		}
	}
	if k.Len() > 0 {
		return k, nil
	}
	dev, path, created, err := auth.LoadOrCreateDevTokens(c.DataDir)
	if err != nil {
		return nil, err
	}
	if err := k.AddToken("dev-admin", auth.RoleAdmin, dev.Admin); err != nil {
		return nil, err
	}
	if err := k.AddToken("dev-reader", auth.RoleReader, dev.Reader); err != nil {
		return nil, err
	}
	// The path, never the tokens themselves.
	log.Warn("no tokens configured: using development tokens (admin and reader) from a file only this user can read",
		"path", path, "created", created)
	return k, nil
}
