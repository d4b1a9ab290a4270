# handover: routine commands. `make help` lists them.
PG ?= postgres://postgres@127.0.0.1:5432/test?sslmode=disable
STATICCHECK = go run honnef.co/go/tools/cmd/staticcheck@v0.8.2
# The Go release that releases are built with: pinned in .ci/vulncheck.
RELEASE_GO = $(shell sed -n 's/^RELEASE_GO=//p' .ci/vulncheck)

.PHONY: help demo test test-pg lint deadcode vulncheck check bench build release

help: ## list the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

demo: ## run the demo: a seeded server on 127.0.0.1:8080
	go run ./cmd/handover demo

build: ## build the handover binary with the machine's Go
	go build -o handover ./cmd/handover

release: ## build the release binary with the release Go (see README, Releases)
	GOTOOLCHAIN=$(RELEASE_GO) go build -trimpath -o handover ./cmd/handover

test: ## run the tests (SQLite; PostgreSQL when HANDOVER_TEST_POSTGRES is set)
	go test ./...

test-pg: ## run the tests on SQLite and PostgreSQL, with the race detector
	HANDOVER_TEST_POSTGRES='$(PG)' go test -race ./...

lint: ## gofmt, go vet, staticcheck
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (gofmt -l $$(git ls-files '*.go'); exit 1)
	go vet ./...
	$(STATICCHECK) ./...

deadcode: ## every function reachable from a command (what only tests call is in _test.go files)
	bash .ci/deadcode

vulncheck: ## govulncheck, offline, on the code as releases build it
	bash .ci/vulncheck

check: ## what CI runs
	bash .ci/run

bench: ## store benchmarks (SQLite; PostgreSQL when HANDOVER_TEST_POSTGRES is set)
	go test -run '^$$' -bench . -benchtime 1x ./internal/...
