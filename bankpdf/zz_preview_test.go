package bankpdf_test

import (
	"bytes"
	"os"
	"testing"
	"time"

	"github.com/layersrank/qbank/bankpdf"
	"github.com/layersrank/qbank/bankpdf/pdftest"
)

func TestPreview(t *testing.T) {
	dir := os.Getenv("PREVIEW")
	if dir == "" {
		t.Skip()
	}
	tax, qs := pdftest.RichBank(t)
	asOf := time.Date(2026, 11, 27, 9, 30, 0, 0, time.UTC)
	write := func(name string, f func(*bytes.Buffer) error) {
		var buf bytes.Buffer
		t0 := time.Now()
		if err := f(&buf); err != nil {
			t.Fatal(name, err)
		}
		t.Logf("%s: %v %d bytes", name, time.Since(t0), buf.Len())
		os.WriteFile(dir+"/"+name+".pdf", buf.Bytes(), 0o644)
	}
	write("bank", func(b *bytes.Buffer) error {
		return bankpdf.RenderBank(b, bankpdf.Bank{Revision: 42, AsOf: asOf, Taxonomy: tax, Questions: qs})
	})
	write("published", func(b *bytes.Buffer) error {
		return bankpdf.RenderBank(b, bankpdf.Bank{Revision: 42, AsOf: asOf, Collection: "layersrank-50", Taxonomy: tax, Questions: qs})
	})
	write("role", func(b *bytes.Buffer) error {
		return bankpdf.RenderBank(b, bankpdf.Bank{Revision: 42, AsOf: asOf, Role: "backend-engineer", Taxonomy: tax, Questions: qs})
	})
	var items []int
	for i, q := range qs {
		for _, r := range q.Roles {
			if r == "backend-engineer" && len(items) < 9 && i%4 == 0 {
				items = append(items, i)
			}
		}
	}
	var kit bankpdf.Kit
	kit.Role, kit.Stacks, kit.Taxonomy = "backend-engineer", []string{"golang"}, tax
	for _, i := range items {
		kit.Items = append(kit.Items, qs[i])
	}
	write("kit", func(b *bytes.Buffer) error { return bankpdf.RenderKit(b, kit) })
}

func BenchmarkKitPreview(b *testing.B) {
	tax, qs := pdftest.RichBank(b)
	var kit bankpdf.Kit
	kit.Role, kit.Stacks, kit.Taxonomy = "backend-engineer", []string{"golang"}, tax
	for i, q := range qs {
		for _, r := range q.Roles {
			if r == "backend-engineer" && len(kit.Items) < 9 && i%4 == 0 {
				kit.Items = append(kit.Items, q)
			}
		}
	}
	var buf bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		if err := bankpdf.RenderKit(&buf, kit); err != nil {
			b.Fatal(err)
		}
	}
}
