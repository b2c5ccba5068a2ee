// Package repository defines the store behind the question bank: the source of
// truth for the taxonomy, every question version and the bank's revision.
// Engines live in subpackages (sqlite, postgres); storetest holds the contract
// suite every engine must pass unchanged.
package repository

import (
	"context"
	"time"

	"github.com/layersrank/qbank"
)

// Store is the durable bank. Every write runs in one transaction that bumps
// the bank revision, so readers can tell cheaply whether anything changed and
// replicas sharing a database see one order of writes.
type Store interface {
	// Revision is the bank revision: 0 for an empty store, then +1 for every
	// committed write.
	Revision(ctx context.Context) (int64, error)

	// Taxonomy returns the stored taxonomy (ENOTFOUND before the first seed).
	Taxonomy(ctx context.Context) (qbank.Taxonomy, error)
	// PutTaxonomy replaces the taxonomy when it differs from the stored one.
	PutTaxonomy(ctx context.Context, t qbank.Taxonomy) (changed bool, err error)

	// Load reads everything the catalog serves in one consistent read.
	Load(ctx context.Context) (Contents, error)
	// Changes reads, in one consistent read, what changed after revision
	// since: the questions and templates written since, and the taxonomy if
	// it was.
	Changes(ctx context.Context, since int64) (Changes, error)
	// Question returns a question at a version (0 = current); ENOTFOUND when
	// the id or the version does not exist.
	Question(ctx context.Context, ref qbank.Ref) (qbank.Question, error)
	// QuestionVersions returns every version of a question, newest first.
	QuestionVersions(ctx context.Context, id string) ([]qbank.Question, error)

	// CreateQuestion stores q as version 1 (EEXISTS if the id is taken).
	CreateQuestion(ctx context.Context, q qbank.Question, c qbank.Change) (qbank.Question, error)
	// UpdateQuestion compares etag with the current one (ECONFLICT when it
	// differs) and, in the same transaction, writes content as a new version
	// when it differs from the current content and sets the state. Nothing is
	// written when neither changes.
	UpdateQuestion(ctx context.Context, id, etag string, content qbank.Content, state qbank.State, c qbank.Change) (qbank.Question, error)
	// ImportQuestions applies creates and updates in one transaction: all of
	// them or, on the first error, none.
	ImportQuestions(ctx context.Context, ops []ImportOp, c qbank.Change) ([]qbank.Question, error)
	// EachQuestion calls fn with the current version of every question, in id
	// order, streaming from the database so memory stays bounded.
	EachQuestion(ctx context.Context, fn func(qbank.Question) error) error
	// SeedQuestions inserts, as version 1, every question whose id the store
	// has never held; existing questions are left exactly as they are. It
	// returns the ids it inserted.
	SeedQuestions(ctx context.Context, qs []qbank.Question, c qbank.Change) ([]string, error)

	// Templates returns every template, ordered by id.
	Templates(ctx context.Context) ([]qbank.Template, error)
	// Template returns a template (ENOTFOUND if absent or deleted).
	Template(ctx context.Context, id string) (qbank.Template, error)
	// CreateTemplate stores a new template (EEXISTS if the id is taken).
	CreateTemplate(ctx context.Context, t qbank.Template, c qbank.Change) (qbank.Template, error)
	// UpdateTemplate replaces a template if etag is its current one
	// (ECONFLICT otherwise); an identical template writes nothing.
	UpdateTemplate(ctx context.Context, t qbank.Template, etag string, c qbank.Change) (qbank.Template, error)
	// DeleteTemplate deletes a template if etag is its current one. The id
	// stays reserved against re-seeding, so a deleted default stays deleted.
	DeleteTemplate(ctx context.Context, id, etag string) error
	// SeedTemplates inserts the templates whose ids the store has never held.
	SeedTemplates(ctx context.Context, ts []qbank.Template, c qbank.Change) ([]string, error)

	// Secret returns the named server secret (a key every replica must
	// agree on, such as the one that authenticates page tokens): size random
	// bytes, created atomically by whichever replica asks first and the same
	// for every replica after. EINVALID for an empty name or a size outside
	// 16..1024; EPRECONDITION when the stored secret has another size.
	// Secrets are not bank content: creating one leaves the revision alone,
	// no export holds them, and no error or log line carries their value.
	Secret(ctx context.Context, name string, size int) ([]byte, error)

	// Ping checks the store is reachable (for /readyz).
	Ping(ctx context.Context) error
	Close() error
}

// ImportOp is one question of an import: a create, or an update that must
// match Etag.
type ImportOp struct {
	Create   bool
	Question qbank.Question // ID, Content and State
	Etag     string
}

// Contents is everything the catalog serves, read at one revision.
type Contents struct {
	Revision  int64
	Taxonomy  *qbank.Taxonomy  // nil before the first seed
	Questions []qbank.Question // current versions, any state, ordered by id
	Templates []qbank.Template // ordered by id
}

// Changes is what a catalog applies to move its snapshot forward.
type Changes struct {
	Revision         int64
	Taxonomy         *qbank.Taxonomy  // nil when unchanged
	Questions        []qbank.Question // current versions of the heads written since
	Templates        []qbank.Template // templates written since (not deleted)
	DeletedTemplates []string
}

// Notifier is a store that can tell when another process committed a write.
// Notify calls onChange after each such commit, and after reconnecting, when
// notifications may have been missed; it returns when ctx ends.
type Notifier interface {
	Notify(ctx context.Context, onChange func())
}

// QueryObserver is a store that can report the SQL statements it runs: a
// hook for tests and diagnostics (a test counts the statements a read
// costs), not for logging. OnQuery(fn) makes the store call fn with the text
// of every statement its operations send from then on, including BEGIN,
// COMMIT and ROLLBACK, but never argument values; OnQuery(nil) stops it.
// Statements an engine runs on its own (migrations at open, Ping, the LISTEN
// connection behind Notifier) are not reported.
type QueryObserver interface {
	OnQuery(fn func(sql string))
}

// Now is the clock stores stamp writes with, truncated to microseconds so
// that both engines round-trip the same value.
func Now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }
