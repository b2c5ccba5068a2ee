package seed_test

// Content releases reaching running deployments: a store seeded with the
// first release (testdata/release1) is started on the current seed, on both
// engines, as an upgraded deployment would be.

import (
	"context"
	"fmt"
	"os"
	"slices"
	"sync"
	"testing"

	"github.com/layersrank/qbank"
	"github.com/layersrank/qbank/repository"
	"github.com/layersrank/qbank/repository/postgres"
	"github.com/layersrank/qbank/repository/postgres/pgtest"
	"github.com/layersrank/qbank/repository/sqlite"
	"github.com/layersrank/qbank/seed"
)

// engine opens stores on one database: every call is another replica.
type engine struct {
	name string
	// database makes a fresh database and returns an opener for it.
	database func(t *testing.T) func(t *testing.T) repository.Store
}

var engines = []engine{
	{"sqlite", func(t *testing.T) func(t *testing.T) repository.Store {
		dir := t.TempDir()
		return func(t *testing.T) repository.Store {
			s, err := sqlite.Open(context.Background(), dir)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		}
	}},
	{"postgres", func(t *testing.T) func(t *testing.T) repository.Store {
		url := pgtest.NewDatabase(t)
		return func(t *testing.T) repository.Store {
			s, err := postgres.Open(context.Background(), url)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		}
	}},
}

func init() {
	register(map[string]rule{"change-notes": checkChangeNotes},
		brokenCase{"change-notes", "a revised question without a note", func(b *seed.Bank) { q(b, "next-career-steps").ChangeNote = "" }},
		brokenCase{"change-notes", "a retirement without a note", func(b *seed.Bank) {
			x := q(b, rl)
			x.State, x.ChangeNote = qbank.StateRetired, ""
		}},
	)
}

var release1 = sync.OnceValues(func() (*seed.Bank, error) { return seed.Parse(os.DirFS("testdata/release1")) })

// checkChangeNotes: every question the previous release shipped and this one
// revises or retires says why in its changeNote, which becomes the note of
// the version a running deployment gets (the history admins read).
func checkChangeNotes(b *seed.Bank) []string {
	prev, err := release1()
	if err != nil {
		return []string{"release 1: " + err.Error()}
	}
	was := map[string]qbank.Question{}
	for _, q := range prev.Questions {
		was[q.ID] = q
	}
	var p []string
	for _, q := range b.Questions {
		old, ok := was[q.ID]
		if !ok || q.ChangeNote != "" {
			continue
		}
		if !q.Content.Equal(old.Content) || q.State == qbank.StateRetired && old.State != qbank.StateRetired {
			p = append(p, fmt.Sprintf("%s: revised or retired since release 1 without a changeNote saying what changed and why", q.ID))
		}
	}
	return p
}

func loadRelease1(t *testing.T) *seed.Bank {
	t.Helper()
	b, err := seed.Parse(os.DirFS("testdata/release1"))
	if err != nil {
		t.Fatalf("release 1: %v", err)
	}
	return b // parsed afresh: the tests mutate it
}

func mustApply(t *testing.T, s repository.Store, b *seed.Bank) seed.Result {
	t.Helper()
	r, err := seed.Apply(context.Background(), s, b)
	if err != nil {
		t.Fatalf("seed.Apply: %v", err)
	}
	return r
}

func head(t *testing.T, s repository.Store, id string) qbank.Question {
	t.Helper()
	q, err := s.Question(context.Background(), qbank.Ref{ID: id})
	if err != nil {
		t.Fatalf("question %s: %v", id, err)
	}
	return q
}

// releaseDiff is what the current seed changes relative to release 1.
type releaseDiff struct {
	changed []string // in both, content differs
	retired []string // in both, the current seed retires it
	added   []string // only in the current seed
	// newVersion: in both, and the current seed's content differs (changed
	// ones, and retired ones the release also revised).
	newVersion map[string]bool
}

func diffReleases(old, cur *seed.Bank) releaseDiff {
	d := releaseDiff{newVersion: map[string]bool{}}
	prev := map[string]qbank.Question{}
	for _, q := range old.Questions {
		prev[q.ID] = q
	}
	for _, q := range cur.Questions {
		p, ok := prev[q.ID]
		switch {
		case !ok:
			d.added = append(d.added, q.ID)
			continue
		case q.State == qbank.StateRetired:
			d.retired = append(d.retired, q.ID)
		case !q.Content.Equal(p.Content):
			d.changed = append(d.changed, q.ID)
		}
		d.newVersion[q.ID] = !q.Content.Equal(p.Content)
	}
	return d
}

func TestReleaseReachesDeployment(t *testing.T) {
	r1, cur := loadRelease1(t), mustLoad(t)
	d := diffReleases(r1, cur)
	// The test is only meaningful when the current seed really is a new
	// release: it changes, retires and adds questions.
	if len(d.changed) < 4 || len(d.retired) < 1 || len(d.added) == 0 {
		t.Fatalf("the current seed changes %d, retires %d and adds %d of release 1's questions; the test needs at least 4, 1 and 1",
			len(d.changed), len(d.retired), len(d.added))
	}
	// One more question is retired by this release, so that one retirement
	// meets an admin's edit and another does not, whatever the data retires.
	x := questionByID(cur, d.changed[len(d.changed)-1])
	x.State, x.ChangeNote = qbank.StateRetired, "Retired by the release test."
	d = diffReleases(r1, cur)
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) {
			ctx := context.Background()
			s := e.database(t)(t)
			if r := mustApply(t, s, r1); len(r.AddedQuestions) != len(r1.Questions) {
				t.Fatalf("release 1 added %d questions, want %d", len(r.AddedQuestions), len(r1.Questions))
			}

			// An admin edits one changed question and one the release
			// retires, and retires another changed question without
			// editing it.
			edited, adminRetired, editedRetired := d.changed[0], d.changed[1], d.retired[0]
			for _, id := range []string{edited, editedRetired} {
				q := head(t, s, id)
				c := q.Content.Clone()
				c.Text += " (Answer for the payments platform.)"
				if _, err := s.UpdateQuestion(ctx, id, q.Etag, c, q.State, qbank.Change{Author: "alice", Note: "our wording"}); err != nil {
					t.Fatal(err)
				}
			}
			q := head(t, s, adminRetired)
			if _, err := s.UpdateQuestion(ctx, adminRetired, q.Etag, q.Content, qbank.StateRetired, qbank.Change{Author: "bob"}); err != nil {
				t.Fatal(err)
			}
			adminHeads := map[string]qbank.Question{edited: head(t, s, edited), editedRetired: head(t, s, editedRetired)}

			// Restarting on the same release: the admin's edits are nothing
			// to report, because the release brings nothing new for them.
			if r := mustApply(t, s, r1); len(r.Kept)+len(r.UpdatedQuestions)+len(r.RetiredQuestions)+len(r.AddedQuestions) != 0 {
				t.Errorf("restarting on release 1 after admin edits: %+v, want nothing written or reported", r)
			}

			r := mustApply(t, s, cur)

			if !slices.Equal(r.AddedQuestions, d.added) {
				t.Errorf("added %v, want the new questions %v", r.AddedQuestions, d.added)
			}
			wantKept := []seed.Kept{
				{ID: edited, Version: 2, Author: "alice"},
				{ID: editedRetired, Version: 2, Author: "alice"},
			}
			slices.SortFunc(wantKept, func(a, b seed.Kept) int { return compareStrings(a.ID, b.ID) })
			if !slices.Equal(r.Kept, wantKept) {
				t.Errorf("kept %v, want %v", r.Kept, wantKept)
			}
			for id, before := range adminHeads {
				after := head(t, s, id)
				if after.Version != before.Version || after.Etag != before.Etag || after.Author != "alice" || after.State != before.State {
					t.Errorf("%s: an admin-edited question was touched: v%d %s %s → v%d %s %s",
						id, before.Version, before.Author, before.State, after.Version, after.Author, after.State)
				}
			}
			curByID := map[string]qbank.Question{}
			for _, q := range cur.Questions {
				curByID[q.ID] = q
			}
			for _, id := range slices.Concat(d.changed, d.retired) {
				if adminHeads[id].ID != "" {
					continue
				}
				want := curByID[id]
				h := head(t, s, id)
				wantVersion := 1
				if d.newVersion[id] {
					wantVersion = 2
				}
				if !h.Content.Equal(want.Content) || h.Author != seed.Author || h.Version != wantVersion {
					t.Errorf("%s: head v%d by %q (release content: %v), want the release's content at v%d by the seed",
						id, h.Version, h.Author, h.Content.Equal(want.Content), wantVersion)
				}
				if h.Version == 2 {
					wantNote := want.ChangeNote
					if wantNote == "" {
						wantNote = seed.ReleaseNote
					}
					if h.ChangeNote != wantNote {
						t.Errorf("%s: change note %q, want %q", id, h.ChangeNote, wantNote)
					}
				}
				wantState := qbank.StateActive
				if id == adminRetired || slices.Contains(d.retired, id) {
					wantState = qbank.StateRetired
				}
				if h.State != wantState {
					t.Errorf("%s: state %s, want %s", id, h.State, wantState)
				}
			}
			if h := head(t, s, adminRetired); h.State != qbank.StateRetired || h.Version != 2 {
				t.Errorf("%s: an admin-retired question must get the release's text and stay retired; got v%d %s", adminRetired, h.Version, h.State)
			}
			for _, id := range d.retired {
				if id != editedRetired && !slices.Contains(r.RetiredQuestions, id) {
					t.Errorf("%s: the release retires it but the result does not say so", id)
				}
			}
			if slices.Contains(r.RetiredQuestions, editedRetired) {
				t.Errorf("%s: an admin-edited question was retired", editedRetired)
			}
			for _, q := range r1.Questions {
				head(t, s, q.ID) // nothing deleted
			}
			for _, id := range d.added {
				if h := head(t, s, id); h.Version != 1 || h.Author != seed.Author {
					t.Errorf("%s: new question at v%d by %q", id, h.Version, h.Author)
				}
			}

			// Starting again changes nothing and reports the same kept
			// questions.
			rev, _ := s.Revision(ctx)
			again := mustApply(t, s, cur)
			if len(again.AddedQuestions)+len(again.UpdatedQuestions)+len(again.RetiredQuestions) != 0 || again.TaxonomyChanged {
				t.Errorf("a second start wrote again: %+v", again)
			}
			if !slices.Equal(again.Kept, wantKept) {
				t.Errorf("a second start kept %v, want %v", again.Kept, wantKept)
			}
			if rev2, _ := s.Revision(ctx); rev2 != rev {
				t.Errorf("a second start moved the revision %d → %d", rev, rev2)
			}
		})
	}
}

// TestReleaseFromReplicasAtOnce starts several replicas on the new release
// at the same moment: each changed question gets exactly one new version,
// and no replica fails.
func TestReleaseFromReplicasAtOnce(t *testing.T) {
	r1, cur := loadRelease1(t), mustLoad(t)
	d := diffReleases(r1, cur)
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) {
			open := e.database(t)
			mustApply(t, open(t), r1)
			const replicas = 3
			stores := make([]repository.Store, replicas)
			for i := range stores {
				stores[i] = open(t)
			}
			results := make([]seed.Result, replicas)
			errs := make([]error, replicas)
			var wg sync.WaitGroup
			for i := range replicas {
				wg.Add(1)
				go func() {
					defer wg.Done()
					results[i], errs[i] = seed.Apply(context.Background(), stores[i], cur)
				}()
			}
			wg.Wait()
			updated := map[string]int{}
			for i, err := range errs {
				if err != nil {
					t.Fatalf("replica %d: %v", i, err)
				}
				for _, id := range results[i].UpdatedQuestions {
					updated[id]++
				}
			}
			s := stores[0]
			for _, id := range slices.Concat(d.changed, d.retired) {
				h := head(t, s, id)
				versions, err := s.QuestionVersions(context.Background(), id)
				if err != nil {
					t.Fatal(err)
				}
				want := 1
				if d.newVersion[id] {
					want = 2
				}
				if h.Version != want || len(versions) != want {
					t.Errorf("%s: v%d with %d versions after %d replicas, want %d", id, h.Version, len(versions), replicas, want)
				}
				if slices.Contains(d.changed, id) && updated[id] != 1 {
					t.Errorf("%s: %d replicas say they updated it, want exactly 1", id, updated[id])
				}
				if slices.Contains(d.retired, id) && h.State != qbank.StateRetired {
					t.Errorf("%s: not retired", id)
				}
			}
		})
	}
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
