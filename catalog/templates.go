package catalog

import (
	"fmt"

	"github.com/layersrank/qbank"
)

// TemplatePage is one page of templates.
type TemplatePage struct {
	Templates     []qbank.Template
	NextPageToken string
	TotalSize     int
}

// ListTemplates pages through templates ordered by id. With an owner it
// returns that customer's templates and LayersRank's defaults (owner ""),
// which is what a customer chooses from.
func (s *Snapshot) ListTemplates(owner string, pageSize int, pageToken string) (TemplatePage, error) {
	pageSize = orDefault(pageSize)
	fingerprint := fingerprintOf(fmt.Sprintf("templates|%q|%d", owner, pageSize))
	after, err := pageAfter(s.tokenKey, pageToken, fingerprint)
	if err != nil {
		return TemplatePage{}, err
	}
	var p TemplatePage
	for _, t := range s.Templates {
		if owner != "" && t.Owner != owner && t.Owner != "" {
			continue
		}
		p.TotalSize++
		if t.ID <= after {
			continue
		}
		if len(p.Templates) < pageSize {
			p.Templates = append(p.Templates, t)
		} else if p.NextPageToken == "" {
			p.NextPageToken = encodeToken(s.tokenKey, fingerprint, p.Templates[len(p.Templates)-1].ID)
		}
	}
	return p, nil
}
