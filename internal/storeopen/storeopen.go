// Package storeopen opens the store a deployment is configured for: the
// embedded SQLite file in a data dir, or PostgreSQL at a URL. It is its own
// package so that the commands that only need the store (migrate, seed,
// import, export) and the server share one way of opening it, and neither
// depends on the other.
package storeopen

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"

	"github.com/layersrank/qbank/repository"
	"github.com/layersrank/qbank/repository/postgres"
	"github.com/layersrank/qbank/repository/sqlite"
)

// Config says which store to open.
type Config struct {
	// DataDir holds the SQLite file (qbank.db); default ./data.
	DataDir string
	// DatabaseURL, when set (postgres://…), selects PostgreSQL instead.
	DatabaseURL string
	// Logger receives the store's own logs (PostgreSQL's notification
	// listener); nil keeps the engine's default.
	Logger *slog.Logger
}

// DefaultDataDir is where the SQLite file and dev tokens live unless told.
const DefaultDataDir = "data"

// Engine names the store the config selects: "sqlite" or "postgres".
func (c Config) Engine() string {
	if c.DatabaseURL != "" {
		return "postgres"
	}
	return "sqlite"
}

// Open opens (and migrates) the configured store.
func Open(ctx context.Context, c Config) (repository.Store, error) {
	if c.DatabaseURL == "" {
		dir := c.DataDir
		if dir == "" {
			dir = DefaultDataDir
		}
		return sqlite.Open(ctx, dir)
	}
	u, err := url.Parse(c.DatabaseURL)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return nil, fmt.Errorf("database url must be postgres://…")
	}
	s, err := postgres.Open(ctx, c.DatabaseURL)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", u.Redacted(), err)
	}
	if c.Logger != nil {
		s.Logger = c.Logger
	}
	return s, nil
}
