package seed

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/layersrank/qbank"
	"github.com/layersrank/qbank/repository"
)

// Author is the name seeded versions are recorded under.
const Author = "seed"

// Notes recorded with the versions the seed writes when a question carries
// no changeNote of its own.
const (
	// InitialNote is the note of a question's first version.
	InitialNote = "LayersRank curated bank"
	// ReleaseNote is the note of a version a later content release adds.
	ReleaseNote = "LayersRank content release: revised question"
)

// maxAttempts bounds how often one question's update is retried after losing
// a compare-and-swap: a conflict means another writer (a replica applying the
// same release, or an admin) got there first, and re-reading settles it.
const maxAttempts = 5

// Result says what applying the seed wrote.
type Result struct {
	TaxonomyChanged bool
	AddedQuestions  []string
	// UpdatedQuestions got the release's content as a new version because
	// their head was still the seed's.
	UpdatedQuestions []string
	// RetiredQuestions were retired because the release retires them (they
	// may also be in UpdatedQuestions, when the release changed them too).
	RetiredQuestions []string
	// Kept are questions the release changes or retires but an admin has
	// edited since: they are left exactly as the admin left them.
	Kept           []Kept
	AddedTemplates []string
}

// Kept is a question a release would change but an admin's edit protects.
type Kept struct {
	ID      string
	Version int    // the admin's head version, left in place
	Author  string // who wrote that version
}

// Log reports the result at info level: counts and question ids, never
// question text.
func (r Result) Log(ctx context.Context, log *slog.Logger) {
	log.InfoContext(ctx, "seed applied", "taxonomy_changed", r.TaxonomyChanged,
		"questions_added", len(r.AddedQuestions), "questions_updated", len(r.UpdatedQuestions),
		"questions_retired", len(r.RetiredQuestions), "questions_kept", len(r.Kept),
		"templates_added", len(r.AddedTemplates))
	for _, k := range r.Kept {
		log.InfoContext(ctx, "seed release left an admin-edited question alone",
			"question", k.ID, "version", k.Version, "author", k.Author)
	}
}

// Apply writes the seed to a store. It is idempotent and safe to run on every
// start, from several replicas at once.
//
//   - The taxonomy (code-owned data, not editable through the API) is replaced
//     when the files changed.
//   - A question the store has never held is inserted.
//   - A question whose head the seed wrote gets the seed's content as a new
//     version (author "seed", the question's changeNote or ReleaseNote) when
//     the release changed it, and is retired when the release retires it. Its
//     state is otherwise left alone: a question an admin retired or drafted
//     stays so, whatever the release says.
//   - A question an admin has edited since (its head is not the seed's) is
//     never touched; when the release brings something new for it, it is
//     reported in Result.Kept.
//   - Nothing is ever deleted.
//
// Every update is an etag compare-and-swap; losing one means another replica
// (or an admin) wrote first, so the question is re-read and decided again.
// Templates are inserted only when the store has never held their id, so a
// default an admin deleted stays deleted.
func Apply(ctx context.Context, s repository.Store, b *Bank) (Result, error) {
	var r Result
	var err error
	if r.TaxonomyChanged, err = s.PutTaxonomy(ctx, b.Taxonomy); err != nil {
		return r, fmt.Errorf("seed taxonomy: %w", err)
	}
	if r.AddedQuestions, err = s.SeedQuestions(ctx, b.Questions, qbank.Change{Author: Author, Note: InitialNote}); err != nil {
		return r, fmt.Errorf("seed questions: %w", err)
	}
	added := make(map[string]bool, len(r.AddedQuestions))
	for _, id := range r.AddedQuestions {
		added[id] = true
	}
	for _, q := range b.Questions {
		if added[q.ID] {
			continue
		}
		if err := release(ctx, s, q, &r); err != nil {
			return r, fmt.Errorf("seed release of question %s: %w", q.ID, err)
		}
	}
	if r.AddedTemplates, err = s.SeedTemplates(ctx, b.Templates, qbank.Change{Author: Author}); err != nil {
		return r, fmt.Errorf("seed templates: %w", err)
	}
	return r, nil
}

// release brings one stored question up to the seed's version of it.
func release(ctx context.Context, s repository.Store, q qbank.Question, r *Result) error {
	for range maxAttempts {
		head, err := s.Question(ctx, qbank.Ref{ID: q.ID})
		if err != nil {
			return err
		}
		retire := q.State == qbank.StateRetired && head.State != qbank.StateRetired
		changed := !q.Content.Equal(head.Content)
		if !retire && !changed {
			return nil
		}
		if head.Author != Author {
			news, err := releaseIsNew(ctx, s, q)
			if err != nil {
				return err
			}
			if news {
				r.Kept = append(r.Kept, Kept{ID: q.ID, Version: head.Version, Author: head.Author})
			}
			return nil
		}
		state := head.State
		if retire {
			state = qbank.StateRetired
		}
		note := q.ChangeNote
		if note == "" {
			note = ReleaseNote
		}
		_, err = s.UpdateQuestion(ctx, q.ID, head.Etag, q.Content, state, qbank.Change{Author: Author, Note: note})
		if qbank.ErrorCode(err) == qbank.ECONFLICT {
			continue // someone else wrote first: re-read and decide again
		}
		if err != nil {
			return err
		}
		if changed {
			r.UpdatedQuestions = append(r.UpdatedQuestions, q.ID)
		}
		if retire {
			r.RetiredQuestions = append(r.RetiredQuestions, q.ID)
		}
		return nil
	}
	return qbank.Errorf(qbank.ECONFLICT, "question %q kept changing while the seed was applied (%d attempts)", q.ID, maxAttempts)
}

// releaseIsNew reports whether the seed's question differs from the last
// version the seed wrote of it: only then has an admin's edit kept a release
// from a deployment. (An admin's edit of a question the release did not touch
// is nothing to report.)
func releaseIsNew(ctx context.Context, s repository.Store, q qbank.Question) (bool, error) {
	versions, err := s.QuestionVersions(ctx, q.ID)
	if err != nil {
		return false, err
	}
	for _, v := range versions { // newest first
		if v.Author == Author {
			return !q.Content.Equal(v.Content) || q.State == qbank.StateRetired, nil
		}
	}
	return true, nil // never written by the seed: an admin's question under a seed id
}
