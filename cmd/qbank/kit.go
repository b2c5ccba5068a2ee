package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/layersrank/qbank"
	"github.com/layersrank/qbank/bankpdf"
	"github.com/layersrank/qbank/internal/storeopen"
	pb "github.com/layersrank/qbank/proto/layersrank/questionbank/v1"
	"github.com/layersrank/qbank/protoconv"
)

// listFlag is a flag that may be repeated and also takes comma-separated
// values: --refs a@1,b@2 --refs c@3.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(v string) error {
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			*l = append(*l, s)
		}
	}
	return nil
}

// kitCmd writes the interview kit of one assembled assessment, the same
// document as GET /v1/interview-kit.pdf.
func kitCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, cfg, _ := flags("kit", stderr)
	role := fs.String("role", "", "the role the assessment was assembled for")
	var refs, stacks listFlag
	fs.Var(&refs, "refs", "the assessment's items as id@version, in order (repeat or separate with commas)")
	fs.Var(&stacks, "stacks", "the stacks the assessment was assembled for (repeat or separate with commas)")
	out := fs.String("o", "", "output file, written whole or not at all, mode 0600 (default stdout)")
	var remote remoteFlags
	remote.bind(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q: usage: qbank kit --role ROLE --refs ID@VERSION,... [--stacks STACK,...] [-o FILE]", fs.Arg(0))
	}
	req := bankpdf.KitRequest{Role: *role, Refs: refs, Stacks: stacks}
	var (
		tax    *qbank.Taxonomy
		lookup bankpdf.Lookup
	)
	if remote.addr != "" {
		client, rctx, closeConn, err := remote.dial(ctx)
		if err != nil {
			return err
		}
		defer closeConn()
		resp, err := client.GetTaxonomy(rctx, &pb.GetTaxonomyRequest{})
		if err != nil {
			return fmt.Errorf("kit: %w", err)
		}
		tax = protoconv.TaxonomyFromProto(resp.GetTaxonomy())
		lookup = func(ref qbank.Ref) (qbank.Question, bool, error) {
			resp, err := client.GetQuestion(rctx, &pb.GetQuestionRequest{Id: ref.ID, Version: int32(ref.Version)})
			switch {
			case status.Code(err) == codes.NotFound:
				return qbank.Question{}, false, nil
			case err != nil:
				return qbank.Question{}, false, fmt.Errorf("kit: %s: %w", ref, err)
			}
			return protoconv.StoredQuestionFromProto(resp.GetQuestion()), true, nil
		}
	} else {
		store, err := storeopen.Open(ctx, *cfg)
		if err != nil {
			return err
		}
		defer store.Close()
		t, err := store.Taxonomy(ctx)
		if err != nil {
			return err
		}
		tax = &t
		lookup = func(ref qbank.Ref) (qbank.Question, bool, error) {
			q, err := store.Question(ctx, ref)
			switch {
			case qbank.ErrorCode(err) == qbank.ENOTFOUND:
				return qbank.Question{}, false, nil
			case err != nil:
				return qbank.Question{}, false, err
			}
			return q, true, nil
		}
	}
	kit, err := req.Resolve(tax, lookup)
	if err != nil {
		var e *qbank.Error
		if errors.As(err, &e) && len(e.Violations) > 0 {
			var lines []string
			for _, v := range e.Violations {
				lines = append(lines, "  "+v.Field+": "+v.Description)
			}
			return fmt.Errorf("kit: the request is not valid:\n%s", strings.Join(lines, "\n"))
		}
		return err
	}
	return writeOutput(*out, stdout, stderr, func(w io.Writer) error { return bankpdf.RenderKit(w, kit) })
}
