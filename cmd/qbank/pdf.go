package main

import (
	"errors"
	"io"

	"github.com/layersrank/qbank/bankpdf"
	"github.com/layersrank/qbank/protoconv"

	pb "github.com/layersrank/qbank/proto/layersrank/questionbank/v1"
)

// pdfSink collects an export and renders it as the question bank PDF.
type pdfSink struct {
	w         io.Writer
	header    *pb.ExportHeader
	questions []*pb.Question
}

func (p *pdfSink) Header(h *pb.ExportHeader) error { p.header = h; return nil }

func (p *pdfSink) Question(q *pb.Question) error {
	p.questions = append(p.questions, q)
	return nil
}

func (p *pdfSink) Close() error { return renderPDF(p.w, p.header, p.questions) }

func renderPDF(w io.Writer, h *pb.ExportHeader, qs []*pb.Question) error {
	if h == nil {
		return errors.New("export: no header received")
	}
	doc := bankpdf.Document{
		Title:     "LayersRank Question Bank",
		Generated: h.GetExportTime().AsTime(),
		Revision:  h.GetBankRevision(),
		Role:      h.GetRole(),
		Taxonomy:  protoconv.TaxonomyFromProto(h.GetTaxonomy()),
	}
	for _, q := range qs {
		doc.Questions = append(doc.Questions, protoconv.QuestionFromProto(q))
	}
	return bankpdf.Render(w, doc)
}
