package server

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/layersrank/qbank"
	"github.com/layersrank/qbank/bankpdf"
)

// kitHandler serves GET /v1/interview-kit.pdf?role=…&refs=id@version&…
// [&stacks=…]: the kit for one assembled assessment, exactly its pinned
// items in order, worded for its stacks, with a scorecard. Refs that are
// malformed, unpinned, unknown or not the role's are a 400 naming each.
func (d *documents) kitHandler() http.Handler {
	const route = "/v1/interview-kit.pdf"
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := d.authorize(r, route); err != nil {
			d.writeStatus(w, r, err)
			return
		}
		q, err := query(r, "role", "refs", "stacks")
		if err != nil {
			d.writeStatus(w, r, err)
			return
		}
		snap := d.svc.catalog.Snapshot()
		req := bankpdf.KitRequest{Role: q.Get("role"), Refs: q["refs"], Stacks: q["stacks"]}
		kit, err := req.Resolve(snap.Taxonomy, d.lookup(r.Context()))
		if err != nil {
			d.writeStatus(w, r, err)
			return
		}
		var refs []string
		for _, it := range kit.Items {
			refs = append(refs, fmt.Sprintf("%s@%d", it.ID, it.Version))
		}
		key := fmt.Sprintf("kit|%d|%q|%q|%q", snap.Revision, kit.Role, strings.Join(refs, ","), strings.Join(kit.Stacks, ","))
		pdf, err := d.render(r.Context(), snap.Revision, key, func(buf *bytes.Buffer) error {
			return bankpdf.RenderKit(buf, kit)
		})
		if err != nil {
			d.writeStatus(w, r, err)
			return
		}
		writePDF(w, "layersrank-interview-kit-"+kit.Role, pdf)
	})
}

// lookup reads a pinned version as every other read does: from the
// snapshot when current, else from the version history.
func (d *documents) lookup(ctx context.Context) bankpdf.Lookup {
	return func(ref qbank.Ref) (qbank.Question, bool, error) {
		q, _, err := d.svc.catalog.Question(ctx, ref)
		switch {
		case qbank.ErrorCode(err) == qbank.ENOTFOUND:
			return qbank.Question{}, false, nil
		case err != nil:
			return qbank.Question{}, false, err
		}
		return q, true, nil
	}
}
