package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/user"
	"slices"
	"strings"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/layersrank/qbank"
	"github.com/layersrank/qbank/bankfile"
	"github.com/layersrank/qbank/importer"
	"github.com/layersrank/qbank/internal/storeopen"
	pb "github.com/layersrank/qbank/proto/layersrank/questionbank/v1"
	"github.com/layersrank/qbank/protoconv"
	"github.com/layersrank/qbank/repository"
	"github.com/layersrank/qbank/seed"
	"github.com/layersrank/qbank/server"
)

// remoteFlags are how export and import reach a running server instead of
// opening the store themselves.
type remoteFlags struct {
	addr, token string
}

func (r *remoteFlags) bind(fs *flag.FlagSet) {
	fs.StringVar(&r.addr, "server", env("QBANK_SERVER", ""), "gRPC address of a running qbank (QBANK_SERVER); empty opens the store directly")
	fs.StringVar(&r.token, "token", "", "bearer token for --server (default $QBANK_TOKEN)")
}

func (r *remoteFlags) dial(ctx context.Context) (pb.QuestionBankServiceClient, context.Context, func(), error) {
	conn, err := grpc.NewClient(r.addr, grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(bankfile.MaxFileBytes), grpc.MaxCallSendMsgSize(bankfile.MaxFileBytes)))
	if err != nil {
		return nil, nil, nil, fmt.Errorf("dial %s: %w", r.addr, err)
	}
	token := r.token
	if token == "" {
		token = os.Getenv("QBANK_TOKEN")
	}
	if token == "" {
		conn.Close()
		return nil, nil, nil, errors.New("--server needs a token: --token or QBANK_TOKEN")
	}
	ctx = metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+token)
	return pb.NewQuestionBankServiceClient(conn), ctx, func() { conn.Close() }, nil
}

var stateNames = map[string]pb.Question_State{
	"": pb.Question_STATE_UNSPECIFIED, "all": pb.Question_STATE_UNSPECIFIED,
	"active": pb.Question_STATE_ACTIVE, "draft": pb.Question_STATE_DRAFT, "retired": pb.Question_STATE_RETIRED,
}

func exportCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, cfg, _ := flags("export", stderr)
	format := fs.String("format", "json", "json, yaml or pdf")
	role := fs.String("role", "", "only this role's questions")
	state := fs.String("state", "", "only questions in this state: active, draft or retired (default all; the PDF takes active)")
	out := fs.String("o", "", "output file (default stdout)")
	var remote remoteFlags
	remote.bind(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	st, ok := stateNames[*state]
	if !ok {
		return fmt.Errorf("--state %q: want active, draft, retired or all", *state)
	}
	if *format == "pdf" && *state == "" {
		st = pb.Question_STATE_ACTIVE
	}
	req := &pb.ExportQuestionBankRequest{Role: *role, State: st}

	w := stdout
	if *out != "" {
		f, err := os.Create(*out)
		if err != nil {
			return fmt.Errorf("create %s: %w", *out, err)
		}
		defer f.Close()
		w = f
	}
	var sink exportSink
	switch *format {
	case "json", "yaml":
		fw, err := bankfile.NewWriter(w, bankfile.Format(*format))
		if err != nil {
			return err
		}
		sink = fw
	case "pdf":
		sink = &pdfSink{w: w}
	default:
		return fmt.Errorf("--format %q: want json, yaml or pdf", *format)
	}
	if remote.addr != "" {
		err := exportRemote(ctx, remote, req, sink)
		if err != nil {
			return err
		}
	} else if err := exportLocal(ctx, *cfg, req, sink); err != nil {
		return err
	}
	if err := sink.Close(); err != nil {
		return fmt.Errorf("write export: %w", err)
	}
	if *out != "" {
		fmt.Fprintf(stderr, "wrote %s\n", *out)
	}
	return nil
}

// exportSink receives an export: a bankfile.Writer or the PDF renderer.
type exportSink interface {
	Header(*pb.ExportHeader) error
	Question(*pb.Question) error
	Close() error
}

func exportRemote(ctx context.Context, remote remoteFlags, req *pb.ExportQuestionBankRequest, sink exportSink) error {
	client, ctx, closeConn, err := remote.dial(ctx)
	if err != nil {
		return err
	}
	defer closeConn()
	stream, err := client.ExportQuestionBank(ctx, req)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	for {
		msg, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("export: %w", err)
		}
		if h := msg.GetHeader(); h != nil {
			err = sink.Header(h)
		} else {
			err = sink.Question(msg.GetQuestion())
		}
		if err != nil {
			return err
		}
	}
}

// exportLocal streams straight from the store, one row at a time.
func exportLocal(ctx context.Context, cfg storeopen.Config, req *pb.ExportQuestionBankRequest, sink exportSink) error {
	store, err := storeopen.Open(ctx, cfg)
	if err != nil {
		return err
	}
	defer store.Close()
	tax, err := store.Taxonomy(ctx)
	if err != nil {
		return err
	}
	if _, ok := tax.Role(req.GetRole()); req.GetRole() != "" && !ok {
		return fmt.Errorf("--role %q: want one of %s", req.GetRole(), strings.Join(tax.RoleIDs(), ", "))
	}
	rev, err := store.Revision(ctx)
	if err != nil {
		return err
	}
	err = sink.Header(&pb.ExportHeader{
		BankRevision: rev, ExportTime: timestamppb.New(repository.Now()), Role: req.GetRole(),
		Taxonomy: protoconv.TaxonomyToProto(tax.ForRole(req.GetRole())),
	})
	if err != nil {
		return err
	}
	state := protoconv.StateFromProto(req.GetState())
	return store.EachQuestion(ctx, func(q qbank.Question) error {
		if (state != "" && q.State != state) || (req.GetRole() != "" && !slices.Contains(q.Roles, req.GetRole())) {
			return nil
		}
		return sink.Question(protoconv.QuestionToProto(&q))
	})
}

func importCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, cfg, _ := flags("import", stderr)
	validateOnly := fs.Bool("validate-only", false, "check the file and report what would change; write nothing")
	var remote remoteFlags
	remote.bind(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("usage: qbank import [flags] FILE (JSON or YAML, as written by qbank export)")
	}
	f, err := os.Open(fs.Arg(0))
	if err != nil {
		return fmt.Errorf("open %s: %w", fs.Arg(0), err)
	}
	req, err := bankfile.Read(f)
	f.Close()
	if err != nil {
		return fmt.Errorf("%s: %w", fs.Arg(0), err)
	}
	req.ValidateOnly = *validateOnly

	var resp *pb.ImportQuestionsResponse
	if remote.addr != "" {
		client, rctx, closeConn, err := remote.dial(ctx)
		if err != nil {
			return err
		}
		defer closeConn()
		if resp, err = client.ImportQuestions(rctx, req); err != nil {
			return fmt.Errorf("import: %w", err)
		}
	} else if resp, err = importLocal(ctx, *cfg, req); err != nil {
		return err
	}
	verb := "imported"
	if resp.GetValidateOnly() {
		verb = "would import (dry run, nothing written)"
	}
	fmt.Fprintf(stdout, "%s %d questions: %d created, %d updated, %d unchanged; bank revision %d\n",
		verb, len(resp.GetResults()), resp.GetCreatedCount(), resp.GetUpdatedCount(), resp.GetUnchangedCount(), resp.GetBankRevision())
	return nil
}

// importLocal imports straight into the store. A store with no taxonomy
// yet gets the seed's taxonomy and default templates but not its questions,
// so an export imported into a fresh store reproduces that bank exactly.
func importLocal(ctx context.Context, cfg storeopen.Config, req *pb.ImportQuestionsRequest) (*pb.ImportQuestionsResponse, error) {
	store, err := storeopen.Open(ctx, cfg)
	if err != nil {
		return nil, err
	}
	defer store.Close()
	bank, err := seed.Load()
	if err != nil {
		return nil, err
	}
	if _, err := seed.Apply(ctx, store, &seed.Bank{Taxonomy: bank.Taxonomy, Templates: bank.Templates}); err != nil {
		return nil, err
	}
	contents, err := store.Load(ctx)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]qbank.Question, len(contents.Questions))
	for _, q := range contents.Questions {
		byID[q.ID] = q
	}
	items := make([]qbank.Question, len(req.GetQuestions()))
	for i, q := range req.GetQuestions() {
		items[i] = protoconv.QuestionFromProto(q)
	}
	plan, err := importer.Build(contents.Taxonomy, func(id string) (qbank.Question, bool) { q, ok := byID[id]; return q, ok }, items)
	if err != nil {
		return nil, err
	}
	results := plan.Results
	if !req.GetValidateOnly() {
		if results, err = importer.Apply(ctx, store, plan, qbank.Change{Author: cliAuthor(), Note: "qbank import"}); err != nil {
			return nil, err
		}
	}
	rev, err := store.Revision(ctx)
	if err != nil {
		return nil, err
	}
	return server.ImportResponse(results, req.GetValidateOnly(), rev), nil
}

// cliAuthor names direct-to-store writes after the OS user, for the audit trail.
func cliAuthor() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return "cli:" + u.Username
	}
	return "cli"
}
