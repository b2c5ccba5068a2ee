// Command finish completes the OpenAPI document protoc-gen-openapiv2 made
// from the proto (scripts/generate.sh runs it): it adds the routes that are
// not gRPC methods (openapi/routes.json), the error responses and response
// headers every route has, and relaxes what the generator cannot express.
//
//	go run ./openapi/internal/finish GENERATED ROUTES OUT
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
)

type object = map[string]any

func main() {
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: finish GENERATED ROUTES OUT")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Args[2], os.Args[3]); err != nil {
		fmt.Fprintln(os.Stderr, "finish:", err)
		os.Exit(1)
	}
}

func read(path string) (object, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var doc object
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return doc, nil
}

func run(generated, routes, out string) error {
	doc, err := read(generated)
	if err != nil {
		return err
	}
	extra, err := read(routes)
	if err != nil {
		return err
	}
	paths, defs := doc["paths"].(object), doc["definitions"].(object)
	// The generator answers every error with the file's responses; the
	// routes added here get the ones that apply to them.
	errorsOf := doc["paths"].(object)["/v1/questions"].(object)["get"].(object)["responses"].(object)
	for path, item := range extra["paths"].(object) {
		if _, dup := paths[path]; dup {
			return fmt.Errorf("%s is generated already", path)
		}
		for _, op := range item.(object) {
			responses := op.(object)["responses"].(object)
			public := op.(object)["security"] != nil
			for code, resp := range errorsOf {
				if code == "200" || (public && (code == "401" || code == "403" || code == "429" || code == "409")) {
					continue
				}
				if _, set := responses[code]; !set {
					responses[code] = resp
				}
			}
		}
		paths[path] = item
	}
	for name, def := range extra["definitions"].(object) {
		defs[name] = def
	}
	tags, _ := doc["tags"].([]any)
	doc["tags"] = append(tags, extra["tags"].([]any)...)

	// Question and Template serve as create bodies, update bodies (with a
	// mask, any subset of fields) and list items in the lean BASIC view, so
	// no field is required in every use: the proto's REQUIRED (needed on
	// create) is documented in each field's description instead.
	for _, name := range []string{"v1Question", "v1Template"} {
		def := defs[name].(object)
		required, _ := def["required"].([]any)
		props := def["properties"].(object)
		for _, f := range required {
			p := props[f.(string)].(object)
			desc, _ := p["description"].(string)
			p["description"] = strings.TrimSpace(desc + " Required on create.")
		}
		delete(def, "required")
	}
	addHeaders(paths)
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(out, append(b, '\n'), 0o644)
}

// addHeaders documents the response headers clients rely on.
func addHeaders(paths object) {
	str := func(desc string) object { return object{"type": "string", "description": desc} }
	for path, item := range paths {
		for method, op := range item.(object) {
			responses := op.(object)["responses"].(object)
			set := func(code, header, desc string) {
				if r, ok := responses[code].(object); ok {
					h, _ := r["headers"].(object)
					if h == nil {
						h = object{}
					}
					h[header] = str(desc)
					r["headers"] = h
				}
			}
			set("401", "WWW-Authenticate", `The RFC 6750 challenge: Bearer realm="qbank" (no token) or with error="invalid_token".`)
			set("429", "Retry-After", "Seconds to wait before retrying.")
			set("503", "Retry-After", "Seconds to wait before retrying.")
			single := slices.Contains([]string{"/v1/questions/{id}", "/v1/templates/{id}", "/v1/questions/{id}:retire", "/v1/questions/{id}:restore"}, path)
			if single && method != "delete" {
				set("200", "ETag", "The resource's strong validator; send it as If-None-Match or If-Match.")
			}
			if method == "post" && (path == "/v1/questions" || path == "/v1/templates") {
				set("200", "ETag", "The new resource's strong validator.")
				set("200", "Location", "The new resource's path.")
			}
		}
	}
}
