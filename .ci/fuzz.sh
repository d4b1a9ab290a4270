#!/usr/bin/env bash
# .ci/fuzz.sh runs every fuzz target in the repository briefly, one at a time
# (go test takes one -fuzz target per run). A target with no line here fails
# the script, so that none goes unfuzzed: when you add a Fuzz function, add
# its line below.
set -euo pipefail
cd "$(dirname "$0")/.."

listed="$(sed -n "s/^go test -run='^\$' -fuzz='^\(Fuzz[A-Za-z0-9_]*\)\$' -fuzztime=15s \(.*\)$/\2 \1/p" "$0" | sort)"
found="$(grep -rn '^func Fuzz' --include='*_test.go' . | sed 's|^\./\(.*\)/[^/]*_test\.go:[0-9]*:func \(Fuzz[A-Za-z0-9_]*\)(.*|./\1 \2|' | sort)"
if [ "$listed" != "$found" ]; then
  echo "fuzz targets and the lines of $0 differ (< listed, > in the code):"
  diff <(echo "$listed") <(echo "$found") || true
  exit 1
fi

# go test -fuzz can end with "context deadline exceeded" when a worker answers
# late at the end of -fuzztime on a loaded machine: no input failed and nothing
# is written to testdata/fuzz. Such a run, and only such a run, is made once more.
go() {
  local out
  if out=$(command go "$@" 2>&1); then printf '%s\n' "$out"; return 0; fi
  printf '%s\n' "$out"
  if grep -q "context deadline exceeded" <<<"$out" && ! grep -q "Failing input written" <<<"$out"; then
    echo "(a fuzz worker answered late; no input failed: once more)"
    command go "$@"
    return
  fi
  return 1
}

go test -run='^$' -fuzz='^FuzzDecodeLeaf$' -fuzztime=15s ./internal/audit
go test -run='^$' -fuzz='^FuzzParseProofs$' -fuzztime=15s ./internal/audit
go test -run='^$' -fuzz='^FuzzParseAddCheckpoint$' -fuzztime=15s ./internal/audit
go test -run='^$' -fuzz='^FuzzParseAgreement$' -fuzztime=15s ./internal/exchange
go test -run='^$' -fuzz='^FuzzNormalize$' -fuzztime=15s ./internal/names
go test -run='^$' -fuzz='^FuzzParse$' -fuzztime=15s ./internal/names
go test -run='^$' -fuzz='^FuzzStructure$' -fuzztime=15s ./internal/names
go test -run='^$' -fuzz='^FuzzValidate$' -fuzztime=15s ./internal/person
go test -run='^$' -fuzz='^FuzzParseDate$' -fuzztime=15s ./internal/sheet
go test -run='^$' -fuzz='^FuzzReadCSV$' -fuzztime=15s ./internal/sheet
go test -run='^$' -fuzz='^FuzzHeader$' -fuzztime=15s ./internal/sheet
go test -run='^$' -fuzz='^FuzzCreateRecordJSON$' -fuzztime=15s ./internal/web
