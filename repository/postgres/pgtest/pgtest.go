// Package pgtest gives each test its own fresh PostgreSQL database, dropped
// when the test ends, so test runs never see each other's data.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// DefaultAdminURL is the local cluster of the development and CI machines.
const DefaultAdminURL = "postgres://root@127.0.0.1:5432/test?sslmode=disable"

// AdminURL is where test databases are created: $QBANK_TEST_POSTGRES_URL or
// DefaultAdminURL.
func AdminURL() string {
	if u := os.Getenv("QBANK_TEST_POSTGRES_URL"); u != "" {
		return u
	}
	return DefaultAdminURL
}

// Required reports whether PostgreSQL tests must run (QBANK_REQUIRE_POSTGRES=1,
// as CI sets it) rather than skip when no server answers.
func Required() bool { return os.Getenv("QBANK_REQUIRE_POSTGRES") == "1" }

// NewDatabase creates an empty database and returns its URL. Without a
// reachable server it skips the test, or fails it when Required.
func NewDatabase(tb testing.TB) string {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	admin, err := pgx.Connect(ctx, AdminURL())
	if err != nil {
		if Required() {
			tb.Fatalf("PostgreSQL is required (QBANK_REQUIRE_POSTGRES=1) but %s is unreachable: %v", redact(AdminURL()), err)
		}
		tb.Skipf("PostgreSQL at %s is unreachable (%v); set QBANK_REQUIRE_POSTGRES=1 to fail instead", redact(AdminURL()), err)
	}
	defer admin.Close(ctx)
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "qbank_test_" + hex.EncodeToString(b[:])
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		tb.Fatalf("create test database: %v", err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, AdminURL())
		if err != nil {
			tb.Logf("drop test database %s: %v", name, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			tb.Logf("drop test database %s: %v", name, err)
		}
	})
	u, err := url.Parse(AdminURL())
	if err != nil {
		tb.Fatalf("parse %s: %v", redact(AdminURL()), err)
	}
	u.Path = "/" + name
	return u.String()
}

func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "the configured URL"
	}
	return u.Redacted()
}
