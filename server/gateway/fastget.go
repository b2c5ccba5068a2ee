package gateway

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/status"

	pb "github.com/layersrank/qbank/proto/layersrank/questionbank/v1"
	"github.com/layersrank/qbank/server/apierr"
)

// callContext is the context of an in-process call made by a hand-written
// route: the caller's token and user agent as incoming metadata (all the
// interceptors read), and errors naming fields by their JSON paths.
func callContext(r *http.Request) context.Context {
	md := metadata.MD{}
	if v := r.Header.Values("Authorization"); len(v) > 0 {
		md["authorization"] = v
	}
	if ua := r.Header.Get("User-Agent"); ua != "" {
		md["user-agent"] = []string{ua}
	}
	// The client's address, as a gRPC peer: the interceptors charge a
	// failed authentication to it.
	ctx := peer.NewContext(r.Context(), &peer.Peer{Addr: remoteAddr(r.RemoteAddr)})
	return apierr.WithJSONPaths(metadata.NewIncomingContext(ctx, md))
}

// remoteAddr is an HTTP client's address as a net.Addr.
type remoteAddr string

func (a remoteAddr) Network() string { return "tcp" }
func (a remoteAddr) String() string  { return string(a) }

// getQuestion serves GET /v1/questions/{id}, the hottest route, without
// grpc-gateway's generic plumbing (route matching again, copying every
// header into metadata, marshaler negotiation): it calls GetQuestion in
// process through the same interceptor chain as every other call (so
// auth, rate limits, metrics and the access log behave the same), then
// writes the question's cached JSON with its ETag, or 304 when the client
// already has it.
func (g *gateway) getQuestion(w http.ResponseWriter, r *http.Request) {
	path := r.URL.EscapedPath()
	id, err := url.PathUnescape(path[strings.LastIndexByte(path, '/')+1:])
	if err != nil {
		id = path[strings.LastIndexByte(path, '/')+1:]
	}
	req := &pb.GetQuestionRequest{}
	if r.URL.RawQuery != "" {
		if err := runtime.PopulateQueryParameters(req, r.URL.Query(), noFilter); err != nil {
			WriteStatus(w, r, parseError(r.WithContext(context.WithValue(r.Context(), routeKey{}, g.getRoute)), err.Error()))
			return
		}
	}
	req.Id = id
	resp, err := g.svc.GetQuestion(callContext(r), req)
	if err != nil {
		WriteStatus(w, r, status.Convert(err))
		return
	}
	q := resp.GetQuestion()
	body, err := g.json.Marshal(q)
	if err != nil {
		WriteStatus(w, r, status.Convert(err))
		return
	}
	etag := QuestionETag(q)
	h := w.Header()
	h.Set("ETag", etag)
	if etagMatches(r.Header.Get("If-None-Match"), etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Type", "application/json")
	_, _ = w.Write(body)
}
