// Package openapi embeds the OpenAPI (Swagger 2.0) document generated from
// proto/ by scripts/generate.sh, served by the gateway at /openapi.json.
package openapi

import (
	_ "embed"
	"encoding/json"
)

// JSON is the OpenAPI document as generated.
//
//go:embed openapi.json
var JSON []byte

// WithVersion returns the document with info.version set to a build's
// version (the generated document says "dev"), so a client can tell which
// build it describes.
func WithVersion(version string) []byte {
	if version == "" {
		return JSON
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(JSON, &doc); err != nil {
		return JSON
	}
	var info map[string]json.RawMessage
	if err := json.Unmarshal(doc["info"], &info); err != nil {
		return JSON
	}
	info["version"], _ = json.Marshal(version)
	doc["info"], _ = json.Marshal(info)
	out, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return JSON
	}
	return out
}
