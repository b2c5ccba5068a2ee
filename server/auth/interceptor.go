package auth

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/tap"

	"github.com/layersrank/qbank"
	"github.com/layersrank/qbank/server/apierr"
)

// Policy says which role each full gRPC method name needs. Methods it does
// not list need admin: a new RPC is closed until someone opens it.
type Policy struct {
	// Public method prefixes need no token (health, reflection).
	Public []string
	// Reader lists the methods a reader may call.
	Reader map[string]bool
}

func (p Policy) need(method string) (Role, bool) {
	for _, prefix := range p.Public {
		if strings.HasPrefix(method, prefix) {
			return "", true
		}
	}
	if p.Reader[method] {
		return RoleReader, false
	}
	return RoleAdmin, false
}

// Authenticator checks calls against a keyring and a policy.
type Authenticator struct {
	Keys   *Keyring
	Policy Policy
	Log    *slog.Logger
	// Limit, when set, rate-limits each token; a refused call gets
	// ResourceExhausted with a RetryInfo saying when to try again.
	Limit *RateLimiter
	// Anon, when set, rate-limits calls without a valid token per client
	// address: open methods and failed authentications.
	Anon *AnonLimiter
	// Authenticated, when set, is told the peer of each call a token
	// admitted, before its payload is read (the gRPC listener lifts its
	// anonymous byte budget for that connection).
	Authenticated func(peer net.Addr, p Principal)

	logs sampler
}

// authorizedKey marks a context whose call was admitted at the edge (the
// gRPC tap handle, the HTTP router) for one method, so the interceptors do
// not check (nor rate-limit) it twice.
type authorizedKey struct{}

func withAuthorized(ctx context.Context, method string) context.Context {
	return context.WithValue(ctx, authorizedKey{}, method)
}

func authorizedFor(ctx context.Context, method string) bool {
	m, ok := ctx.Value(authorizedKey{}).(string)
	return ok && m == method
}

func (a *Authenticator) authorize(ctx context.Context, method string) (context.Context, error) {
	if authorizedFor(ctx, method) {
		return ctx, nil
	}
	need, public := a.Policy.need(method)
	if public {
		return ctx, nil
	}
	token, ok := bearer(ctx)
	p, err := a.check(token, ok, method, need, peerAddr(ctx))
	if err != nil {
		return nil, err
	}
	return WithPrincipal(ctx, p), nil
}

// Tap is the gRPC server's InTapHandle: it runs when a call's headers
// arrive, before gRPC reads (or allocates) any of its payload, and refuses
// a call without a valid token for its method, with the token's role, and
// over the per-token or per-address limit. So an anonymous client, or a
// reader calling ImportQuestions, never gets a message read; open methods
// (health, reflection) pass, limited per address.
func (a *Authenticator) Tap() tap.ServerInHandle {
	return func(ctx context.Context, info *tap.Info) (context.Context, error) {
		addr := peerAddr(ctx)
		need, public := a.Policy.need(info.FullMethodName)
		var token string
		var ok bool
		for _, v := range info.Header.Get("authorization") {
			if token, ok = parseBearer(v); ok {
				break
			}
		}
		if public {
			// An open method (health, reflection) needs no token, but a
			// known one makes the call its holder's: the holder's rate
			// limit applies instead of the address's, and the connection
			// is trusted as theirs (a client that checks health before
			// its first real call keeps a reader's byte allowance).
			if p, known := a.Keys.Lookup(token); ok && known {
				if err := a.limited(p, info.FullMethodName, addr); err != nil {
					return nil, err
				}
				a.trust(ctx, p)
				return WithPrincipal(ctx, p), nil
			}
			if err := a.anonymous(info.FullMethodName, addr); err != nil {
				return nil, err
			}
			return ctx, nil
		}
		p, err := a.check(token, ok, info.FullMethodName, need, addr)
		if err != nil {
			return nil, err
		}
		a.trust(ctx, p)
		return withAuthorized(WithPrincipal(ctx, p), info.FullMethodName), nil
	}
}

// trust tells the listener that the connection of ctx carries p's calls.
func (a *Authenticator) trust(ctx context.Context, p Principal) {
	if a.Authenticated == nil {
		return
	}
	if pr, ok := peer.FromContext(ctx); ok {
		a.Authenticated(pr.Addr, p)
	}
}

// Open is the need of a plain route that takes no token (health,
// readiness, metrics, the OpenAPI document) for Admit.
const Open Role = "open"

// Admit checks an HTTP request for a route before its body is read. method
// is the gRPC method an API route calls (need "": the Policy says what it
// needs), or a plain route's name with the role it needs (or Open). Open
// routes take no token and are limited per client address. The context
// returned (the request's) carries the principal, and the mark that spares
// the interceptors a second check.
func (a *Authenticator) Admit(r *http.Request, method string, need Role) (context.Context, Principal, error) {
	public := need == Open
	if need == "" {
		need, public = a.Policy.need(method)
	}
	if public {
		return r.Context(), Principal{}, a.anonymous(method, r.RemoteAddr)
	}
	token, ok := parseBearer(r.Header.Get("Authorization"))
	p, err := a.check(token, ok, method, need, r.RemoteAddr)
	if err != nil {
		return nil, Principal{}, err
	}
	return withAuthorized(WithPrincipal(r.Context(), p), method), p, nil
}

// AllowAnonymous takes one call from the client address's anonymous
// allowance (for requests that match no route); the error is
// ResourceExhausted when it is spent.
func (a *Authenticator) AllowAnonymous(method, addr string) error {
	return a.anonymous(method, addr)
}

func (a *Authenticator) anonymous(method, addr string) error {
	ok, wait := a.Anon.Allow(addr)
	if ok {
		return nil
	}
	a.sampled(slog.LevelWarn, "auth: anonymous rate limit exceeded", method, addr)
	return apierr.New(codes.ResourceExhausted, qbank.ReasonRateLimited,
		fmt.Sprintf("too many calls without a token from this address; retry in %v", wait.Round(time.Millisecond)),
		nil, apierr.Retry(wait)).Err()
}

// sampled logs an authentication failure, at most a few a second; never the
// token.
func (a *Authenticator) sampled(level slog.Level, msg, method, addr string, attrs ...any) {
	ok, dropped := a.logs.allow()
	if !ok {
		return
	}
	attrs = append(attrs, "method", method, "client", addr)
	if dropped > 0 {
		attrs = append(attrs, "suppressed", dropped)
	}
	a.Log.Log(context.Background(), level, msg, attrs...)
}

// AuthorizeHTTP checks the bearer token of a plain HTTP route (one that is
// not a gRPC method, such as the PDF download) against the role it needs.
// The error is a gRPC status, which the caller maps to 401 or 403. A request
// the router admitted for route already is not checked again.
func (a *Authenticator) AuthorizeHTTP(r *http.Request, route string, need Role) (Principal, error) {
	if p, ok := FromContext(r.Context()); ok && authorizedFor(r.Context(), route) {
		return p, nil
	}
	token, ok := parseBearer(r.Header.Get("Authorization"))
	return a.check(token, ok, route, need, r.RemoteAddr)
}

// check admits a token for a method. A call without a valid token also
// spends the client address's anonymous allowance, so guessing tokens is
// rate-limited too (then it gets 429 rather than 401).
func (a *Authenticator) check(token string, ok bool, method string, need Role, addr string) (Principal, error) {
	if !ok {
		if err := a.anonymous(method, addr); err != nil {
			return Principal{}, err
		}
		a.sampled(slog.LevelInfo, "auth: rejected call without a bearer token", method, addr)
		return Principal{}, apierr.New(codes.Unauthenticated, qbank.ReasonTokenMissing,
			"missing bearer token: send `authorization: Bearer <token>`", nil).Err()
	}
	p, ok := a.Keys.Lookup(token)
	if !ok {
		if err := a.anonymous(method, addr); err != nil {
			return Principal{}, err
		}
		a.sampled(slog.LevelWarn, "auth: rejected an unknown token", method, addr)
		return Principal{}, apierr.New(codes.Unauthenticated, qbank.ReasonTokenUnknown, "unknown or revoked token", nil).Err()
	}
	if !p.Role.Allows(need) {
		a.sampled(slog.LevelWarn, "auth: permission denied", method, addr, "principal", p.Name, "role", p.Role)
		name := method[strings.LastIndex(method, "/")+1:]
		return Principal{}, apierr.New(codes.PermissionDenied, qbank.ReasonPermissionDenied,
			fmt.Sprintf("%s needs the %s role; token %q is a %s", name, need, p.Name, p.Role),
			map[string]string{"method": name, "requiredRole": string(need), "role": string(p.Role)}).Err()
	}
	if err := a.limited(p, method, addr); err != nil {
		return Principal{}, err
	}
	return p, nil
}

// limited charges a call to p's rate limit: nil when it may go ahead.
func (a *Authenticator) limited(p Principal, method, addr string) error {
	ok, wait := a.Limit.Allow(p.Name)
	if ok {
		return nil
	}
	a.sampled(slog.LevelWarn, "auth: rate limit exceeded", method, addr, "principal", p.Name)
	return apierr.New(codes.ResourceExhausted, qbank.ReasonRateLimited,
		fmt.Sprintf("token %q is over its rate limit; retry in %v", p.Name, wait.Round(time.Millisecond)),
		map[string]string{"principal": p.Name}, apierr.Retry(wait)).Err()
}

// parseBearer reads an Authorization value: "Bearer <token>".
func parseBearer(v string) (string, bool) {
	scheme, token, ok := strings.Cut(v, " ")
	token = strings.TrimSpace(token)
	return token, ok && strings.EqualFold(scheme, "bearer") && token != ""
}

func peerAddr(ctx context.Context) string {
	if p, ok := peer.FromContext(ctx); ok && p.Addr != nil {
		return p.Addr.String()
	}
	return ""
}

func bearer(ctx context.Context) (string, bool) {
	md, _ := metadata.FromIncomingContext(ctx)
	for _, v := range md.Get("authorization") {
		if token, ok := parseBearer(v); ok {
			return token, true
		}
	}
	return "", false
}

// Unary is the unary server interceptor.
func (a *Authenticator) Unary() grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		ctx, err := a.authorize(ctx, info.FullMethod)
		if err != nil {
			return nil, err
		}
		return handler(ctx, req)
	}
}

// Stream is the streaming server interceptor.
func (a *Authenticator) Stream() grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
		ctx, err := a.authorize(ss.Context(), info.FullMethod)
		if err != nil {
			return err
		}
		return handler(srv, &principalStream{ServerStream: ss, ctx: ctx})
	}
}

type principalStream struct {
	grpc.ServerStream
	ctx context.Context
}

func (s *principalStream) Context() context.Context { return s.ctx }
