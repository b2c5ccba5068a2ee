package storetest

import (
	"slices"
	"testing"

	"github.com/layersrank/qbank"
	"github.com/layersrank/qbank/repository"
)

// SampleTemplate returns a valid template with the given id and owner.
func SampleTemplate(id, owner string) qbank.Template {
	return qbank.Template{
		ID: id, Title: "Backend, Go shop", Owner: owner, Role: "backend-engineer", Seniority: "senior",
		Stacks: []string{"go", "postgresql"}, MinMinutes: 35, MaxMinutes: 45,
		DimensionWeights:    map[string]int{"technical": 50, "behavioral": 30, "contextual": 20},
		RequiredQuestionIDs: []string{"rate-limiter"}, ExcludedQuestionIDs: []string{"history"},
	}
}

func testTemplateLifecycle(t *testing.T, s repository.Store) {
	created, err := s.CreateTemplate(ctx(t), SampleTemplate("acme-backend", "acme"), change("alice", ""))
	if err != nil {
		t.Fatal(err)
	}
	if created.Etag == "" || created.CreateTime.IsZero() {
		t.Fatalf("created = %+v", created)
	}
	got, err := s.Template(ctx(t), "acme-backend")
	if err != nil || !got.Equal(created) || got.Etag != created.Etag || got.DimensionWeights["technical"] != 50 {
		t.Fatalf("read back %+v, %v", got, err)
	}
	_, err = s.CreateTemplate(ctx(t), SampleTemplate("acme-backend", "acme"), change("alice", ""))
	wantCode(t, err, qbank.EEXISTS)

	next := got
	next.MaxMinutes = 40
	updated, err := s.UpdateTemplate(ctx(t), next, got.Etag, change("alice", ""))
	if err != nil || updated.MaxMinutes != 40 || updated.Etag == got.Etag || !updated.CreateTime.Equal(got.CreateTime) {
		t.Fatalf("update = %+v, %v", updated, err)
	}
	rev := mustRevision(t, s)
	same, err := s.UpdateTemplate(ctx(t), updated, updated.Etag, change("alice", ""))
	if err != nil || same.Etag != updated.Etag || mustRevision(t, s) != rev {
		t.Errorf("an unchanged template update wrote something: %v", err)
	}
	err = s.DeleteTemplate(ctx(t), "acme-backend", got.Etag)
	wantCode(t, err, qbank.ECONFLICT)
	if err := s.DeleteTemplate(ctx(t), "acme-backend", updated.Etag); err != nil {
		t.Fatal(err)
	}
	_, err = s.Template(ctx(t), "acme-backend")
	wantCode(t, err, qbank.ENOTFOUND)
	ts, _ := s.Templates(ctx(t))
	if len(ts) != 0 {
		t.Errorf("a deleted template is still listed: %v", ts)
	}
	// An admin may create a template again under a deleted one's id.
	again, err := s.CreateTemplate(ctx(t), SampleTemplate("acme-backend", "acme"), change("alice", ""))
	if err != nil || again.MaxMinutes != 45 {
		t.Errorf("re-create after delete: %+v, %v", again, err)
	}
}

func testTemplateStaleEtag(t *testing.T, s repository.Store) {
	created, err := s.CreateTemplate(ctx(t), SampleTemplate("stale-template", ""), change("alice", ""))
	if err != nil {
		t.Fatal(err)
	}
	next := created
	next.Title = "First edit"
	if _, err := s.UpdateTemplate(ctx(t), next, created.Etag, change("bob", "")); err != nil {
		t.Fatal(err)
	}
	next.Title = "A stale edit"
	_, err = s.UpdateTemplate(ctx(t), next, created.Etag, change("carol", ""))
	wantCode(t, err, qbank.ECONFLICT)
	got, _ := s.Template(ctx(t), "stale-template")
	if got.Title != "First edit" {
		t.Errorf("a stale update changed the template: %q", got.Title)
	}
	_, err = s.UpdateTemplate(ctx(t), SampleTemplate("no-such-template", ""), "x", change("bob", ""))
	wantCode(t, err, qbank.ENOTFOUND)
}

func testTemplateSeed(t *testing.T, s repository.Store) {
	defaults := []qbank.Template{SampleTemplate("backend-default", ""), SampleTemplate("devops-default", "")}
	added, err := s.SeedTemplates(ctx(t), defaults, change("seed", ""))
	if err != nil || len(added) != 2 {
		t.Fatalf("seed added %v, %v", added, err)
	}
	backend, _ := s.Template(ctx(t), "backend-default")
	edited := backend
	edited.Title = "Edited by an admin"
	if _, err := s.UpdateTemplate(ctx(t), edited, backend.Etag, change("alice", "")); err != nil {
		t.Fatal(err)
	}
	devops, _ := s.Template(ctx(t), "devops-default")
	if err := s.DeleteTemplate(ctx(t), "devops-default", devops.Etag); err != nil {
		t.Fatal(err)
	}
	added, err = s.SeedTemplates(ctx(t), defaults, change("seed", ""))
	if err != nil || len(added) != 0 {
		t.Fatalf("re-seed added %v, %v", added, err)
	}
	ts, _ := s.Templates(ctx(t))
	var titles []string
	for _, tpl := range ts {
		titles = append(titles, tpl.ID+": "+tpl.Title)
	}
	if !slices.Equal(titles, []string{"backend-default: Edited by an admin"}) {
		t.Errorf("after re-seeding: %v; want the edit kept and the deletion kept", titles)
	}
}

func testLoad(t *testing.T, s repository.Store) {
	mustCreate(t, s, Sample("loaded-question"))
	if _, err := s.CreateTemplate(ctx(t), SampleTemplate("loaded-template", "acme"), change("alice", "")); err != nil {
		t.Fatal(err)
	}
	c, err := s.Load(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	if c.Revision != mustRevision(t, s) || len(c.Questions) != 1 || len(c.Templates) != 1 || c.Templates[0].Owner != "acme" {
		t.Errorf("Load = rev %d, %d questions, %d templates", c.Revision, len(c.Questions), len(c.Templates))
	}
}
