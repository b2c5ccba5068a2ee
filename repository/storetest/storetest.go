// Package storetest is the contract every repository.Store engine must meet.
// Each engine's tests call RunAll with an Engine that opens fresh, empty
// stores; every scenario runs as a subtest with the same name on every
// engine. Where the engines' SQL differs (see sqlcore.Dialect: placeholders,
// time encoding, row locks, notification, transactions), a scenario pins the
// behaviour down so that both branches are held to the same contract.
package storetest

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/layersrank/qbank"
	"github.com/layersrank/qbank/repository"
)

// Opener opens a fresh, empty, migrated store; the test owns closing it.
type Opener func(tb testing.TB) repository.Store

// Engine is one store engine under test.
type Engine struct {
	// Open opens a fresh, empty, migrated store; the test owns closing it.
	Open Opener
	// Replica opens a second store on the database behind s, as another
	// replica or process would; the test owns closing it.
	Replica func(tb testing.TB, s repository.Store) repository.Store
	// Exec runs one statement, written with ? placeholders, directly on the
	// database behind s, bypassing the store: scenarios use it to plant data
	// as an earlier release (or another writer) left it.
	Exec func(tb testing.TB, s repository.Store, query string, args ...any)
}

// RunAll runs every scenario against stores from e.
func RunAll(t *testing.T, e Engine) {
	if e.Open == nil || e.Replica == nil || e.Exec == nil {
		t.Fatal("storetest.Engine needs Open, Replica and Exec")
	}
	scenarios := []struct {
		name string
		run  func(t *testing.T, s repository.Store)
	}{
		{"EmptyStore", testEmptyStore},
		{"CreateAndGet", testCreateAndGet},
		{"CreateDuplicateID", testCreateDuplicateID},
		{"UpdateMakesVersion", testUpdateMakesVersion},
		{"UpdateStaleEtag", testUpdateStaleEtag},
		{"UpdateUnchangedWritesNothing", testUpdateUnchanged},
		{"StateChangeKeepsVersion", testStateChange},
		{"VersionsNewestFirst", testVersionsNewestFirst},
		{"NotFound", testNotFound},
		{"ListOrderedWithRevision", testListOrdered},
		{"SeedIsIdempotent", testSeedIdempotent},
		{"TaxonomyRoundTrip", testTaxonomy},
		{"RacingUpdatesOneWinner", testRacingUpdates},
		{"TemplateLifecycle", testTemplateLifecycle},
		{"TemplateStaleEtag", testTemplateStaleEtag},
		{"TemplateSeedKeepsDeletionsAndEdits", testTemplateSeed},
		{"LoadIsConsistent", testLoad},
		{"ImportAllOrNothing", testImportAllOrNothing},
		{"ChangesSinceRevision", testChanges},
		// Where the dialects differ.
		{"TimesRoundTripToTheMicrosecond", testTimesRoundTrip},
		{"ConcurrentWritersLoseNothing", func(t *testing.T, s repository.Store) { testConcurrentWriters(t, s, e) }},
		{"RacingTemplateWritesOneWinner", func(t *testing.T, s repository.Store) { testRacingTemplateWrites(t, s, e) }},
		{"SnapshotsSeeOneRevision", func(t *testing.T, s repository.Store) { testSnapshots(t, s, e) }},
		{"TaxonomyComparedAsValue", func(t *testing.T, s repository.Store) { testTaxonomyComparedAsValue(t, s, e) }},
		{"NotifiesCommittedWrites", func(t *testing.T, s repository.Store) { testNotify(t, s, e) }},
		{"PinnedReadIsOneStatement", testPinnedReadIsOneStatement},
		// Content an earlier release stored stays readable.
		{"LegacyStackVariantsReadable", func(t *testing.T, s repository.Store) { testLegacyStackVariants(t, s, e) }},
		// Server secrets.
		{"SecretCreatedOnce", func(t *testing.T, s repository.Store) { testSecret(t, s, e) }},
		{"SecretConcurrentFirstCalls", func(t *testing.T, s repository.Store) { testSecretConcurrent(t, s, e) }},
	}
	for _, sc := range scenarios {
		if sc.run == nil {
			continue
		}
		t.Run(sc.name, func(t *testing.T) {
			s := e.Open(t)
			t.Cleanup(func() { s.Close() })
			sc.run(t, s)
		})
	}
}

// replica opens a second store on s's database, closed when t ends.
func replica(t *testing.T, s repository.Store, e Engine) repository.Store {
	t.Helper()
	r := e.Replica(t, s)
	t.Cleanup(func() { r.Close() })
	return r
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

// Sample returns a valid question with the given id.
func Sample(id string) qbank.Question {
	return qbank.Question{
		ID: id,
		Content: qbank.Content{
			Text:           "Walk me through how you would design " + id + ".",
			Roles:          []string{"backend-engineer"},
			Dimension:      "technical",
			Competency:     "system-design",
			WhatItReveals:  "Trade-off reasoning.",
			ResponseFormat: qbank.FormatVideo,
			Minutes:        5,
			Stacks:         []string{"go"},
			StackVariants: map[string]qbank.StackVariant{"go": {
				Text:         "In Go, how would you design " + id + "?",
				FollowUps:    []string{"Where would a goroutine leak show up?"},
				ScoringGuide: qbank.ScoringGuide{Strong: "uses context cancellation"},
			}},
			FollowUps: []string{"What breaks at 10x?", "What would you measure?"},
			ScoringGuide: qbank.ScoringGuide{Strong: "s", Adequate: "a", Weak: "w", Levels: []qbank.LevelGuide{
				{Seniority: "senior", Strong: "plans the migration"},
			}},
			Collections: []string{"layersrank-50"},
		},
		State: qbank.StateActive,
	}
}

func change(author, note string) qbank.Change { return qbank.Change{Author: author, Note: note} }

func wantCode(t *testing.T, err error, code qbank.Code) {
	t.Helper()
	if got := qbank.ErrorCode(err); got != code {
		t.Fatalf("error = %v (code %q), want code %q", err, got, code)
	}
}

func mustRevision(t *testing.T, s repository.Store) int64 {
	t.Helper()
	rev, err := s.Revision(ctx(t))
	if err != nil {
		t.Fatalf("Revision: %v", err)
	}
	return rev
}

func mustCreate(t *testing.T, s repository.Store, q qbank.Question) qbank.Question {
	t.Helper()
	got, err := s.CreateQuestion(ctx(t), q, change("alice", "first draft"))
	if err != nil {
		t.Fatalf("CreateQuestion(%s): %v", q.ID, err)
	}
	return got
}

func testEmptyStore(t *testing.T, s repository.Store) {
	if rev := mustRevision(t, s); rev != 0 {
		t.Errorf("revision of an empty store = %d, want 0", rev)
	}
	c, err := s.Load(ctx(t))
	if err != nil || len(c.Questions) != 0 || len(c.Templates) != 0 || c.Taxonomy != nil || c.Revision != 0 {
		t.Errorf("Load = %+v, %v; want nothing at revision 0", c, err)
	}
	_, err = s.Taxonomy(ctx(t))
	wantCode(t, err, qbank.ENOTFOUND)
	if err := s.Ping(ctx(t)); err != nil {
		t.Errorf("Ping: %v", err)
	}
}

func testCreateAndGet(t *testing.T, s repository.Store) {
	created := mustCreate(t, s, Sample("rate-limiter"))
	if created.Version != 1 || created.Etag == "" || created.State != qbank.StateActive {
		t.Fatalf("created = v%d etag %q state %q; want v1, an etag, active", created.Version, created.Etag, created.State)
	}
	if created.Author != "alice" || created.ChangeNote != "first draft" || created.CreateTime.IsZero() || !created.CreateTime.Equal(created.UpdateTime) {
		t.Errorf("created metadata = %q %q %v %v", created.Author, created.ChangeNote, created.CreateTime, created.UpdateTime)
	}
	got, err := s.Question(ctx(t), qbank.Ref{ID: "rate-limiter"})
	if err != nil {
		t.Fatalf("Question: %v", err)
	}
	if !got.Content.Equal(created.Content) || got.Etag != created.Etag || !got.CreateTime.Equal(created.CreateTime) || got.Author != "alice" {
		t.Errorf("read back %+v, want %+v", got, created)
	}
	if v := got.StackVariants["go"]; v.Text == "" || len(v.FollowUps) != 1 || v.ScoringGuide.Strong == "" ||
		len(got.FollowUps) != 2 || len(got.ScoringGuide.Levels) != 1 || len(got.Collections) != 1 {
		t.Errorf("nested content lost: %+v", got.Content)
	}
	pinned, err := s.Question(ctx(t), qbank.Ref{ID: "rate-limiter", Version: 1})
	if err != nil || pinned.Text != created.Text {
		t.Errorf("Question@1 = %q, %v", pinned.Text, err)
	}
	if rev := mustRevision(t, s); rev != 1 {
		t.Errorf("revision after one create = %d, want 1", rev)
	}
}

func testCreateDuplicateID(t *testing.T, s repository.Store) {
	mustCreate(t, s, Sample("dup-id"))
	other := Sample("dup-id")
	other.Text = "Something else entirely."
	_, err := s.CreateQuestion(ctx(t), other, change("bob", ""))
	wantCode(t, err, qbank.EEXISTS)
	got, _ := s.Question(ctx(t), qbank.Ref{ID: "dup-id"})
	if got.Text == other.Text {
		t.Error("a rejected create overwrote the question")
	}
	if rev := mustRevision(t, s); rev != 1 {
		t.Errorf("a rejected create moved the revision to %d", rev)
	}
}

func testUpdateMakesVersion(t *testing.T, s repository.Store) {
	v1 := mustCreate(t, s, Sample("api-versioning"))
	content := v1.Content.Clone()
	content.Text = "How do you evolve an API without breaking its clients?"
	v2, err := s.UpdateQuestion(ctx(t), v1.ID, v1.Etag, content, v1.State, change("bob", "sharper wording"))
	if err != nil {
		t.Fatalf("UpdateQuestion: %v", err)
	}
	if v2.Version != 2 || v2.Text != content.Text || v2.Etag == v1.Etag || v2.Author != "bob" || v2.ChangeNote != "sharper wording" {
		t.Fatalf("v2 = %+v", v2)
	}
	if !v2.CreateTime.Equal(v1.CreateTime) || v2.UpdateTime.Before(v1.UpdateTime) {
		t.Errorf("times: create %v→%v, update %v→%v", v1.CreateTime, v2.CreateTime, v1.UpdateTime, v2.UpdateTime)
	}
	old, err := s.Question(ctx(t), qbank.Ref{ID: v1.ID, Version: 1})
	if err != nil || old.Text != v1.Text || old.Version != 1 || old.Author != "alice" {
		t.Errorf("version 1 after update = %+v, %v; want the original text", old, err)
	}
	head, _ := s.Question(ctx(t), qbank.Ref{ID: v1.ID})
	if head.Version != 2 || head.Text != content.Text || head.Etag != v2.Etag {
		t.Errorf("head = v%d %q", head.Version, head.Text)
	}
}

func testUpdateStaleEtag(t *testing.T, s repository.Store) {
	v1 := mustCreate(t, s, Sample("stale-etag"))
	content := v1.Content.Clone()
	content.Minutes = 6
	v2, err := s.UpdateQuestion(ctx(t), v1.ID, v1.Etag, content, v1.State, change("bob", ""))
	if err != nil {
		t.Fatal(err)
	}
	rev := mustRevision(t, s)
	clobber := v1.Content.Clone()
	clobber.Text = "A colleague's stale edit."
	_, err = s.UpdateQuestion(ctx(t), v1.ID, v1.Etag, clobber, v1.State, change("carol", ""))
	wantCode(t, err, qbank.ECONFLICT)
	head, _ := s.Question(ctx(t), qbank.Ref{ID: v1.ID})
	if head.Version != 2 || head.Etag != v2.Etag || head.Minutes != 6 {
		t.Errorf("a stale update changed the head: %+v", head)
	}
	if got := mustRevision(t, s); got != rev {
		t.Errorf("a stale update moved the revision %d → %d", rev, got)
	}
}

func testUpdateUnchanged(t *testing.T, s repository.Store) {
	v1 := mustCreate(t, s, Sample("no-op-update"))
	rev := mustRevision(t, s)
	same := v1.Content.Clone()
	same.Seniorities = []string{} // empty and nil lists are the same content
	got, err := s.UpdateQuestion(ctx(t), v1.ID, v1.Etag, same, v1.State, change("bob", ""))
	if err != nil {
		t.Fatal(err)
	}
	if got.Version != 1 || got.Etag != v1.Etag {
		t.Errorf("an unchanged update gave v%d etag %q; want v1 and the same etag", got.Version, got.Etag)
	}
	if after := mustRevision(t, s); after != rev {
		t.Errorf("an unchanged update moved the revision %d → %d", rev, after)
	}
}

func testStateChange(t *testing.T, s repository.Store) {
	v1 := mustCreate(t, s, Sample("retire-me"))
	retired, err := s.UpdateQuestion(ctx(t), v1.ID, v1.Etag, v1.Content, qbank.StateRetired, change("bob", "outdated"))
	if err != nil {
		t.Fatal(err)
	}
	if retired.State != qbank.StateRetired || retired.Version != 1 || retired.Etag == v1.Etag {
		t.Fatalf("retired = state %q v%d etag %q", retired.State, retired.Version, retired.Etag)
	}
	// Pinned at the head's version, a read is the head: its etag, its state
	// and the time of its last write, not the time the version was written.
	pinned, err := s.Question(ctx(t), qbank.Ref{ID: v1.ID, Version: 1})
	if err != nil || pinned.Etag != retired.Etag || pinned.State != qbank.StateRetired || !pinned.UpdateTime.Equal(retired.UpdateTime) {
		t.Errorf("Question@1 of the retired head = etag %q state %q updated %v (%v); want %q %q %v",
			pinned.Etag, pinned.State, pinned.UpdateTime, err, retired.Etag, retired.State, retired.UpdateTime)
	}
	restored, err := s.UpdateQuestion(ctx(t), v1.ID, retired.Etag, v1.Content, qbank.StateActive, change("bob", ""))
	if err != nil {
		t.Fatal(err)
	}
	if restored.State != qbank.StateActive || restored.Version != 1 {
		t.Fatalf("restored = state %q v%d", restored.State, restored.Version)
	}
	if restored.Etag == v1.Etag || restored.Etag == retired.Etag {
		t.Error("retire then restore reused an etag: a stale editor could slip through")
	}
	versions, err := s.QuestionVersions(ctx(t), v1.ID)
	if err != nil || len(versions) != 1 {
		t.Errorf("state changes made versions: %d, %v", len(versions), err)
	}
}

func testVersionsNewestFirst(t *testing.T, s repository.Store) {
	q := mustCreate(t, s, Sample("history"))
	for i, note := range []string{"second", "third"} {
		c := q.Content.Clone()
		c.Minutes = 6 + i
		var err error
		q, err = s.UpdateQuestion(ctx(t), q.ID, q.Etag, c, q.State, change("bob", note))
		if err != nil {
			t.Fatal(err)
		}
	}
	versions, err := s.QuestionVersions(ctx(t), "history")
	if err != nil {
		t.Fatal(err)
	}
	var got []int
	for _, v := range versions {
		got = append(got, v.Version)
	}
	if !slices.Equal(got, []int{3, 2, 1}) {
		t.Fatalf("versions = %v, want [3 2 1]", got)
	}
	if versions[0].ChangeNote != "third" || versions[2].Author != "alice" || versions[2].ChangeNote != "first draft" || versions[1].Minutes != 6 {
		t.Errorf("version metadata wrong: %+v", versions)
	}
	if versions[0].Etag == "" || versions[1].Etag != "" {
		t.Error("only the head version should carry the etag")
	}
}

func testNotFound(t *testing.T, s repository.Store) {
	_, err := s.Question(ctx(t), qbank.Ref{ID: "no-such-question"})
	wantCode(t, err, qbank.ENOTFOUND)
	mustCreate(t, s, Sample("exists"))
	_, err = s.Question(ctx(t), qbank.Ref{ID: "exists", Version: 9})
	wantCode(t, err, qbank.ENOTFOUND)
	_, err = s.QuestionVersions(ctx(t), "no-such-question")
	wantCode(t, err, qbank.ENOTFOUND)
	_, err = s.UpdateQuestion(ctx(t), "no-such-question", "x", Sample("x").Content, qbank.StateActive, change("bob", ""))
	wantCode(t, err, qbank.ENOTFOUND)
}

func testListOrdered(t *testing.T, s repository.Store) {
	for _, id := range []string{"charlie", "alpha", "bravo"} {
		mustCreate(t, s, Sample(id))
	}
	c, err := s.Load(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	rev := c.Revision
	var ids []string
	for _, q := range c.Questions {
		ids = append(ids, q.ID)
	}
	if !slices.Equal(ids, []string{"alpha", "bravo", "charlie"}) || rev != 3 {
		t.Errorf("Questions = %v at rev %d; want alpha, bravo, charlie at 3", ids, rev)
	}
}

func testSeedIdempotent(t *testing.T, s repository.Store) {
	seed := []qbank.Question{Sample("seed-one"), Sample("seed-two")}
	added, err := s.SeedQuestions(ctx(t), seed, change("seed", "initial bank"))
	if err != nil || len(added) != 2 {
		t.Fatalf("first seed added %v, %v", added, err)
	}
	q, _ := s.Question(ctx(t), qbank.Ref{ID: "seed-one"})
	edited := q.Content.Clone()
	edited.Text = "An admin's improvement."
	if _, err := s.UpdateQuestion(ctx(t), q.ID, q.Etag, edited, q.State, change("alice", "")); err != nil {
		t.Fatal(err)
	}
	rev := mustRevision(t, s)
	again, err := s.SeedQuestions(ctx(t), append(seed, Sample("seed-three")), change("seed", ""))
	if err != nil || !slices.Equal(again, []string{"seed-three"}) {
		t.Fatalf("second seed added %v, %v; want only seed-three", again, err)
	}
	q, _ = s.Question(ctx(t), qbank.Ref{ID: "seed-one"})
	if q.Text != edited.Text || q.Version != 2 {
		t.Errorf("seeding overwrote an admin's edit: v%d %q", q.Version, q.Text)
	}
	if got := mustRevision(t, s); got != rev+1 {
		t.Errorf("revision %d → %d, want one step", rev, got)
	}
	none, err := s.SeedQuestions(ctx(t), seed, change("seed", ""))
	if err != nil || len(none) != 0 || mustRevision(t, s) != rev+1 {
		t.Errorf("a seed with nothing new added %v (err %v) or moved the revision", none, err)
	}
	c, _ := s.Load(ctx(t))
	if len(c.Questions) != 3 {
		t.Errorf("store holds %d questions after three seeds, want 3", len(c.Questions))
	}
}

// SampleTaxonomy returns a small valid taxonomy.
func SampleTaxonomy() qbank.Taxonomy {
	return qbank.Taxonomy{
		Dimensions:   []qbank.Dimension{{ID: "technical", Title: "Technical", Weight: 100}},
		Competencies: []qbank.Competency{{ID: "system-design", Dimension: "technical", Title: "System Design", Description: "d", GreatLooksLike: "g", RedFlags: "r"}},
		Roles:        []qbank.Role{{ID: "backend-engineer", Title: "Backend Engineer", DimensionWeights: map[string]int{"technical": 100}, Competencies: []string{"system-design"}}},
		Stacks:       []qbank.Stack{{ID: "go", Title: "Go", Aliases: []string{"golang"}}},
		Seniorities:  []string{"junior", "senior"},
	}
}

func testTaxonomy(t *testing.T, s repository.Store) {
	tax := SampleTaxonomy()
	changed, err := s.PutTaxonomy(ctx(t), tax)
	if err != nil || !changed {
		t.Fatalf("PutTaxonomy = %v, %v", changed, err)
	}
	rev := mustRevision(t, s)
	changed, err = s.PutTaxonomy(ctx(t), tax)
	if err != nil || changed || mustRevision(t, s) != rev {
		t.Errorf("putting the same taxonomy again changed=%v err=%v", changed, err)
	}
	got, err := s.Taxonomy(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	if id, ok := got.ResolveStack("golang"); !ok || id != "go" || got.Roles[0].DimensionWeights["technical"] != 100 || got.Competencies[0].RedFlags != "r" {
		t.Errorf("taxonomy read back as %+v", got)
	}
	tax.Stacks = append(tax.Stacks, qbank.Stack{ID: "java", Title: "Java"})
	if changed, err := s.PutTaxonomy(ctx(t), tax); err != nil || !changed {
		t.Errorf("a changed taxonomy was not written: %v, %v", changed, err)
	}
}

// testRacingUpdates: many admins update the same head with the same etag at
// once; exactly one may win, and the loser's edits must not appear.
func testRacingUpdates(t *testing.T, s repository.Store) {
	v1 := mustCreate(t, s, Sample("contended"))
	winners := race(t, 16, func(i int) (string, error) {
		c := v1.Content.Clone()
		c.Text = "Racer " + string(rune('A'+i)) + "'s wording."
		_, err := s.UpdateQuestion(context.Background(), v1.ID, v1.Etag, c, v1.State, change("racer", ""))
		return c.Text, err
	}, qbank.ECONFLICT)
	versions, _ := s.QuestionVersions(ctx(t), v1.ID)
	if len(versions) != 2 || versions[0].Text != winners[0] {
		t.Errorf("history after the race: %d versions, head %q; want 2 and the winner's text", len(versions), versions[0].Text)
	}
}

// race runs n writers released at the same moment; try(i) is writer i's
// write and the label it wins under. It fails the test unless exactly one
// writer wins and every other loses with one of the codes losers may get,
// and returns the winner's label.
func race(t *testing.T, n int, try func(i int) (string, error), losing ...qbank.Code) []string {
	t.Helper()
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		winners []string
		other   []error
	)
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			label, err := try(i)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				winners = append(winners, label)
			case !slices.Contains(losing, qbank.ErrorCode(err)):
				other = append(other, err)
			}
		}()
	}
	close(start)
	wg.Wait()
	if len(other) > 0 {
		t.Fatalf("racing writers failed with unexpected errors: %v", errors.Join(other...))
	}
	if len(winners) != 1 {
		t.Fatalf("%d racers won (%v), want exactly 1", len(winners), winners)
	}
	return winners
}

// testImportAllOrNothing: an import whose last op fails writes none of its
// earlier ops; a good one writes all of them at one revision.
func testImportAllOrNothing(t *testing.T, s repository.Store) {
	existing := mustCreate(t, s, Sample("existing"))
	edited := existing.Content.Clone()
	edited.Minutes = 7
	rev := mustRevision(t, s)
	bad := []repository.ImportOp{
		{Create: true, Question: Sample("brand-new")},
		{Question: qbank.Question{ID: "existing", Content: edited, State: qbank.StateActive}, Etag: existing.Etag},
		{Create: true, Question: Sample("existing")}, // taken: fails the whole import
	}
	_, err := s.ImportQuestions(ctx(t), bad, change("importer", "bulk"))
	wantCode(t, err, qbank.EEXISTS)
	if _, err := s.Question(ctx(t), qbank.Ref{ID: "brand-new"}); qbank.ErrorCode(err) != qbank.ENOTFOUND {
		t.Errorf("a failed import left brand-new behind: %v", err)
	}
	if got, _ := s.Question(ctx(t), qbank.Ref{ID: "existing"}); got.Version != 1 || mustRevision(t, s) != rev {
		t.Errorf("a failed import changed existing to v%d", got.Version)
	}
	good := bad[:2]
	out, err := s.ImportQuestions(ctx(t), good, change("importer", "bulk"))
	if err != nil {
		t.Fatal(err)
	}
	if out[0].Version != 1 || out[1].Version != 2 || out[1].Minutes != 7 || out[1].Author != "importer" || mustRevision(t, s) != rev+1 {
		t.Errorf("import wrote %+v at revision %d", out, mustRevision(t, s))
	}
	var ids []string
	if err := s.EachQuestion(ctx(t), func(q qbank.Question) error { ids = append(ids, q.ID); return nil }); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ids, []string{"brand-new", "existing"}) {
		t.Errorf("EachQuestion visited %v", ids)
	}
}

// testChanges: Changes returns exactly what was written after a revision.
func testChanges(t *testing.T, s repository.Store) {
	a := mustCreate(t, s, Sample("changes-a"))
	mustCreate(t, s, Sample("changes-b"))
	tpl, err := s.CreateTemplate(ctx(t), SampleTemplate("changes-template", ""), change("alice", ""))
	if err != nil {
		t.Fatal(err)
	}
	since := mustRevision(t, s)
	none, err := s.Changes(ctx(t), since)
	if err != nil || none.Revision != since || len(none.Questions)+len(none.Templates)+len(none.DeletedTemplates) != 0 || none.Taxonomy != nil {
		t.Fatalf("Changes at the current revision = %+v, %v", none, err)
	}
	c := a.Content.Clone()
	c.Minutes = 9
	if _, err := s.UpdateQuestion(ctx(t), a.ID, a.Etag, c, a.State, change("bob", "")); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteTemplate(ctx(t), tpl.ID, tpl.Etag); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PutTaxonomy(ctx(t), qbank.Taxonomy{Dimensions: []qbank.Dimension{{ID: "technical", Title: "T", Weight: 100}}}); err != nil {
		t.Fatal(err)
	}
	ch, err := s.Changes(ctx(t), since)
	if err != nil {
		t.Fatal(err)
	}
	if ch.Revision != since+3 || len(ch.Questions) != 1 || ch.Questions[0].ID != "changes-a" || ch.Questions[0].Minutes != 9 ||
		!slices.Equal(ch.DeletedTemplates, []string{"changes-template"}) || ch.Taxonomy == nil {
		t.Errorf("Changes = rev %d, questions %v, deleted %v, taxonomy %v", ch.Revision, ch.Questions, ch.DeletedTemplates, ch.Taxonomy != nil)
	}
}
