// Package server runs qbank: it opens the store, seeds it, builds the
// catalog, and serves the QuestionBankService over gRPC and, through the
// gateway, over JSON/HTTP.
package server

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"slices"
	"time"

	grpcprom "github.com/grpc-ecosystem/go-grpc-middleware/providers/prometheus"
	"github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/logging"
	"github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/recovery"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"golang.org/x/net/netutil"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	_ "google.golang.org/grpc/encoding/gzip" // gRPC clients may compress (grpc-js, grpcurl): accept and answer in kind
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/keepalive"
	"google.golang.org/grpc/reflection"

	"github.com/layersrank/qbank/bankfile"
	"github.com/layersrank/qbank/catalog"
	"github.com/layersrank/qbank/console"
	"github.com/layersrank/qbank/internal/storeopen"
	pb "github.com/layersrank/qbank/proto/layersrank/questionbank/v1"
	"github.com/layersrank/qbank/repository"
	"github.com/layersrank/qbank/seed"
	"github.com/layersrank/qbank/server/auth"
	"github.com/layersrank/qbank/server/gateway"
	"github.com/layersrank/qbank/server/transport"
)

// Server is a running qbank: both listeners, the store and the catalog.
type Server struct {
	cfg     Config
	log     *slog.Logger
	store   repository.Store
	catalog *catalog.Catalog
	health  *health.Server
	grpc    *grpc.Server
	http    *http.Server

	grpcLis, httpLis net.Listener
	// grpcBudget is the gRPC listener's byte budget by trust level (under
	// the connection cap), raised by the tap handle.
	grpcBudget *transport.BudgetListener
	tls        *tls.Config // nil: plaintext
	stopWatch  context.CancelFunc
	done       chan struct{}
}

// New opens and seeds the store, loads the catalog and binds both listeners;
// Serve starts answering.
func New(ctx context.Context, cfg Config) (*Server, error) {
	cfg = cfg.withDefaults()
	keys, err := cfg.keyring(cfg.Logger)
	if err != nil {
		return nil, err
	}
	store, err := storeopen.Open(ctx, cfg.storeConfig())
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, log: cfg.Logger, store: store, done: make(chan struct{})}
	if s.tls, err = cfg.tlsConfig(); err != nil {
		store.Close()
		return nil, err
	}
	if err := s.init(ctx, keys); err != nil {
		store.Close()
		return nil, err
	}
	return s, nil
}

// init builds everything between the store and the listeners, in order.
func (s *Server) init(ctx context.Context, keys *auth.Keyring) error {
	if err := s.applySeed(ctx); err != nil {
		return err
	}
	var err error
	if s.catalog, err = catalog.New(ctx, s.store, s.log); err != nil {
		return err
	}
	reg, metrics := newMetrics()
	authn := s.authenticator(keys)
	chain := s.interceptors(authn, metrics)
	svc := NewService(s.store, s.catalog, s.log)
	s.grpcServer(svc, chain, metrics, authn)
	if err := s.listen(); err != nil {
		return err
	}
	if err := s.gateway(ctx, svc, chain, reg, authn); err != nil {
		s.grpcLis.Close()
		s.httpLis.Close()
		return err
	}
	return nil
}

// applySeed writes the embedded seed to the store (idempotent: see seed.Apply).
func (s *Server) applySeed(ctx context.Context) error {
	bank, err := seed.Load()
	if err != nil {
		return err
	}
	res, err := seed.Apply(ctx, s.store, bank)
	if err != nil {
		return err
	}
	res.Log(ctx, s.log)
	return nil
}

// newMetrics returns the registry /metrics serves, with the Go and process
// collectors and the gRPC server metrics (which count gateway calls too).
func newMetrics() (*prometheus.Registry, *grpcprom.ServerMetrics) {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	metrics := grpcprom.NewServerMetrics(grpcprom.WithServerHandlingTimeHistogram())
	reg.MustRegister(metrics)
	return reg, metrics
}

// authenticator checks tokens against keys and the Policy, with the
// per-token rate limit when one is configured.
func (s *Server) authenticator(keys *auth.Keyring) *auth.Authenticator {
	authn := &auth.Authenticator{Keys: keys, Policy: Policy(), Log: s.log}
	if s.cfg.RateLimit > 0 {
		authn.Limit = auth.NewRateLimiter(s.cfg.RateLimit, int(2*s.cfg.RateLimit))
	}
	if s.cfg.AnonRateLimit > 0 {
		authn.Anon = auth.NewAnonLimiter(s.cfg.AnonRateLimit, max(1, int(2*s.cfg.AnonRateLimit)), auth.DefaultAnonEntries)
	}
	authn.Authenticated = func(peer net.Addr, p auth.Principal) {
		if s.grpcBudget == nil {
			return
		}
		t := transport.TrustReader
		if p.Role == auth.RoleAdmin {
			t = transport.TrustAdmin
		}
		s.grpcBudget.Raise(peer, t)
	}
	return authn
}

// chain is the interceptors every call runs through, outermost first: over
// gRPC, and (unary) in process from the gateway.
type chain struct {
	unary  []grpc.UnaryServerInterceptor
	stream []grpc.StreamServerInterceptor
}

// interceptors builds the chain: metrics, authentication, the access log,
// domain errors to statuses, panic recovery.
func (s *Server) interceptors(authn *auth.Authenticator, metrics *grpcprom.ServerMetrics) chain {
	accessLog := logging.LoggerFunc(func(ctx context.Context, lvl logging.Level, msg string, fields ...any) {
		s.log.Log(ctx, slog.Level(lvl), msg, boundFields(fields)...)
	})
	principal := logging.WithFieldsFromContext(func(ctx context.Context) logging.Fields {
		if p, ok := auth.FromContext(ctx); ok {
			return logging.Fields{"principal", p.Name}
		}
		return nil
	})
	// Only the finish of each call is logged, with its code and duration;
	// payloads never are (they hold question text).
	logOpts := []logging.Option{logging.WithLogOnEvents(logging.FinishCall), principal}
	// Successful reads are the bulk of the traffic (thousands for every
	// edit) and formatting a log line is a large share of a cached read's
	// cost, so they are logged at debug; writes, failures and everything
	// else at info and above.
	readOpts := append(slices.Clone(logOpts), logging.WithLevels(func(c codes.Code) logging.Level {
		if c == codes.OK {
			return logging.LevelDebug
		}
		return logging.DefaultServerCodeToLevel(c)
	}))
	readers := authn.Policy.Reader
	logReads := logging.UnaryServerInterceptor(accessLog, readOpts...)
	logOthers := logging.UnaryServerInterceptor(accessLog, logOpts...)
	logUnary := func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		if !readers[info.FullMethod] {
			return logOthers(ctx, req, info, handler)
		}
		if s.log.Enabled(ctx, slog.LevelDebug) {
			return logReads(ctx, req, info, handler)
		}
		// A successful read would be logged at debug, which is off: skip
		// building a line nobody writes (it costs a cached read more than
		// the read). A failed read is logged as usual, with its duration.
		start := time.Now()
		resp, err := handler(ctx, req)
		if err == nil {
			return resp, nil
		}
		took := time.Since(start)
		failed := logging.UnaryServerInterceptor(accessLog, append(slices.Clone(readOpts),
			logging.WithDurationField(func(time.Duration) logging.Fields { return logging.DurationToTimeMillisFields(took) }))...)
		return failed(ctx, req, info, func(context.Context, any) (any, error) { return resp, err })
	}
	recoverOpt := recovery.WithRecoveryHandlerContext(func(ctx context.Context, p any) error {
		s.log.ErrorContext(ctx, "panic in handler", "panic", p, "stack", string(debug.Stack()))
		return internalError()
	})
	return chain{
		unary: []grpc.UnaryServerInterceptor{
			forgetUndecodable,
			metrics.UnaryServerInterceptor(),
			authn.Unary(),
			logUnary,
			s.errorsUnary(),
			recovery.UnaryServerInterceptor(recoverOpt),
		},
		stream: []grpc.StreamServerInterceptor{
			metrics.StreamServerInterceptor(),
			authn.Stream(),
			logging.StreamServerInterceptor(accessLog, logOpts...),
			s.errorsStream(),
			recovery.StreamServerInterceptor(recoverOpt),
		},
	}
}

// grpcServer registers the service, health and reflection on a gRPC server
// that runs every call through the chain.
//
// gRPC's receive limit is one number for the whole server, checked before a
// message is read. It is the import's (a whole bank), and the other
// methods are kept small another way: the tap handle admits a call (token,
// role, rate limits) when its headers arrive, before any of its payload is
// read, so only an admin's call can ever have an import-sized message read;
// and the gRPC listener's byte budget (see transport.Budget) closes an
// anonymous or reader connection that sends more than a few MiB at once,
// which bounds a large message on the open methods or a reader's.
func (s *Server) grpcServer(svc *Service, c chain, metrics *grpcprom.ServerMetrics, authn *auth.Authenticator) {
	opts := []grpc.ServerOption{
		grpc.MaxRecvMsgSize(bankfile.MaxFileBytes), // an admin's import carries a whole bank
		grpc.InTapHandle(authn.Tap()),
		grpc.ForceServerCodecV2(newRequestCodec()), // undecodable requests reach the chain (decode.go)
		grpc.MaxConcurrentStreams(s.cfg.MaxStreams),
		// Clients may ping to keep a connection up, not more often than
		// every 10 s (a flood of pings is a cheap attack); the server pings
		// a quiet one after a minute and drops it if no answer comes.
		grpc.KeepaliveEnforcementPolicy(keepalive.EnforcementPolicy{MinTime: 10 * time.Second, PermitWithoutStream: true}),
		grpc.KeepaliveParams(keepalive.ServerParameters{
			MaxConnectionIdle: s.cfg.IdleTimeout,
			// Connections are recycled every half hour, so load spreads over
			// new replicas; calls in flight get the grace to finish (a whole
			// export or import).
			MaxConnectionAge:      30 * time.Minute,
			MaxConnectionAgeGrace: s.cfg.ImportReadTimeout,
			Time:                  time.Minute,
			Timeout:               20 * time.Second,
		}),
		grpc.ChainUnaryInterceptor(c.unary...),
		grpc.ChainStreamInterceptor(c.stream...),
	}
	if s.tls != nil {
		opts = append(opts, grpc.Creds(credentials.NewTLS(s.tls)))
	}
	s.grpc = grpc.NewServer(opts...)
	pb.RegisterQuestionBankServiceServer(s.grpc, svc)
	s.health = health.NewServer()
	healthpb.RegisterHealthServer(s.grpc, s.health)
	reflection.Register(s.grpc)
	metrics.InitializeMetrics(s.grpc)
}

// listen binds both listeners, so a port conflict fails start-up. Each
// accepts at most MaxConns connections at once (more wait in the kernel's
// backlog); gRPC connections carry the byte budget of their trust.
func (s *Server) listen() error {
	grpcLis, err := net.Listen("tcp", s.cfg.GRPCAddr)
	if err != nil {
		return fmt.Errorf("listen gRPC on %s: %w", s.cfg.GRPCAddr, err)
	}
	httpLis, err := net.Listen("tcp", s.cfg.HTTPAddr)
	if err != nil {
		grpcLis.Close()
		return fmt.Errorf("listen HTTP on %s: %w", s.cfg.HTTPAddr, err)
	}
	s.grpcBudget = transport.NewBudgetListener(netutil.LimitListener(grpcLis, s.cfg.MaxConns), transport.DefaultAnonymousBudget, transport.DefaultReaderBudget)
	s.grpcLis = s.grpcBudget
	s.httpLis = netutil.LimitListener(httpLis, s.cfg.MaxConns)
	if s.tls == nil {
		for name, l := range map[string]net.Listener{"grpc": grpcLis, "http": httpLis} {
			if !transport.Loopback(l.Addr()) {
				s.log.Warn("listening off loopback without TLS: tokens and questions cross the network in clear; set --tls-cert and --tls-key, or keep qbank behind a proxy or mesh that terminates TLS",
					"listener", name, "addr", l.Addr().String())
			}
		}
	}
	return nil
}

// gateway builds the HTTP server: the JSON gateway calling svc in process
// through the unary chain, and the routes outside gRPC (health, readiness,
// metrics, the PDFs).
func (s *Server) gateway(ctx context.Context, svc *Service, c chain, reg *prometheus.Registry, authn *auth.Authenticator) error {
	docs := newDocuments(svc, authn, s.log)
	inproc := &inProcess{svc: svc, chain: chainUnary(c.unary), stream: chainStream(c.stream)}
	handler, err := gateway.New(ctx, gateway.Options{
		Service:     inproc,
		Export:      inproc.Export,
		CORSOrigins: s.cfg.CORSOrigins,
		Version:     s.cfg.Version,
		Ready:       s.ready,
		Metrics:     promhttp.HandlerFor(reg, promhttp.HandlerOpts{}),
		PDF:         instrumentHTTP(reg, "question_bank_pdf", docs.bankHandler()),
		Kit:         instrumentHTTP(reg, "interview_kit_pdf", docs.kitHandler()),
		Log:         s.log,
		SharedJSON:  svc.sharedJSON,
		Auth:        authn,
		// An admin's import may take its time to upload; the export stream
		// renews its write deadline per write.
		ImportReadTimeout: s.cfg.ImportReadTimeout,
		WriteTimeout:      s.cfg.WriteTimeout,
	})
	if err != nil {
		return err
	}
	// The curation console answers /console/ itself; everything else is the gateway's.
	s.http = &http.Server{
		Handler:           console.Mount(handler),
		ReadHeaderTimeout: min(10*time.Second, s.cfg.ReadTimeout),
		ReadTimeout:       s.cfg.ReadTimeout,
		WriteTimeout:      s.cfg.WriteTimeout,
		IdleTimeout:       s.cfg.IdleTimeout,
		MaxHeaderBytes:    64 << 10,
		TLSConfig:         s.tls,
		// net/http's own complaints (TLS handshakes, bad requests) are log
		// lines like any other.
		ErrorLog: slog.NewLogLogger(s.log.With("component", "http").Handler(), slog.LevelInfo),
	}
	return nil
}

// Policy is who may call what: readers read and assemble; every other
// QuestionBankService method needs admin; health and reflection are open.
func Policy() auth.Policy {
	reader := map[string]bool{}
	for _, m := range []string{"ListQuestions", "GetQuestion", "BatchGetQuestions", "ListQuestionVersions", "GetTaxonomy",
		"AssembleAssessment", "AnalyzeExposure", "ListTemplates", "GetTemplate", "ExportQuestionBank"} {
		reader[pb.QuestionBankService_ServiceDesc.ServiceName+"/"+m] = true
		reader["/"+pb.QuestionBankService_ServiceDesc.ServiceName+"/"+m] = true
	}
	return auth.Policy{
		Public: []string{"/grpc.health.v1.Health/", "/grpc.reflection.v1.ServerReflection/", "/grpc.reflection.v1alpha.ServerReflection/"},
		Reader: reader,
	}
}

// GRPCAddr is the bound gRPC address (useful with port 0).
func (s *Server) GRPCAddr() string { return s.grpcLis.Addr().String() }

// HTTPAddr is the bound HTTP address.
func (s *Server) HTTPAddr() string { return s.httpLis.Addr().String() }

// Store is the server's store.
func (s *Server) Store() repository.Store { return s.store }

// Serve answers calls until Shutdown; it returns once both listeners stop.
func (s *Server) Serve() error {
	watchCtx, cancel := context.WithCancel(context.Background())
	s.stopWatch = cancel
	go s.catalog.Watch(watchCtx, s.cfg.RefreshInterval)
	s.health.SetServingStatus("", healthpb.HealthCheckResponse_SERVING)
	s.health.SetServingStatus(pb.QuestionBankService_ServiceDesc.ServiceName, healthpb.HealthCheckResponse_SERVING)
	s.log.Info("serving", "grpc", s.GRPCAddr(), "http", s.HTTPAddr(), "store", s.cfg.storeConfig().Engine(), "revision", s.catalog.Snapshot().Revision)

	errc := make(chan error, 2)
	go func() { errc <- s.grpc.Serve(s.grpcLis) }()
	go func() {
		var err error
		if s.tls != nil {
			err = s.http.ServeTLS(s.httpLis, "", "") // the certificate is in TLSConfig
		} else {
			err = s.http.Serve(s.httpLis)
		}
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		errc <- err
	}()
	err := errors.Join(<-errc, <-errc)
	close(s.done)
	return err
}

// Shutdown stops taking calls, lets in-flight ones finish until ctx ends,
// then closes the connections still open (a client trickling a body or
// reading an export slowly does not hold the process up), and closes the
// store. Running out of drain time is not an error: the stragglers are cut,
// as they would be by a restart.
func (s *Server) Shutdown(ctx context.Context) error {
	s.health.Shutdown() // tell load balancers first
	if s.stopWatch != nil {
		s.stopWatch()
	}
	// Both drain at once, against the same deadline.
	stopped := make(chan struct{})
	go func() { s.grpc.GracefulStop(); close(stopped) }()
	var httpErr error
	if err := s.http.Shutdown(ctx); err != nil {
		if !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, context.Canceled) {
			httpErr = err
		}
		s.log.Warn("shutdown: drain time is up; closing the HTTP connections still open")
		if err := s.http.Close(); err != nil {
			httpErr = errors.Join(httpErr, err)
		}
	}
	select {
	case <-stopped:
	case <-ctx.Done():
		s.log.Warn("shutdown: drain time is up; closing the gRPC connections still open")
		s.grpc.Stop()
		<-stopped
	}
	if s.stopWatch != nil {
		<-s.done
	}
	return errors.Join(httpErr, s.store.Close())
}

// ready is /readyz: the store answers and a snapshot is loaded.
func (s *Server) ready(ctx context.Context) error {
	if err := s.store.Ping(ctx); err != nil {
		return fmt.Errorf("store unreachable: %w", err)
	}
	return nil
}

// errorsUnary turns domain errors into gRPC statuses in one place.
func (s *Server) errorsUnary() grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		if err := decodeFailure(req); err != nil {
			return nil, err
		}
		resp, err := handler(ctx, req)
		if err != nil {
			return nil, toStatus(ctx, s.log, info.FullMethod, err)
		}
		return resp, nil
	}
}

func (s *Server) errorsStream() grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
		return toStatus(ss.Context(), s.log, info.FullMethod, handler(srv, decodedStream{ss}))
	}
}

// instrumentHTTP counts and times a plain HTTP route the gRPC metrics do
// not see.
func instrumentHTTP(reg prometheus.Registerer, route string, h http.Handler) http.Handler {
	requests := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "qbank_http_requests_total", Help: "HTTP requests to routes outside the gRPC gateway.",
		ConstLabels: prometheus.Labels{"route": route},
	}, []string{"code"})
	duration := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "qbank_http_request_duration_seconds", Help: "Latency of HTTP routes outside the gRPC gateway.",
		ConstLabels: prometheus.Labels{"route": route},
	}, []string{"code"})
	reg.MustRegister(requests, duration)
	return promhttp.InstrumentHandlerDuration(duration, promhttp.InstrumentHandlerCounter(requests, h))
}
