package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/user"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/encoding/gzip"
	"google.golang.org/grpc/metadata"

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

// remoteFlags are how export, import and kit reach a running server
// instead of opening the store themselves.
type remoteFlags struct {
	addr, token string
	// TLS: on with --tls (system roots) or --tls-ca; a client certificate
	// for a server that requires one (mutual TLS).
	tls              bool
	tlsCA, cert, key string
	tlsServerName    string
}

func (r *remoteFlags) bind(fs *flag.FlagSet) {
	fs.StringVar(&r.addr, "server", env("QBANK_SERVER", ""), "gRPC address of a running qbank (QBANK_SERVER); empty opens the store directly")
	fs.StringVar(&r.token, "token", "", "bearer token for --server (default $QBANK_TOKEN)")
	fs.BoolVar(&r.tls, "tls", env("QBANK_TLS", "") == "1" || env("QBANK_TLS", "") == "true", "connect to --server over TLS, trusting the system's CAs (QBANK_TLS=1)")
	fs.StringVar(&r.tlsCA, "tls-ca", env("QBANK_TLS_CA", ""), "PEM CA bundle to verify --server with; implies --tls (QBANK_TLS_CA)")
	fs.StringVar(&r.cert, "tls-client-cert", env("QBANK_TLS_CLIENT_CERT", ""), "PEM client certificate, for a server that requires one; implies --tls (QBANK_TLS_CLIENT_CERT)")
	fs.StringVar(&r.key, "tls-client-key", env("QBANK_TLS_CLIENT_KEY", ""), "PEM key of --tls-client-cert (QBANK_TLS_CLIENT_KEY)")
	fs.StringVar(&r.tlsServerName, "tls-server-name", env("QBANK_TLS_SERVER_NAME", ""), "name to verify the server's certificate against (default: --server's host)")
}

// credentials are the transport credentials for --server: TLS when any TLS
// flag is set (the server's certificate is always verified), else
// plaintext.
func (r *remoteFlags) credentials() (credentials.TransportCredentials, error) {
	if !r.tls && r.tlsCA == "" && r.cert == "" {
		return insecure.NewCredentials(), nil
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: r.tlsServerName}
	if r.tlsCA != "" {
		pem, err := os.ReadFile(r.tlsCA)
		if err != nil {
			return nil, fmt.Errorf("--tls-ca: %w", err)
		}
		cfg.RootCAs = x509.NewCertPool()
		if !cfg.RootCAs.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("--tls-ca %s holds no PEM certificate", r.tlsCA)
		}
	}
	if r.cert != "" || r.key != "" {
		cert, err := tls.LoadX509KeyPair(r.cert, r.key)
		if err != nil {
			return nil, fmt.Errorf("--tls-client-cert/--tls-client-key: %w", err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	return credentials.NewTLS(cfg), nil
}

func (r *remoteFlags) dial(ctx context.Context) (pb.QuestionBankServiceClient, context.Context, func(), error) {
	creds, err := r.credentials()
	if err != nil {
		return nil, nil, nil, err
	}
	conn, err := grpc.NewClient(r.addr, grpc.WithTransportCredentials(creds),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(bankfile.MaxFileBytes), grpc.MaxCallSendMsgSize(bankfile.MaxFileBytes),
			// Banks are text: gzip shrinks an export or import about fourfold.
			grpc.UseCompressor(gzip.Name)))
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

var stateNames = map[string]qbank.State{
	"": "", "all": "", "active": qbank.StateActive, "draft": qbank.StateDraft, "retired": qbank.StateRetired,
}

func exportCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, cfg, _ := flags("export", stderr)
	format := fs.String("format", "json", "json, yaml or pdf")
	role := fs.String("role", "", "only this role's questions (a PDF: the role's interview kit)")
	collection := fs.String("collection", "", "only this collection's questions, e.g. layersrank-50 (the published bank)")
	state := fs.String("state", "", "only questions in this state: active, draft or retired (default all; the PDF takes active)")
	out := fs.String("o", "", "output file, written whole or not at all, mode 0600 (default stdout)")
	var remote remoteFlags
	remote.bind(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	st, ok := stateNames[*state]
	if !ok {
		return fmt.Errorf("--state %q: want active, draft, retired or all", *state)
	}
	f := bankfile.Format(*format)
	switch f {
	case bankfile.JSON, bankfile.YAML:
	case bankfile.PDF:
		if *state == "" {
			st = qbank.StateActive
		}
	default:
		return fmt.Errorf("--format %q: want json, yaml or pdf", *format)
	}
	filter := bankfile.Filter{Role: *role, Collection: *collection, State: st}
	export := func(w io.Writer) error {
		sink, err := bankfile.NewSink(w, f)
		if err != nil {
			return err
		}
		if remote.addr != "" {
			err = exportRemote(ctx, remote, filter, sink)
		} else {
			err = exportLocal(ctx, *cfg, filter, sink)
		}
		if err != nil {
			return err
		}
		if err := sink.Close(); err != nil {
			return fmt.Errorf("write export: %w", err)
		}
		return nil
	}
	return writeOutput(*out, stdout, stderr, export)
}

// writeOutput runs write into the file named out, whole or not at all, or
// into stdout when out is empty.
func writeOutput(out string, stdout, stderr io.Writer, write func(io.Writer) error) error {
	if out == "" {
		return write(stdout)
	}
	if err := bankfile.WriteFile(out, write); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "wrote %s\n", out)
	return nil
}

// exportRemote receives an export over gRPC: the server selects, this side
// only writes, from the same domain questions the server holds.
func exportRemote(ctx context.Context, remote remoteFlags, f bankfile.Filter, sink bankfile.Sink) error {
	client, ctx, closeConn, err := remote.dial(ctx)
	if err != nil {
		return err
	}
	defer closeConn()
	stream, err := client.ExportQuestionBank(ctx, &pb.ExportQuestionBankRequest{
		Role: f.Role, Collection: f.Collection, State: protoconv.StateToProto[f.State]})
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	header := false
	for {
		msg, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			if !header {
				return errors.New("export: the server sent no header")
			}
			return nil
		}
		if err != nil {
			return fmt.Errorf("export: %w", err)
		}
		if h := msg.GetHeader(); h != nil {
			header = true
			err = sink.Header(bankfile.FromHeader(h))
		} else {
			q := protoconv.StoredQuestionFromProto(msg.GetQuestion())
			err = sink.Question(&q)
		}
		if err != nil {
			return err
		}
	}
}

// exportLocal streams straight from the store, one row at a time, through
// the same selection the server makes.
func exportLocal(ctx context.Context, cfg storeopen.Config, f bankfile.Filter, sink bankfile.Sink) error {
	store, err := storeopen.Open(ctx, cfg)
	if err != nil {
		return err
	}
	defer store.Close()
	tax, err := store.Taxonomy(ctx)
	if err != nil {
		return err
	}
	rev, err := store.Revision(ctx)
	if err != nil {
		return err
	}
	e, err := bankfile.Select(&tax, rev, f, repository.Now())
	if err != nil {
		return err
	}
	return bankfile.Run(e, func(yield func(*qbank.Question) error) error {
		return store.EachQuestion(ctx, func(q qbank.Question) error { return yield(&q) })
	}, sink)
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
	} else {
		report, err := importLocal(ctx, *cfg, req)
		if err != nil {
			return err
		}
		resp = server.ImportResponse(report)
	}
	verb := "imported"
	if resp.GetValidateOnly() {
		verb = "would import (dry run, nothing written)"
	}
	fmt.Fprintf(stdout, "%s %d questions: %d created, %d updated, %d unchanged; bank revision %d\n",
		verb, len(resp.GetResults()), resp.GetCreatedCount(), resp.GetUpdatedCount(), resp.GetUnchangedCount(), resp.GetBankRevision())
	return nil
}

// importLocal imports straight into the store, through the same import the
// server runs. A store with no taxonomy yet gets the seed's taxonomy and
// default templates but not its questions, so an export imported into a
// fresh store reproduces that bank exactly.
func importLocal(ctx context.Context, cfg storeopen.Config, req *pb.ImportQuestionsRequest) (importer.Report, error) {
	store, err := storeopen.Open(ctx, cfg)
	if err != nil {
		return importer.Report{}, err
	}
	defer store.Close()
	bank, err := seed.Load()
	if err != nil {
		return importer.Report{}, err
	}
	if _, err := seed.Apply(ctx, store, &seed.Bank{Taxonomy: bank.Taxonomy, Templates: bank.Templates}); err != nil {
		return importer.Report{}, err
	}
	contents, err := store.Load(ctx)
	if err != nil {
		return importer.Report{}, err
	}
	byID := make(map[string]qbank.Question, len(contents.Questions))
	for _, q := range contents.Questions {
		byID[q.ID] = q
	}
	items := make([]qbank.Question, len(req.GetQuestions()))
	for i, q := range req.GetQuestions() {
		items[i] = protoconv.QuestionFromProto(q)
	}
	current := func(id string) (qbank.Question, bool) { q, ok := byID[id]; return q, ok }
	return importer.Run(ctx, store, importer.Bank{Taxonomy: contents.Taxonomy, Current: current, Revision: contents.Revision},
		items, req.GetValidateOnly(), qbank.Change{Author: cliAuthor(), Note: "qbank import"})
}

// cliAuthor names direct-to-store writes after the OS user, for the audit trail.
func cliAuthor() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return "cli:" + u.Username
	}
	return "cli"
}
