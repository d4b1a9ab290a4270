// Package scenario plays handover's users through the JSON API: the demo's
// seeding (Demo) and the May 2025 exchange (May2025). Both act only through
// internal/client, with the tokens of the accounts in Accounts, so that
// they obey the same access rules as any other API user and exercise the
// server as its users do. The demo, the scenario command, the end-to-end
// tests and the benchmarks share them.
//
// The package prints nothing: each play reports its steps through a
// Progress function as values (Seeded, Registers, Negotiated, StageLine,
// Aftermath) and returns its results; cmd/handover words them.
// Accounts themselves, and the server the plays talk to, are made by the
// caller (cmd/handover makes them in the store, as 'handover init' does).
package scenario

import (
	"fmt"
	"strings"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/client"
	"github.com/handover-project/handover/internal/crossing"
	"github.com/handover-project/handover/internal/errs"
)

// Account is one user a play acts as.
type Account struct {
	Login string
	Role  access.Role
	Party string // "" for the mediator's people
}

// Accounts are the demo's users: one per role, and a second person of each
// side where the two-person rule asks for one (a key is proposed by one
// approver or operator and confirmed by another).
var Accounts = []Account{
	{"admin", access.MediatorAdmin, ""},
	{"mediator", access.MediatorOperator, ""},
	{"ua-registrar", access.PartyRegistrar, "UA"},
	{"ua-approver", access.PartyApprover, "UA"},
	{"ua-approver-2", access.PartyApprover, "UA"},
	{"ua-officer", access.CheckpointOfficer, "UA"},
	{"ru-registrar", access.PartyRegistrar, "RU"},
	{"ru-approver", access.PartyApprover, "RU"},
	{"ru-approver-2", access.PartyApprover, "RU"},
	{"mediator-2", access.MediatorOperator, ""},
	{"ru-officer", access.CheckpointOfficer, "RU"},
	{"mediator-officer", access.CheckpointOfficer, ""},
	{"auditor", access.Auditor, ""},
	{"sysadmin", access.Sysadmin, ""},
}

// May2025Accounts are the accounts May2025 acts as: Accounts without the
// auditor and the system administrator.
func May2025Accounts() []Account {
	var out []Account
	for _, a := range Accounts {
		if a.Role != access.Auditor && a.Role != access.Sysadmin {
			out = append(out, a)
		}
	}
	return out
}

// Parties are the two parties of every play, in the order they are named.
var Parties = [2]string{"UA", "RU"}

// other returns the party that is not p.
func other(p string) string {
	if p == Parties[0] {
		return Parties[1]
	}
	return Parties[0]
}

// registrar, officer: the login of a party's account of the role.
func registrar(party string) string { return strings.ToLower(party) + "-registrar" }
func officer(party string) string   { return strings.ToLower(party) + "-officer" }

// Clients are the API clients of the accounts, by login.
type Clients map[string]*client.Client

// Connect returns a client of the server at url for each of accounts,
// with its token from tokens (by login).
func Connect(url string, tokens map[string]string, accounts []Account) (Clients, error) {
	cs := Clients{}
	for _, a := range accounts {
		tok := tokens[a.Login]
		if tok == "" {
			return nil, errs.E("scenario", errs.Invalid, fmt.Sprintf("no token for %s", a.Login))
		}
		c, err := client.New(url, tok)
		if err != nil {
			return nil, err
		}
		cs[a.Login] = c
	}
	return cs, nil
}

// refused lists the events of rs the server refused, with their reasons;
// "" when none was.
func refused(rs []crossing.Result) string {
	var bad []string
	for _, r := range rs {
		if r.Status == "refused" {
			bad = append(bad, fmt.Sprintf("%s: %s (%s)", r.ID, r.Message, r.Kind))
		}
	}
	return strings.Join(bad, "; ")
}

// report calls progress with v, if there is a progress function.
func report(progress func(any), v any) {
	if progress != nil {
		progress(v)
	}
}
