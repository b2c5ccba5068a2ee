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
	Logger    *slog.Logger
}

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
