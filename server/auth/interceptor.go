package auth

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"

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
}

func (a *Authenticator) authorize(ctx context.Context, method string) (context.Context, error) {
	need, public := a.Policy.need(method)
	if public {
		return ctx, nil
	}
	token, ok := bearer(ctx)
	p, err := a.check(token, ok, method, need)
	if err != nil {
		return nil, err
	}
	return WithPrincipal(ctx, p), nil
}

// AuthorizeHTTP checks the bearer token of a plain HTTP route (one that is
// not a gRPC method, such as the PDF download) against the role it needs.
// The error is a gRPC status, which the caller maps to 401 or 403.
func (a *Authenticator) AuthorizeHTTP(r *http.Request, route string, need Role) (Principal, error) {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	ok = ok && strings.EqualFold(scheme, "bearer") && strings.TrimSpace(token) != ""
	return a.check(strings.TrimSpace(token), ok, route, need)
}

func (a *Authenticator) check(token string, ok bool, method string, need Role) (Principal, error) {
	if !ok {
		a.Log.Info("auth: rejected call without a bearer token", "method", method)
		return Principal{}, apierr.New(codes.Unauthenticated, qbank.ReasonTokenMissing,
			"missing bearer token: send `authorization: Bearer <token>`", nil).Err()
	}
	p, ok := a.Keys.Lookup(token)
	if !ok {
		a.Log.Warn("auth: rejected an unknown token", "method", method)
		return Principal{}, apierr.New(codes.Unauthenticated, qbank.ReasonTokenUnknown, "unknown or revoked token", nil).Err()
	}
	if !p.Role.Allows(need) {
		a.Log.Warn("auth: permission denied", "method", method, "principal", p.Name, "role", p.Role)
		name := method[strings.LastIndex(method, "/")+1:]
		return Principal{}, apierr.New(codes.PermissionDenied, qbank.ReasonPermissionDenied,
			fmt.Sprintf("%s needs the %s role; token %q is a %s", name, need, p.Name, p.Role),
			map[string]string{"method": name, "requiredRole": string(need), "role": string(p.Role)}).Err()
	}
	if ok, wait := a.Limit.Allow(p.Name); !ok {
		a.Log.Warn("auth: rate limit exceeded", "method", method, "principal", p.Name)
		return Principal{}, apierr.New(codes.ResourceExhausted, qbank.ReasonRateLimited,
			fmt.Sprintf("token %q is over its rate limit; retry in %v", p.Name, wait.Round(time.Millisecond)),
			map[string]string{"principal": p.Name}, apierr.Retry(wait)).Err()
	}
	return p, nil
}

func bearer(ctx context.Context) (string, bool) {
	md, _ := metadata.FromIncomingContext(ctx)
	for _, v := range md.Get("authorization") {
		scheme, token, ok := strings.Cut(v, " ")
		if ok && strings.EqualFold(scheme, "bearer") && strings.TrimSpace(token) != "" {
			return strings.TrimSpace(token), true
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
