package bankfile

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/layersrank/qbank"
	"github.com/layersrank/qbank/bankpdf"
	pb "github.com/layersrank/qbank/proto/layersrank/questionbank/v1"
	"github.com/layersrank/qbank/protoconv"
)

// Filter selects what an export holds; empty fields select everything.
type Filter struct {
	Role       string
	Collection string
	State      qbank.State // "" = every state
}

// Export is a checked selection of the bank at one revision: what its
// header says and which questions it holds. The gRPC export, the gateway's
// PDF route and the CLI all select through it, so the same request holds
// the same questions whichever way it is made.
type Export struct {
	Filter
	Revision int64
	Time     time.Time
	// Taxonomy is the bank's whole taxonomy; the header carries the part
	// for the export's role.
	Taxonomy *qbank.Taxonomy
}

// Select checks the filter against the taxonomy, naming every bad field,
// and returns the export of the bank at revision, made at now.
func Select(tax *qbank.Taxonomy, revision int64, f Filter, now time.Time) (Export, error) {
	var v qbank.Violations
	for _, c := range []struct {
		field, value string
		known        func(string) bool
		valid        []string
	}{
		{"role", f.Role, func(s string) bool { _, ok := tax.Role(s); return ok }, tax.RoleIDs()},
		{"collection", f.Collection, func(s string) bool { _, ok := tax.Collection(s); return ok }, tax.CollectionIDs()},
	} {
		switch {
		case c.value == "":
		case !utf8.ValidString(c.value):
			v.Add(c.field, "is not valid UTF-8")
		case !c.known(c.value):
			valid := strings.Join(c.valid, ", ")
			if valid == "" {
				valid = "none defined"
			}
			v.Add(c.field, "unknown %s %q (valid: %s)", c.field, c.value, valid)
		}
	}
	switch f.State {
	case "", qbank.StateActive, qbank.StateDraft, qbank.StateRetired:
	default:
		v.Add("state", "unknown state %q", f.State)
	}
	if err := v.Err(); err != nil {
		return Export{}, err
	}
	return Export{Filter: f, Revision: revision, Time: now, Taxonomy: tax}, nil
}

// Holds reports whether the export includes q.
func (e Export) Holds(q *qbank.Question) bool {
	return (e.State == "" || q.State == e.State) &&
		(e.Role == "" || slices.Contains(q.Roles, e.Role)) &&
		(e.Collection == "" || slices.Contains(q.Collections, e.Collection))
}

// Header is the export's header, on the wire and in the file.
func (e Export) Header() *pb.ExportHeader {
	h := &pb.ExportHeader{BankRevision: e.Revision, Role: e.Role, Collection: e.Collection}
	if !e.Time.IsZero() {
		h.ExportTime = timestamppb.New(e.Time)
	}
	if e.Taxonomy != nil {
		h.Taxonomy = protoconv.TaxonomyToProto(e.Taxonomy.ForRole(e.Role))
	}
	return h
}

// FromHeader is the export a header describes, as the client of a remote
// export receives it (the server selected the questions that follow).
func FromHeader(h *pb.ExportHeader) Export {
	e := Export{Filter: Filter{Role: h.GetRole(), Collection: h.GetCollection()}, Revision: h.GetBankRevision(),
		Taxonomy: protoconv.TaxonomyFromProto(h.GetTaxonomy())}
	if h.GetExportTime() != nil {
		e.Time = h.GetExportTime().AsTime()
	}
	return e
}

// Sink receives an export: its header once, then each question, then Close.
type Sink interface {
	Header(Export) error
	Question(*qbank.Question) error
	Close() error
}

// Questions yields questions in id order until yield returns an error.
type Questions func(yield func(*qbank.Question) error) error

// Run writes an export to sink: the header, then every question of src the
// export holds, in src's (id) order. The caller closes the sink.
func Run(e Export, src Questions, sink Sink) error {
	if err := sink.Header(e); err != nil {
		return err
	}
	return src(func(q *qbank.Question) error {
		if !e.Holds(q) {
			return nil
		}
		return sink.Question(q)
	})
}

// PDF is the printable format: the bank, a collection or a role kit,
// rendered from the export's questions when the sink closes.
const PDF Format = "pdf"

// NewSink returns a sink writing the export to w in the format.
func NewSink(w io.Writer, f Format) (Sink, error) {
	if f == PDF {
		return &pdfSink{w: w}, nil
	}
	fw, err := NewWriter(w, f)
	if err != nil {
		return nil, err
	}
	return &fileSink{w: fw}, nil
}

// fileSink writes the JSON or YAML file format.
type fileSink struct{ w Writer }

func (s *fileSink) Header(e Export) error { return s.w.Header(e.Header()) }
func (s *fileSink) Question(q *qbank.Question) error {
	return s.w.Question(protoconv.QuestionToProto(q))
}
func (s *fileSink) Close() error { return s.w.Close() }

// pdfSink keeps the export's questions and renders them on Close. The
// document is dated by the newest change among them, not by the clock, so
// the same bank always prints the same document, whichever way it is asked.
type pdfSink struct {
	w         io.Writer
	export    *Export
	questions []qbank.Question
}

func (s *pdfSink) Header(e Export) error { s.export = &e; return nil }

func (s *pdfSink) Question(q *qbank.Question) error {
	s.questions = append(s.questions, *q)
	return nil
}

func (s *pdfSink) Close() error {
	if s.export == nil {
		return fmt.Errorf("export: no header written")
	}
	return bankpdf.RenderBank(s.w, s.Bank())
}

// Bank is what the sink renders.
func (s *pdfSink) Bank() bankpdf.Bank {
	b := bankpdf.Bank{Revision: s.export.Revision, Role: s.export.Role, Collection: s.export.Collection,
		Taxonomy: s.export.Taxonomy, Questions: s.questions}
	for _, q := range s.questions {
		if q.UpdateTime.After(b.AsOf) {
			b.AsOf = q.UpdateTime
		}
	}
	return b
}
