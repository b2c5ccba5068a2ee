// Package sqlcore is the one SQL implementation of repository.Store that
// both engines (sqlite, postgres) share: every query is written here once,
// and so is the logic around it (reading heads and versions, compare-and-swap
// updates, imports, seeding, templates, the bank revision, secrets).
//
// An engine supplies two things:
//
//   - a Dialect, a small value naming what truly differs in the SQL: the
//     placeholder style, how a time is stored, the locking clause a write
//     transaction puts on the rows it is about to change, and the statement
//     that notifies other processes of a commit;
//   - an Engine, which runs a function on its own connections: a single
//     read, a read-only snapshot, a write transaction. Connection pools,
//     pragmas, deadlines, error classification and migrations stay in the
//     engine package.
//
// # Bridging pgx and database/sql
//
// The core talks to a database through Querier, three methods (Query,
// QueryRow, Exec) with the shape pgx already has. PostgreSQL's adapter hands
// the core pgx's own pgx.Rows and pgx.Row unchanged: pgx keeps its binary
// protocol, its statement cache and its scanning straight into Go values,
// with one interface call in between and no extra allocation per row.
// Going the other way (pgx behind database/sql through pgx/stdlib) would put
// database/sql's driver.Value conversions and its connection bookkeeping on
// every row PostgreSQL returns, which is where loading a large bank spends
// its time. SQLite, which only has a database/sql driver, gets a thin
// adapter (StdQuerier) whose one job is to turn *sql.Rows' Close into the
// no-result Close the interface asks for and a sql.Result into a row count.
//
// Both drivers report a missing row with an error that errors.Is
// sql.ErrNoRows (pgx.ErrNoRows wraps it), so the core tests for that one.
//
// # Statements, counted
//
// OnQuery installs a hook that sees the text of every statement the core
// sends, transaction boundaries included: a test can count what a read
// costs. It never sees argument values.
package sqlcore
