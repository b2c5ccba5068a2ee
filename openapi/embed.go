// Package openapi embeds the OpenAPI (Swagger 2.0) document generated from
// proto/ by scripts/generate.sh, served by the gateway at /openapi.json.
package openapi

import _ "embed"

// JSON is the OpenAPI document.
//
//go:embed openapi.json
var JSON []byte
