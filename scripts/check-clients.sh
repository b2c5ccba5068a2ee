#!/usr/bin/env bash
# Runs clients and linters nobody on the project wrote against a real qbank
# and its API definition, as its users would: Node's grpc-js (gzip on) with
# proto-loader, grpcurl, grpc-health-probe, Redocly and swagger-cli on the
# OpenAPI document, and api-linter on the protos where it
# is installed (it is not served by the registries this project reaches:
# put a build of it on PATH or in $QBANK_TOOLS_CACHE/bin to include it).
#
# (/metrics goes through Prometheus's own lint, promlint, in the server tests:
# that is what `promtool check metrics` runs, without building Prometheus.)
#
# Versions are pinned below; tools are installed under $QBANK_TOOLS_CACHE
# (default ~/.cache/qbank-clients, outside the clone so that a fresh clone on
# the same machine reuses them) while their versions stand.
set -euo pipefail
cd "$(dirname "$0")/.."

grpcjs_version=1.14.7
proto_loader_version=0.8.1
redocly_version=2.77.0
swagger_cli_version=4.0.4
grpcurl_version=v1.9.4
health_probe_version=v0.4.62

root=$PWD
cache=${QBANK_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/qbank-clients}
bin=$cache/bin
node_dir=$cache/node
mkdir -p "$bin" "$node_dir"
export PATH=$bin:$PATH

step() { printf '\n--> %s\n' "$*"; }

go_tool() { # name package version
	local stamp=$bin/.$1-$3
	if [ ! -x "$bin/$1" ] || [ ! -f "$stamp" ]; then
		GOBIN=$bin go install "$2@$3"
		touch "$stamp"
	fi
}

step "installing the clients (cached under $cache)"
go_tool grpcurl github.com/fullstorydev/grpcurl/cmd/grpcurl "$grpcurl_version"
go_tool grpc-health-probe github.com/grpc-ecosystem/grpc-health-probe "$health_probe_version"
node_pkgs="@grpc/grpc-js@$grpcjs_version @grpc/proto-loader@$proto_loader_version @redocly/cli@$redocly_version @apidevtools/swagger-cli@$swagger_cli_version"
node_stamp=$node_dir/.installed-$(echo "$node_pkgs" | sha256sum | cut -c1-16)
if [ ! -f "$node_stamp" ]; then
	rm -rf "$node_dir/node_modules"
	# No lockfile is written: the direct versions are pinned here.
	(cd "$node_dir" && npm install --silent --no-package-lock --no-audit --no-fund --no-save $node_pkgs)
	touch "$node_stamp"
fi
nbin=$node_dir/node_modules/.bin
if [ ! -f .cache/protodeps/google/api/annotations.proto ]; then
	bash scripts/generate.sh # unpacks the google/api protos the clients import
fi
go build -o "$bin/qbank" ./cmd/qbank

step "starting qbank on free loopback ports"
work=$(mktemp -d)
admin=check-clients-admin-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
reader=check-clients-reader-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
pids=()
cleanup() {
	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null && wait "$p" 2>/dev/null
	done
	rm -rf "$work"
}
trap cleanup EXIT

# serve NAME ARGS…: starts `qbank serve` on free loopback ports with the
# tokens above, its log in $work/NAME.log, and waits until it serves; then
# $grpc and $http_addr are its listeners.
serve() {
	local name=$1
	shift
	QBANK_ADMIN_TOKEN=$admin QBANK_READER_TOKEN=$reader "$bin/qbank" serve --data-dir "$work/$name-data" \
		--grpc-addr 127.0.0.1:0 --http-addr 127.0.0.1:0 "$@" 2>"$work/$name.log" &
	local pid=$!
	pids+=("$pid")
	for _ in $(seq 1 300); do
		grep -q '"msg":"serving"' "$work/$name.log" && break
		kill -0 "$pid" 2>/dev/null || { cat "$work/$name.log"; exit 1; }
		sleep 0.1
	done
	local line
	line=$(grep -o '"msg":"serving".*' "$work/$name.log")
	grpc=$(echo "$line" | grep -o '"grpc":"[^"]*"' | cut -d'"' -f4)
	http_addr=$(echo "$line" | grep -o '"http":"[^"]*"' | cut -d'"' -f4)
}

serve plain
http=http://$http_addr
echo "gRPC $grpc, HTTP $http"

step "grpc-health-probe $health_probe_version"
grpc-health-probe -addr "$grpc"
grpc-health-probe -addr "$grpc" -service layersrank.questionbank.v1.QuestionBankService

step "grpcurl $grpcurl_version (server reflection)"
grpcurl -plaintext "$grpc" list | grep -qx layersrank.questionbank.v1.QuestionBankService
grpcurl -plaintext "$grpc" describe layersrank.questionbank.v1.QuestionBankService.GetQuestion >/dev/null
grpcurl -plaintext -H "authorization: Bearer $reader" -d '{"id": "api-rate-limiting-design", "version": 1}' \
	"$grpc" layersrank.questionbank.v1.QuestionBankService/GetQuestion | grep -q '"id": "api-rate-limiting-design"'
if out=$(grpcurl -plaintext -d '{"id": "api-rate-limiting-design"}' "$grpc" layersrank.questionbank.v1.QuestionBankService/GetQuestion 2>&1); then
	echo "grpcurl: a call without a token succeeded" >&2
	exit 1
fi
echo "$out" | grep -q 'TOKEN_MISSING' || { echo "grpcurl: no TOKEN_MISSING reason in: $out" >&2; exit 1; }
echo "grpcurl: ok"

step "TLS: grpcurl, grpc-health-probe and curl against qbank serve --tls-cert/--tls-key"
# A throwaway CA and a certificate for 127.0.0.1, made with openssl as an
# operator would; the clients trust the CA and nothing else.
tls=$work/tls
mkdir -p "$tls"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj "/CN=check-clients CA" \
	-keyout "$tls/ca.key" -out "$tls/ca.pem" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=127.0.0.1" \
	-keyout "$tls/server.key" -out "$tls/server.csr" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' >"$tls/ext"
openssl x509 -req -in "$tls/server.csr" -CA "$tls/ca.pem" -CAkey "$tls/ca.key" -CAcreateserial -days 1 \
	-extfile "$tls/ext" -out "$tls/server.pem" 2>/dev/null
chmod 600 "$tls"/*.key
plain_grpc=$grpc
serve tls --tls-cert "$tls/server.pem" --tls-key "$tls/server.key"
tgrpc=$grpc thttp=https://$http_addr grpc=$plain_grpc
grpc-health-probe -addr "$tgrpc" -tls -tls-ca-cert "$tls/ca.pem"
grpcurl -cacert "$tls/ca.pem" -H "authorization: Bearer $reader" -d '{"id": "api-rate-limiting-design", "version": 1}' \
	"$tgrpc" layersrank.questionbank.v1.QuestionBankService/GetQuestion | grep -q '"id": "api-rate-limiting-design"'
curl -fsS --cacert "$tls/ca.pem" -H "Authorization: Bearer $reader" "$thttp/v1/questions/api-rate-limiting-design" |
	grep -q '"id":"api-rate-limiting-design"'
curl -fsS --cacert "$tls/ca.pem" "$thttp/readyz" >/dev/null
if grpcurl -plaintext "$tgrpc" list >/dev/null 2>&1; then
	echo "TLS: the gRPC listener answered in plaintext" >&2
	exit 1
fi
if curl -fsS "http://${thttp#https://}/readyz" >/dev/null 2>&1; then
	echo "TLS: the HTTP listener answered in plaintext" >&2
	exit 1
fi
echo "TLS: ok"

step "grpc-js $grpcjs_version with gzip, proto-loader $proto_loader_version"
NODE_PATH=$node_dir/node_modules node scripts/check-clients/grpcjs.js "$grpc" "$reader" proto .cache/protodeps

step "swagger-cli $swagger_cli_version validate"
"$nbin/swagger-cli" validate openapi/openapi.json

step "Redocly CLI $redocly_version lint (errors fail, warnings are listed)"
NO_UPDATE_NOTIFIER=1 REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true \
	"$nbin/redocly" lint openapi/openapi.json --format stylish

step "api-linter"
if command -v api-linter >/dev/null; then
	api-linter --config .api-linter.yaml --set-exit-status --proto-path proto --proto-path .cache/protodeps \
		layersrank/questionbank/v1/questionbank.proto
	echo "api-linter: no findings"
else
	echo "api-linter: skipped: not installable here (no registry this project reaches serves it);"
	echo "  build github.com/googleapis/api-linter's cmd/api-linter and put it on PATH or in $cache/bin to run it"
fi

printf '\nclient checks passed\n'
