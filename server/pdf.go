package server

import (
	"bytes"
	"net/http"
	"slices"
	"strings"
	"time"

	"google.golang.org/grpc/status"

	"github.com/layersrank/qbank"
	"github.com/layersrank/qbank/bankpdf"
	"github.com/layersrank/qbank/server/apierr"
	"github.com/layersrank/qbank/server/auth"
	"github.com/layersrank/qbank/server/gateway"
)

// pdfHandler serves GET /v1/question-bank.pdf[?role=…]: the active bank as
// the printable PDF, from the current snapshot. It needs a reader token like
// every other read.
func (s *Server) pdfHandler(authn *auth.Authenticator) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := authn.AuthorizeHTTP(r, "/v1/question-bank.pdf", auth.RoleReader); err != nil {
			s.writeStatus(w, r, err)
			return
		}
		snap := s.catalog.Snapshot()
		role := r.URL.Query().Get("role")
		if _, ok := snap.Taxonomy.Role(role); role != "" && !ok {
			s.writeStatus(w, r, (qbank.Violations{{Field: "role", Description: "unknown role " + quote(role) + " (valid: " + strings.Join(snap.Taxonomy.RoleIDs(), ", ") + ")"}}).Err())
			return
		}
		doc := bankpdf.Document{
			Title:     "LayersRank Question Bank",
			Generated: time.Now().UTC(),
			Revision:  snap.Revision,
			Role:      role,
			Taxonomy:  snap.Taxonomy,
		}
		snap.Each(func(q *qbank.Question) bool {
			if q.State == qbank.StateActive && (role == "" || slices.Contains(q.Roles, role)) {
				doc.Questions = append(doc.Questions, *q)
			}
			return true
		})
		// Render into memory first so a failure becomes a clean 500, not a
		// truncated download; the whole bank is a few hundred kilobytes.
		var buf bytes.Buffer
		if err := bankpdf.Render(&buf, doc); err != nil {
			s.log.ErrorContext(r.Context(), "render question bank PDF", "err", err)
			s.writeStatus(w, r, err)
			return
		}
		name := "layersrank-question-bank"
		if role != "" {
			name += "-" + role
		}
		w.Header().Set("Content-Type", "application/pdf")
		w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.pdf"`)
		w.Header().Set("Cache-Control", "private, no-store")
		_, _ = w.Write(buf.Bytes())
	})
}

// writeStatus writes an error as every route does (gateway.WriteStatus):
// the JSON google.rpc.Status with its details, fields named by JSON paths.
func (s *Server) writeStatus(w http.ResponseWriter, r *http.Request, err error) {
	gateway.WriteStatus(w, r, status.Convert(toStatus(apierr.WithJSONPaths(r.Context()), s.log, r.URL.Path, err)))
}
