package sqlcore

import (
	"strconv"
	"strings"
	"time"
)

// Dialect is everything about an engine's SQL that the shared queries leave
// open. It is deliberately small: anything not named here is written once,
// in SQL both engines accept (ON CONFLICT, RETURNING, TRUE/FALSE, NOT).
type Dialect struct {
	// Placeholders is how a statement refers to its arguments.
	Placeholders Placeholders
	// TimeAsMicros stores times as integer Unix microseconds (SQLite has no
	// time type); otherwise they are timestamptz values. Either way a time
	// is stored to the microsecond, which is why repository.Now truncates.
	TimeAsMicros bool
	// RowLocks: reads that a write transaction makes before changing the
	// same rows take row locks (FOR UPDATE). Without row locks (SQLite) the
	// write transaction holds the whole database from its first statement,
	// which serves the same purpose.
	RowLocks bool
	// Notify, when not empty, is run in every write transaction just before
	// it commits, with the new revision (as text) for its one argument, so
	// that other processes learn of the commit (PostgreSQL's pg_notify is
	// delivered only if the transaction commits).
	Notify string
}

// Placeholders is a style of statement arguments.
type Placeholders int

// The placeholder styles. The shared queries are written with QuestionMarks.
const (
	QuestionMarks Placeholders = iota // ?, ?, ?
	Numbered                          // $1, $2, $3
)

// Rebind rewrites a statement written with question marks into p's style.
// The shared statements hold no question mark other than placeholders (no
// string literal contains one, and none uses PostgreSQL's jsonb ? operator).
func (p Placeholders) Rebind(query string) string {
	if p == QuestionMarks || !strings.Contains(query, "?") {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 8)
	n := 0
	for _, r := range query {
		if r != '?' {
			b.WriteRune(r)
			continue
		}
		n++
		b.WriteByte('$')
		b.WriteString(strconv.Itoa(n))
	}
	return b.String()
}

// timeArg is t as a statement argument.
func (d *Dialect) timeArg(t time.Time) any {
	if d.TimeAsMicros {
		return t.UnixMicro()
	}
	return t
}

// timeCol is where a time column scans to, in either encoding.
type timeCol struct {
	micros int64
	t      time.Time
}

// dest returns the scan destination for c.
func (d *Dialect) dest(c *timeCol) any {
	if d.TimeAsMicros {
		return &c.micros
	}
	return &c.t
}

// value returns the scanned time, in UTC.
func (d *Dialect) value(c *timeCol) time.Time {
	if d.TimeAsMicros {
		return time.UnixMicro(c.micros).UTC()
	}
	return c.t.UTC()
}
