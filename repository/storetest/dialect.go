package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/layersrank/qbank"
	"github.com/layersrank/qbank/repository"
)

// testTimesRoundTrip: SQLite stores Unix microseconds, PostgreSQL
// timestamptz. Whatever the zone and precision a change is stamped with,
// every read returns the same instant to the microsecond, in UTC.
func testTimesRoundTrip(t *testing.T, s repository.Store) {
	zone := time.FixedZone("UTC+5:30", 5*3600+1800)
	for i, at := range []time.Time{
		time.Date(2031, 5, 6, 7, 8, 9, 123456789, zone),         // finer than a microsecond, not UTC
		time.Date(1969, 7, 20, 20, 17, 40, 123456789, zone),     // before the Unix epoch
		time.Date(2262, 4, 11, 23, 47, 16, 854775807, time.UTC), // past int64 nanoseconds since 1970
	} {
		want := at.Truncate(time.Microsecond).UTC()
		later := at.Add(36*time.Hour + 987654321)
		wantLater := later.Truncate(time.Microsecond).UTC()
		same := func(what string, got, want time.Time) {
			t.Helper()
			if !got.Equal(want) || got.Location() != time.UTC {
				t.Errorf("%s (stamped %v) read back as %v, want %v in UTC", what, at, got, want)
			}
		}
		id := fmt.Sprintf("times-%d", i)
		v1, err := s.CreateQuestion(ctx(t), Sample(id), qbank.Change{Author: "alice", Time: at})
		if err != nil {
			t.Fatal(err)
		}
		same("created question", v1.CreateTime, want)
		c := v1.Content.Clone()
		c.Minutes = 7
		if _, err := s.UpdateQuestion(ctx(t), id, v1.Etag, c, v1.State, qbank.Change{Author: "bob", Time: later}); err != nil {
			t.Fatal(err)
		}
		head, err := s.Question(ctx(t), qbank.Ref{ID: id})
		if err != nil {
			t.Fatal(err)
		}
		same("head create time", head.CreateTime, want)
		same("head update time", head.UpdateTime, wantLater)
		old, err := s.Question(ctx(t), qbank.Ref{ID: id, Version: 1})
		if err != nil {
			t.Fatal(err)
		}
		same("version 1 create time", old.CreateTime, want)
		same("version 1 written", old.UpdateTime, want)
		versions, err := s.QuestionVersions(ctx(t), id)
		if err != nil || len(versions) != 2 {
			t.Fatalf("versions: %d, %v", len(versions), err)
		}
		same("history: version 2 written", versions[0].UpdateTime, wantLater)
		same("history: version 1 written", versions[1].UpdateTime, want)
		tpl, err := s.CreateTemplate(ctx(t), SampleTemplate("times-template-"+id, ""), qbank.Change{Time: at})
		if err != nil {
			t.Fatal(err)
		}
		same("created template", tpl.CreateTime, want)
		got, err := s.Template(ctx(t), tpl.ID)
		if err != nil {
			t.Fatal(err)
		}
		same("template create time", got.CreateTime, want)
		same("template update time", got.UpdateTime, want)
	}
	c, err := s.Load(ctx(t))
	if err != nil || len(c.Questions) != 3 {
		t.Fatalf("Load: %d questions, %v", len(c.Questions), err)
	}
	ch, err := s.Changes(ctx(t), 0)
	if err != nil || len(ch.Questions) != 3 {
		t.Fatalf("Changes: %d questions, %v", len(ch.Questions), err)
	}
	for i := range c.Questions {
		if !c.Questions[i].UpdateTime.Equal(ch.Questions[i].UpdateTime) || !c.Questions[i].CreateTime.Equal(ch.Questions[i].CreateTime) ||
			c.Questions[i].CreateTime.Location() != time.UTC {
			t.Errorf("Load and Changes disagree on %s's times: %v/%v and %v/%v", c.Questions[i].ID,
				c.Questions[i].CreateTime, c.Questions[i].UpdateTime, ch.Questions[i].CreateTime, ch.Questions[i].UpdateTime)
		}
	}
}

// testConcurrentWriters: writers on two replicas edit one question at once,
// each re-reading and retrying on conflict. PostgreSQL orders them with row
// locks, SQLite with its database lock; either way every acknowledged edit
// becomes exactly one version, numbered without gaps, at its own revision.
func testConcurrentWriters(t *testing.T, s repository.Store, e Engine) {
	stores := []repository.Store{s, replica(t, s, e)}
	v1 := mustCreate(t, s, Sample("busy-question"))
	rev := mustRevision(t, s)
	const writers, edits = 6, 4
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	start := make(chan struct{})
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st := stores[w%len(stores)]
			<-start
			for done := 0; done < edits; {
				head, err := st.Question(context.Background(), qbank.Ref{ID: v1.ID})
				if err == nil {
					c := head.Content.Clone()
					c.Text = fmt.Sprintf("Writer %d, edit %d.", w, done)
					_, err = st.UpdateQuestion(context.Background(), v1.ID, head.Etag, c, head.State, change("writer", ""))
				}
				switch {
				case err == nil:
					done++
				case qbank.ErrorCode(err) != qbank.ECONFLICT:
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
					return
				}
			}
		}()
	}
	close(start)
	wg.Wait()
	if len(errs) > 0 {
		t.Fatalf("concurrent writers failed: %v", errors.Join(errs...))
	}
	versions, err := s.QuestionVersions(ctx(t), v1.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(versions) != 1+writers*edits {
		t.Fatalf("%d versions after %d acknowledged edits, want %d", len(versions), writers*edits, 1+writers*edits)
	}
	texts := map[string]int{}
	for i, v := range versions {
		if v.Version != len(versions)-i {
			t.Fatalf("versions are not numbered without gaps: position %d holds v%d", i, v.Version)
		}
		texts[v.Text]++
	}
	for w := range writers {
		for k := range edits {
			if n := texts[fmt.Sprintf("Writer %d, edit %d.", w, k)]; n != 1 {
				t.Errorf("writer %d's edit %d appears %d times, want once", w, k, n)
			}
		}
	}
	if got := mustRevision(t, stores[1]); got != rev+writers*edits {
		t.Errorf("revision %d → %d after %d writes", rev, got, writers*edits)
	}
}

// testRacingTemplateWrites: updates and deletes of one template race with
// the same etag from two replicas; exactly one wins, and what is stored is
// the winner's doing.
func testRacingTemplateWrites(t *testing.T, s repository.Store, e Engine) {
	stores := []repository.Store{s, replica(t, s, e)}
	tpl, err := s.CreateTemplate(ctx(t), SampleTemplate("contended-template", ""), change("alice", ""))
	if err != nil {
		t.Fatal(err)
	}
	// A loser lost to an update (conflict) or to a delete (not found).
	winners := race(t, 8, func(i int) (string, error) {
		st := stores[i%len(stores)]
		if i%4 == 3 {
			return "deleted", st.DeleteTemplate(context.Background(), tpl.ID, tpl.Etag)
		}
		next := tpl
		next.Title = fmt.Sprintf("Racer %d's title", i)
		_, err := st.UpdateTemplate(context.Background(), next, tpl.Etag, change("racer", ""))
		return next.Title, err
	}, qbank.ECONFLICT, qbank.ENOTFOUND)
	got, err := s.Template(ctx(t), tpl.ID)
	switch {
	case winners[0] == "deleted":
		wantCode(t, err, qbank.ENOTFOUND)
	case err != nil || got.Title != winners[0]:
		t.Errorf("template after the race: %q, %v; want the winner's %q", got.Title, err, winners[0])
	}
}

// testSnapshots: Load and Changes read in one transaction (REPEATABLE READ
// on PostgreSQL, a WAL read transaction on SQLite), so while two replicas
// create questions, one per revision, every read holds exactly as many new
// questions as its revision says.
func testSnapshots(t *testing.T, s repository.Store, e Engine) {
	stores := []repository.Store{s, replica(t, s, e)}
	base := mustRevision(t, s)
	const perWriter = 15
	var wg sync.WaitGroup
	errs := make(chan error, len(stores))
	for w, st := range stores {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perWriter {
				if _, err := st.CreateQuestion(context.Background(), Sample(fmt.Sprintf("snapshot-%d-%02d", w, i)), change("writer", "")); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	reads := 0
	for finished := false; !finished; reads++ {
		select {
		case <-done:
			finished = true // one more read, of the final state
		default:
		}
		c, err := s.Load(ctx(t))
		if err != nil {
			t.Fatal(err)
		}
		if int64(len(c.Questions)) != c.Revision-base {
			t.Fatalf("Load at revision %d holds %d questions, want %d", c.Revision, len(c.Questions), c.Revision-base)
		}
		ch, err := s.Changes(ctx(t), base)
		if err != nil {
			t.Fatal(err)
		}
		if int64(len(ch.Questions)) != ch.Revision-base {
			t.Fatalf("Changes since %d at revision %d holds %d questions, want %d", base, ch.Revision, len(ch.Questions), ch.Revision-base)
		}
	}
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if got := mustRevision(t, s); got != base+int64(len(stores)*perWriter) {
		t.Errorf("revision %d after %d creates from %d", got, len(stores)*perWriter, base)
	}
	t.Logf("%d consistent reads during the writes", reads)
}

// testTaxonomyComparedAsValue: PostgreSQL's jsonb keeps no text, SQLite
// keeps the text as written; PutTaxonomy must call a taxonomy unchanged on
// both when the stored body says the same thing in another order and
// spacing (as an earlier release or another tool may have written it).
func testTaxonomyComparedAsValue(t *testing.T, s repository.Store, e Engine) {
	tax := SampleTaxonomy()
	if _, err := s.PutTaxonomy(ctx(t), tax); err != nil {
		t.Fatal(err)
	}
	canonical, err := json.Marshal(tax)
	if err != nil {
		t.Fatal(err)
	}
	var generic map[string]any
	if err := json.Unmarshal(canonical, &generic); err != nil {
		t.Fatal(err)
	}
	reformatted, err := json.MarshalIndent(generic, "", "  ") // keys sorted, indented
	if err != nil {
		t.Fatal(err)
	}
	if string(reformatted) == string(canonical) {
		t.Fatal("the reformatted body must differ from the canonical one as text")
	}
	e.Exec(t, s, "UPDATE taxonomy SET body = ? WHERE id = 1", string(reformatted))
	rev := mustRevision(t, s)
	changed, err := s.PutTaxonomy(ctx(t), tax)
	if err != nil || changed || mustRevision(t, s) != rev {
		t.Errorf("putting the same taxonomy over a reformatted body: changed=%v, err=%v, revision %d → %d", changed, err, rev, mustRevision(t, s))
	}
	got, err := s.Taxonomy(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := json.Marshal(got); string(again) != string(canonical) {
		t.Errorf("the reformatted taxonomy reads back as %s, want %s", again, canonical)
	}
	tax.Seniorities = append(tax.Seniorities, "staff")
	if changed, err := s.PutTaxonomy(ctx(t), tax); err != nil || !changed {
		t.Errorf("a changed taxonomy over a reformatted body was not written: %v, %v", changed, err)
	}
}

// testNotify: on an engine that notifies (PostgreSQL's NOTIFY, sent inside
// the write transaction), a write committed by another replica reaches
// Notify. An engine that serves one process needs no notifier.
func testNotify(t *testing.T, s repository.Store, e Engine) {
	n, ok := s.(repository.Notifier)
	if !ok {
		t.Skip("this engine has no Notifier: one process serves its database and sees its own writes")
	}
	other := replica(t, s, e)
	calls := make(chan struct{}, 64)
	listenCtx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		n.Notify(listenCtx, func() { calls <- struct{}{} })
	}()
	t.Cleanup(func() { cancel(); <-stopped })
	wait := func(what string) {
		t.Helper()
		select {
		case <-calls:
		case <-time.After(20 * time.Second):
			t.Fatalf("no notification %s", what)
		}
	}
	wait("after connecting") // Notify catches up once it listens
	q := mustCreate(t, other, Sample("notified-create"))
	wait("of another replica's create")
	c := q.Content.Clone()
	c.Minutes = 8
	if _, err := other.UpdateQuestion(ctx(t), q.ID, q.Etag, c, q.State, change("bob", "")); err != nil {
		t.Fatal(err)
	}
	wait("of another replica's update")
}

// testPinnedReadIsOneStatement: reading a question at an old version (the
// read a pinned assessment makes) costs one statement, as does the head, a
// missing version, and the whole history.
func testPinnedReadIsOneStatement(t *testing.T, s repository.Store) {
	obs, ok := s.(repository.QueryObserver)
	if !ok {
		t.Skip("this store does not report statements (it is not a SQL store)")
	}
	q := mustCreate(t, s, Sample("pinned-read"))
	for i := range 2 {
		c := q.Content.Clone()
		c.Minutes = 6 + i
		var err error
		if q, err = s.UpdateQuestion(ctx(t), q.ID, q.Etag, c, q.State, change("bob", "")); err != nil {
			t.Fatal(err)
		}
	}
	var (
		mu    sync.Mutex
		stmts []string
	)
	obs.OnQuery(func(sql string) { mu.Lock(); stmts = append(stmts, sql); mu.Unlock() })
	t.Cleanup(func() { obs.OnQuery(nil) })
	count := func(what string, want int, fn func() error) []string {
		t.Helper()
		mu.Lock()
		stmts = nil
		mu.Unlock()
		err := fn()
		mu.Lock()
		defer mu.Unlock()
		if err != nil && qbank.ErrorCode(err) != qbank.ENOTFOUND {
			t.Fatalf("%s: %v", what, err)
		}
		if want >= 0 && len(stmts) != want || want < 0 && len(stmts) < 3 {
			t.Errorf("%s ran %d statements, want %d: %q", what, len(stmts), want, stmts)
		}
		return slices.Clone(stmts)
	}
	for _, v := range []int{1, 2, 3, 0, 9} {
		count(fmt.Sprintf("Question(%s@%d)", q.ID, v), 1, func() error {
			got, err := s.Question(ctx(t), qbank.Ref{ID: q.ID, Version: v})
			if err == nil && v != 0 && got.Version != v {
				return fmt.Errorf("got v%d", got.Version)
			}
			if v == 9 && qbank.ErrorCode(err) != qbank.ENOTFOUND {
				return fmt.Errorf("version 9: %v, want not found", err)
			}
			return err
		})
	}
	count("QuestionVersions", 1, func() error {
		vs, err := s.QuestionVersions(ctx(t), q.ID)
		if err == nil && len(vs) != 3 {
			return fmt.Errorf("%d versions", len(vs))
		}
		return err
	})
	// The hook sees a write whole, transaction edges included (how many
	// statements it takes differs: PostgreSQL's also notifies).
	write := count("UpdateQuestion", -1, func() error {
		c := q.Content.Clone()
		c.Minutes = 9
		_, err := s.UpdateQuestion(ctx(t), q.ID, q.Etag, c, q.State, change("bob", ""))
		return err
	})
	if len(write) > 0 && (write[0] != "BEGIN" || write[len(write)-1] != "COMMIT") {
		t.Errorf("a write's statements run %q … %q, want BEGIN … COMMIT", write[0], write[len(write)-1])
	}
	obs.OnQuery(nil)
	count("Question after OnQuery(nil)", 0, func() error {
		_, err := s.Question(ctx(t), qbank.Ref{ID: q.ID, Version: 1})
		return err
	})
}

// testLegacyStackVariants: the first release stored a stack variant as a
// plain string ("stackVariants": {"go": "text"}). Such a version, planted
// as that release wrote it, reads back through every read path as a variant
// with that text, and an update carrying the same content writes nothing.
func testLegacyStackVariants(t *testing.T, s repository.Store, e Engine) {
	const legacyText = "In Go, how would you bound the worker pool?"
	q := mustCreate(t, s, Sample("legacy-variants"))
	raw, err := json.Marshal(q.Content)
	if err != nil {
		t.Fatal(err)
	}
	var content map[string]any
	if err := json.Unmarshal(raw, &content); err != nil {
		t.Fatal(err)
	}
	content["stackVariants"] = map[string]any{"go": legacyText}
	legacy, err := json.Marshal(content)
	if err != nil {
		t.Fatal(err)
	}
	e.Exec(t, s, "UPDATE question_versions SET content = ? WHERE question_id = ? AND version = 1", string(legacy), q.ID)

	want := map[string]qbank.StackVariant{"go": {Text: legacyText}}
	check := func(what string, got qbank.Question) {
		t.Helper()
		if got.Text != q.Text || len(got.StackVariants) != 1 || got.StackVariants["go"].Text != legacyText ||
			len(got.StackVariants["go"].FollowUps) != 0 || got.StackVariants["go"].ScoringGuide.Strong != "" {
			t.Errorf("%s: text %q, stack variants %+v; want %+v", what, got.Text, got.StackVariants, want)
		}
	}
	head, err := s.Question(ctx(t), qbank.Ref{ID: q.ID})
	if err != nil {
		t.Fatal(err)
	}
	check("head", head)
	pinned, err := s.Question(ctx(t), qbank.Ref{ID: q.ID, Version: 1})
	if err != nil {
		t.Fatal(err)
	}
	check("pinned v1", pinned)
	c, err := s.Load(ctx(t))
	if err != nil || len(c.Questions) != 1 {
		t.Fatalf("Load: %d questions, %v", len(c.Questions), err)
	}
	check("Load", c.Questions[0])
	if err := s.EachQuestion(ctx(t), func(got qbank.Question) error { check("EachQuestion", got); return nil }); err != nil {
		t.Fatal(err)
	}
	same, err := s.UpdateQuestion(ctx(t), q.ID, head.Etag, head.Content, head.State, change("bob", ""))
	if err != nil || same.Version != 1 {
		t.Errorf("an update with the legacy version's own content: v%d, %v; want v1 unchanged", same.Version, err)
	}
	next := head.Content.Clone()
	next.StackVariants = map[string]qbank.StackVariant{"go": {Text: legacyText, FollowUps: []string{"What bounds it?"}}}
	if _, err := s.UpdateQuestion(ctx(t), q.ID, head.Etag, next, head.State, change("bob", "")); err != nil {
		t.Fatal(err)
	}
	versions, err := s.QuestionVersions(ctx(t), q.ID)
	if err != nil || len(versions) != 2 {
		t.Fatalf("versions: %d, %v", len(versions), err)
	}
	check("history v1", versions[1])
	if got := versions[0].StackVariants["go"]; len(got.FollowUps) != 1 {
		t.Errorf("v2 after the legacy v1: %+v", got)
	}
}

// anyNonZero reports whether b has a byte that is not zero.
func anyNonZero(b []byte) bool {
	return slices.ContainsFunc(b, func(c byte) bool { return c != 0 })
}

// testSecret: a secret is created once, then every call and every replica
// gets the same bytes; it leaves the bank revision alone.
func testSecret(t *testing.T, s repository.Store, e Engine) {
	rev := mustRevision(t, s)
	a, err := s.Secret(ctx(t), "page-token-key", 32)
	if err != nil {
		t.Fatal(err)
	}
	if len(a) != 32 || !anyNonZero(a) {
		t.Fatalf("secret = %d bytes, all zero: %v; want 32 random bytes", len(a), !anyNonZero(a))
	}
	again, err := s.Secret(ctx(t), "page-token-key", 32)
	if err != nil || string(again) != string(a) {
		t.Errorf("asking again gave other bytes (%v)", err)
	}
	other, err := s.Secret(ctx(t), "another-key", 32)
	if err != nil || string(other) == string(a) {
		t.Errorf("a second name gave the same bytes (%v)", err)
	}
	fromReplica, err := replica(t, s, e).Secret(ctx(t), "page-token-key", 32)
	if err != nil || string(fromReplica) != string(a) {
		t.Errorf("another replica got other bytes (%v)", err)
	}
	_, err = s.Secret(ctx(t), "page-token-key", 64)
	wantCode(t, err, qbank.EPRECONDITION)
	_, err = s.Secret(ctx(t), "", 32)
	wantCode(t, err, qbank.EINVALID)
	_, err = s.Secret(ctx(t), "tiny", 4)
	wantCode(t, err, qbank.EINVALID)
	if got := mustRevision(t, s); got != rev {
		t.Errorf("creating secrets moved the bank revision %d → %d", rev, got)
	}
	if c, err := s.Load(ctx(t)); err != nil || c.Revision != rev {
		t.Errorf("Load after creating secrets: revision %d, %v", c.Revision, err)
	}
}

// testSecretConcurrent: replicas starting together all ask for a secret no
// one has created yet; exactly one value is created and all get it.
func testSecretConcurrent(t *testing.T, s repository.Store, e Engine) {
	stores := []repository.Store{s, replica(t, s, e)}
	const callers = 8
	got := make([][]byte, callers)
	errs := make([]error, callers)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			got[i], errs[i] = stores[i%len(stores)].Secret(context.Background(), "replica-key", 32)
		}()
	}
	close(start)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	for i := range got {
		if len(got[i]) != 32 || string(got[i]) != string(got[0]) {
			t.Fatalf("caller %d got a different secret than caller 0", i)
		}
	}
}
