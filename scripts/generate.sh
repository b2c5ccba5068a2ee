#!/usr/bin/env bash
# Regenerates the protobuf, gRPC, gateway and OpenAPI code from proto/ with no
# network but the Go module proxy and the npm registry:
#   - the plugins and buf are built from the versions pinned in go.mod and
#     tools/go.mod;
#   - google/api annotation protos come from a pinned, checksummed npm package
#     unpacked into .cache/ (ignored, never committed).
set -euo pipefail
cd "$(dirname "$0")/.."

proto_files_version=6.0.1
proto_files_sha256=711763f77ea15bbc7436aac53db013b421d2c7b86ae27f4013723970ce54a96e

bin=$PWD/.cache/bin
deps=$PWD/.cache/protodeps
mkdir -p "$bin"

GOBIN=$bin go install \
	google.golang.org/protobuf/cmd/protoc-gen-go \
	google.golang.org/grpc/cmd/protoc-gen-go-grpc \
	github.com/grpc-ecosystem/grpc-gateway/v2/protoc-gen-grpc-gateway \
	github.com/grpc-ecosystem/grpc-gateway/v2/protoc-gen-openapiv2
(cd tools && go build -o "$bin/buf" github.com/bufbuild/buf/cmd/buf)

if [ ! -f "$deps/.version-$proto_files_version" ]; then
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	(cd "$tmp" && npm pack --silent "google-proto-files@$proto_files_version" >/dev/null)
	echo "$proto_files_sha256  $tmp/google-proto-files-$proto_files_version.tgz" | sha256sum --check --quiet
	rm -rf "$deps" && mkdir -p "$deps/google/api"
	tar -xzf "$tmp/google-proto-files-$proto_files_version.tgz" -C "$tmp"
	for f in annotations http field_behavior; do
		cp "$tmp/package/google/api/$f.proto" "$deps/google/api/"
	done
	touch "$deps/.version-$proto_files_version"
fi

"$bin/buf" lint
# Remove what the last run made, so a deleted proto leaves no stale output.
find proto -name '*.pb.go' -o -name '*.pb.gw.go' | xargs -r rm -f
rm -f openapi/openapi.json
"$bin/buf" generate
# openapiv2 names its output after the merge file; add the routes that are
# not gRPC methods and the headers and errors every route has, and serve the
# result as openapi.json.
go run ./openapi/internal/finish openapi/qbank.swagger.json openapi/routes.json openapi/openapi.json
rm openapi/qbank.swagger.json
