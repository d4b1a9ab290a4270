package arch

import (
	"os/exec"
	"strings"
	"testing"
)

// carriesNo lists, per package, what must not be among its dependencies,
// direct or not, with the reason.
var carriesNo = map[string]struct {
	deps   []string // import paths; a trailing "/" matches a whole tree
	reason string
}{
	"./internal/client": {
		deps: []string{module + "internal/sqlstore", "database/sql", "modernc.org/", "github.com/jackc/pgx"},
		reason: "a program that speaks the API (the CLI's data commands, the scenario) carries no store and no SQL driver: " +
			"the API's types live in internal/api",
	},
	"./internal/scenario": {
		deps: []string{module + "internal/sqlstore", module + "internal/web", "database/sql", "modernc.org/", "github.com/jackc/pgx"},
		reason: "the demo and the May 2025 play act only through the API, as the people they play would: " +
			"the store and the server are the caller's",
	},
	"./internal/api": {
		deps:   []string{module + "internal/sqlstore", "database/sql", "net/http", "modernc.org/", "github.com/jackc/pgx"},
		reason: "the wire types are values of the domain, nothing of the store or of HTTP",
	},
}

// TestClientCarriesNoStore checks the whole dependency tree, as `go list
// -deps` prints it, not only the imports the table above checks.
func TestClientCarriesNoStore(t *testing.T) {
	for pkg, no := range carriesNo {
		cmd := exec.Command("go", "list", "-deps", pkg)
		cmd.Dir = "../.."
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("go list -deps %s: %v", pkg, err)
		}
		deps := strings.Fields(string(out))
		if len(deps) < 10 {
			t.Fatalf("go list -deps %s listed only %v", pkg, deps)
		}
		for _, d := range deps {
			for _, bad := range no.deps {
				if d == bad || (strings.HasSuffix(bad, "/") && strings.HasPrefix(d, bad)) || strings.HasPrefix(d, bad+"/") {
					t.Errorf("%s depends on %s: %s", pkg, d, no.reason)
					break
				}
			}
		}
	}
}
