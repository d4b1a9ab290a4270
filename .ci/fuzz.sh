#!/usr/bin/env bash
# .ci/fuzz.sh runs every fuzz target in the repository briefly, one at a time
# (go test accepts one -fuzz target per package per run). Keep the list in
# step with: grep -rn "^func Fuzz" --include=*_test.go
set -euo pipefail
cd "$(dirname "$0")/.."

go test -run='^$' -fuzz='^FuzzCreateRecordJSON$' -fuzztime=15s ./internal/web
go test -run='^$' -fuzz='^FuzzDecodeLeaf$' -fuzztime=15s ./internal/audit
go test -run='^$' -fuzz='^FuzzParseProofs$' -fuzztime=15s ./internal/audit
go test -run='^$' -fuzz='^FuzzNormalize$' -fuzztime=15s ./internal/names
go test -run='^$' -fuzz='^FuzzParse$' -fuzztime=15s ./internal/names
go test -run='^$' -fuzz='^FuzzValidate$' -fuzztime=15s ./internal/person
go test -run='^$' -fuzz='^FuzzParseDate$' -fuzztime=15s ./internal/sheet
go test -run='^$' -fuzz='^FuzzReadCSV$' -fuzztime=15s ./internal/sheet
go test -run='^$' -fuzz='^FuzzHeader$' -fuzztime=15s ./internal/sheet
