package gateway

import (
	"context"
	"net/http"
	"slices"
	"strings"

	"github.com/grpc-ecosystem/grpc-gateway/v2/utilities"
	"google.golang.org/genproto/googleapis/api/annotations"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/layersrank/qbank"
	pb "github.com/layersrank/qbank/proto/layersrank/questionbank/v1"
	"github.com/layersrank/qbank/server/apierr"
	"github.com/layersrank/qbank/server/auth"
)

// Route is one HTTP route: a method and a path template in the
// google.api.http syntax ("/v1/questions/{id}:retire"; a variable is one
// whole path segment).
type Route struct {
	Method  string
	Path    string
	Handler http.Handler

	// RPC is the gRPC method an API route calls; nil for plain routes.
	RPC protoreflect.MethodDescriptor
	// Body is the http rule's body: "" (none), "*" or a request field.
	Body string
	// Need is the role a plain route needs (auth.Open for none; default
	// reader); API routes take theirs from the auth Policy.
	Need auth.Role

	segs []string // literal segments; "" for a variable
	verb string
	// bare routes do without the route in their request's context (it
	// costs a copy of the request on the hottest route).
	bare bool
}

func (rt *Route) compile() {
	path := strings.TrimPrefix(rt.Path, "/")
	if i := strings.LastIndex(path, ":"); i > strings.LastIndex(path, "/") && !strings.HasSuffix(path, "}") {
		path, rt.verb = path[:i], path[i+1:]
	}
	for _, s := range strings.Split(path, "/") {
		if strings.HasPrefix(s, "{") {
			s = ""
		}
		rt.segs = append(rt.segs, s)
	}
}

// matches reports whether the route's template matches a request path split
// into segments. A variable never holds a ':', so "/v1/questions/x:retire"
// names the retire route, not a question called "x:retire".
func (rt *Route) matches(comps []string) bool {
	if len(comps) != len(rt.segs) {
		return false
	}
	last := len(comps) - 1
	for i, c := range comps {
		if i == last {
			if rt.verb != "" {
				var ok bool
				if c, ok = strings.CutSuffix(c, ":"+rt.verb); !ok {
					return false
				}
			} else if rt.segs[i] == "" && strings.Contains(c, ":") {
				return false
			}
		}
		if rt.segs[i] == "" {
			if c == "" {
				return false
			}
		} else if rt.segs[i] != c {
			return false
		}
	}
	return true
}

// apiRoutes are the QuestionBankService's routes, read from the
// google.api.http annotations of its methods, so they cannot drift from the
// generated gateway.
func apiRoutes() []*Route {
	var out []*Route
	methods := pb.File_layersrank_questionbank_v1_questionbank_proto.Services().ByName("QuestionBankService").Methods()
	for i := range methods.Len() {
		m := methods.Get(i)
		rule, _ := proto.GetExtension(m.Options(), annotations.E_Http).(*annotations.HttpRule)
		if rule == nil {
			continue
		}
		rt := &Route{RPC: m, Body: rule.GetBody()}
		switch p := rule.GetPattern().(type) {
		case *annotations.HttpRule_Get:
			rt.Method, rt.Path = http.MethodGet, p.Get
		case *annotations.HttpRule_Post:
			rt.Method, rt.Path = http.MethodPost, p.Post
		case *annotations.HttpRule_Patch:
			rt.Method, rt.Path = http.MethodPatch, p.Patch
		case *annotations.HttpRule_Delete:
			rt.Method, rt.Path = http.MethodDelete, p.Delete
		case *annotations.HttpRule_Put:
			rt.Method, rt.Path = http.MethodPut, p.Put
		default:
			continue
		}
		out = append(out, rt)
	}
	return out
}

// fullMethod is the gRPC name of a route's method ("/pkg.Service/Method").
func (rt *Route) fullMethod() string {
	if rt.RPC == nil {
		return ""
	}
	return "/" + string(rt.RPC.Parent().FullName()) + "/" + string(rt.RPC.Name())
}

// splitPath splits an escaped path into its segments.
func splitPath(path string) []string {
	return strings.Split(strings.TrimPrefix(path, "/"), "/")
}

type routeKey struct{}

func routeFrom(ctx context.Context) *Route {
	rt, _ := ctx.Value(routeKey{}).(*Route)
	return rt
}

// router dispatches to the route whose method and template match; it
// answers what no route does: 404 for an unknown path, 405 with Allow for a
// known path and another method, 204 with Allow for OPTIONS. HEAD is served
// by the GET route (net/http drops the body and keeps the headers).
type router struct {
	routes []*Route
	edge   *edge // nil: no checks before the handlers (they check tokens)
}

func newRouter(routes []*Route, e *edge) *router {
	for _, rt := range routes {
		rt.compile()
	}
	return &router{routes: routes, edge: e}
}

func (rr *router) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	comps := splitPath(r.URL.EscapedPath())
	var allowed []string
	for _, rt := range rr.routes {
		if !rt.matches(comps) {
			continue
		}
		if rt.Method == r.Method || (r.Method == http.MethodHead && rt.Method == http.MethodGet) {
			if r.Method == http.MethodHead {
				r = r.Clone(r.Context())
				r.Method = http.MethodGet
			}
			switch {
			case rt.bare:
			case rr.edge != nil:
				var ok bool
				if r, ok = rr.edge.admit(w, r, rt); !ok {
					return
				}
			default:
				r = r.WithContext(context.WithValue(r.Context(), routeKey{}, rt))
			}
			// A bare route is a GET without a body (the hottest read): its
			// interceptors check the token, and spare it the copies.
			rt.Handler.ServeHTTP(w, r)
			return
		}
		allowed = append(allowed, rt.Method)
		if rt.Method == http.MethodGet {
			allowed = append(allowed, http.MethodHead)
		}
	}
	if !rr.edge.anonymous(w, r) {
		return
	}
	if len(allowed) == 0 {
		refuse(w, r, apierr.New(codes.NotFound, qbank.ReasonRouteNotFound,
			"no route "+r.URL.Path+": see /openapi.json for the API's routes", nil))
		return
	}
	allowed = append(allowed, http.MethodOptions)
	slices.Sort(allowed)
	allow := strings.Join(slices.Compact(allowed), ", ")
	w.Header().Set("Allow", allow)
	if r.Method == http.MethodOptions {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	refuse(w, r, apierr.New(codes.Unimplemented, qbank.ReasonMethodNotAllowed,
		r.Method+" is not allowed on "+r.URL.Path+" (allowed: "+allow+")", map[string]string{"allow": allow}))
}

// noFilter parses every query parameter (no path parameter to protect).
var noFilter = utilities.NewDoubleArray(nil)
