package access

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/handover-project/handover/internal/errs"
)

// dutyMatrix reads the duty matrix of docs/design/security.md §1: for each
// action, the cell of each role column.
func dutyMatrix(t *testing.T) (columns []string, rows map[Action][]string) {
	t.Helper()
	b, err := os.ReadFile("../../docs/design/security.md")
	if err != nil {
		t.Fatal(err)
	}
	rows = map[Action][]string{}
	for _, line := range strings.Split(string(b), "\n") {
		if !strings.HasPrefix(line, "| ") {
			continue
		}
		cells := strings.Split(strings.Trim(line, "| "), " | ")
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		switch {
		case cells[0] == "action":
			columns = cells[1 : len(cells)-1] // the last is "two people"
		case columns != nil && len(cells) >= len(columns)+1 && !strings.HasPrefix(cells[0], "---"):
			if Action(cells[0]).known() {
				rows[Action(cells[0])] = cells[1 : len(columns)+1]
			}
		}
		if columns != nil && len(rows) > 0 && !strings.HasPrefix(line, "|") {
			break
		}
	}
	return columns, rows
}

func (a Action) known() bool { return slices.Contains(Actions, a) }

// TestDutyMatrix walks every cell of the documented duty matrix against
// Decide: with the second factor passed, each cell's party rule; without
// it, nothing but public and self.read for the roles that need it.
func TestDutyMatrix(t *testing.T) {
	columns, rows := dutyMatrix(t)
	var want []string
	for _, r := range Roles {
		want = append(want, string(r))
		if r == CheckpointOfficer {
			want = append(want, "checkpoint_officer (mediator)")
		}
	}
	if !slices.Equal(columns, want) {
		t.Fatalf("duty matrix columns %q, want every role: %q", columns, want)
	}
	for _, a := range Actions {
		if _, ok := rows[a]; !ok {
			t.Errorf("action %s has no row in the duty matrix of docs/design/security.md", a)
		}
	}
	resources := map[string]Resource{"own": {Party: "UA", Kind: "held"}, "other": {Party: "RU", Kind: "held"}, "mediator": {Party: Mediator, Kind: "held"}, "none": {},
		"shared": {Party: "RU", Kind: "held", Shared: true}}
	cells := 0
	for a, row := range rows {
		for i, col := range columns {
			cell := row[i]
			s := Scope{UserID: 7, Login: "x", MFA: true}
			role, mediatorSide := strings.CutSuffix(col, " (mediator)")
			s.Role = Role(role)
			if s.Role.MayHaveParty() && !mediatorSide {
				s.Party = "UA"
			}
			allow := map[string]bool{}
			for k, res := range resources {
				err := Decide(s, a, res)
				allow[k] = err == nil
				if err != nil && !errs.Is(errs.Forbidden, err) {
					t.Errorf("%s as %s: got kind %v, want forbidden", a, col, errs.KindOf(err))
				}
			}
			var ok bool
			switch cell {
			case "all":
				ok = allow["own"] && allow["other"]
			case "own":
				ok = s.Party != "" && allow["own"] && !allow["other"] && !allow["mediator"] && !allow["shared"]
			case "mediator":
				ok = allow["mediator"] && !allow["own"] && !allow["other"] && !allow["shared"]
			case "shared":
				ok = allow["shared"] && !allow["own"] && !allow["other"] && !allow["mediator"] && !allow["none"]
			case "—":
				ok = !allow["own"] && !allow["other"] && !allow["mediator"] && !allow["none"] && !allow["shared"]
			default:
				t.Errorf("%s as %s: unknown cell %q (all, own, mediator, shared or —)", a, col, cell)
				continue
			}
			if !ok {
				t.Errorf("%s as %s: the matrix says %q, Decide allows %v", a, col, cell, allow)
			}
			cells++
			// Without the second factor, a role that needs it does nothing
			// but say who it is.
			if s.Role.NeedsMFA() && a != Public && a != SelfRead {
				s.MFA = false
				for k, res := range resources {
					if err := Decide(s, a, res); err == nil {
						t.Errorf("%s as %s without the second factor on %s: allowed", a, col, k)
					} else if allow[k] && !strings.Contains(errs.Message(err), "second factor") {
						t.Errorf("%s as %s without the second factor: %q does not say why", a, col, errs.Message(err))
					}
				}
			}
		}
	}
	if cells != len(Actions)*len(columns) {
		t.Errorf("walked %d cells, want %d", cells, len(Actions)*len(columns))
	}
}

// TestKeyRules: the two-person rule for keys.
func TestKeyRules(t *testing.T) {
	appr := func(id int64, party string) Scope {
		return Scope{UserID: id, Login: "a", Role: PartyApprover, Party: party, MFA: true}
	}
	op := func(id int64) Scope { return Scope{UserID: id, Login: "o", Role: MediatorOperator} }
	admin := Scope{UserID: 9, Login: "admin", Role: MediatorAdmin, MFA: true}
	proposed := KeyChange{Name: "k", Party: "UA", State: KeyProposed, ProposedBy: 1}
	tests := []struct {
		name string
		err  error
		kind errs.Kind
		code string
	}{
		{"a second UA approver confirms the first key", CheckKeyConfirm(appr(2, "UA"), proposed), 0, ""},
		{"the proposer confirms", CheckKeyConfirm(appr(1, "UA"), proposed), errs.Forbidden, "key_same_person"},
		{"an RU approver confirms", CheckKeyConfirm(appr(3, "RU"), proposed), errs.Forbidden, ""},
		{"the administrator confirms", CheckKeyConfirm(admin, proposed), errs.Forbidden, ""},
		{"without the second factor", CheckKeyConfirm(Scope{UserID: 2, Role: PartyApprover, Party: "UA"}, proposed), errs.Forbidden, ""},
		{"a second key without endorsement", CheckKeyConfirm(appr(2, "UA"), KeyChange{Name: "k", Party: "UA", State: KeyProposed, ProposedBy: 1, Active: 1}), errs.Forbidden, "key_needs_endorsement"},
		{"a second key endorsed", CheckKeyConfirm(appr(2, "UA"), KeyChange{Name: "k", Party: "UA", State: KeyProposed, ProposedBy: 1, Active: 1, Endorsed: true}), 0, ""},
		{"confirming a key in effect", CheckKeyConfirm(appr(2, "UA"), KeyChange{Name: "k", Party: "UA", State: KeyActive, ProposedBy: 1}), errs.Conflict, "key_not_proposed"},
		{"a second operator confirms the mediator's", CheckKeyConfirm(op(5), KeyChange{Name: "m", State: KeyProposed, ProposedBy: 4}), 0, ""},
		{"the operator confirms its own", CheckKeyConfirm(op(4), KeyChange{Name: "m", State: KeyProposed, ProposedBy: 4}), errs.Forbidden, "key_same_person"},
		{"an approver confirms the mediator's", CheckKeyConfirm(appr(2, "UA"), KeyChange{Name: "m", State: KeyProposed, ProposedBy: 4}), errs.Forbidden, ""},
		{"the administrator proposes", CheckKeyPropose(admin, "UA"), errs.Forbidden, ""},
		{"the administrator proposes the mediator's", CheckKeyPropose(admin, ""), errs.Forbidden, ""},
		{"an approver proposes for its party", CheckKeyPropose(appr(1, "UA"), "UA"), 0, ""},
		{"an approver proposes for the other", CheckKeyPropose(appr(1, "UA"), "RU"), errs.Forbidden, ""},
		{"revoking one of two keys", CheckKeyRevoke(appr(1, "UA"), KeyChange{Name: "k", Party: "UA", State: KeyActive, Active: 1}), 0, ""},
		{"revoking the last key", CheckKeyRevoke(appr(1, "UA"), KeyChange{Name: "k", Party: "UA", State: KeyActive}), errs.Conflict, "key_last"},
		{"withdrawing a proposal", CheckKeyRevoke(appr(1, "UA"), proposed), 0, ""},
		{"revoking twice", CheckKeyRevoke(appr(1, "UA"), KeyChange{Name: "k", Party: "UA", State: KeyRevoked, Active: 1}), errs.Conflict, "key_not_active"},
		{"the administrator revokes", CheckKeyRevoke(admin, KeyChange{Name: "k", Party: "UA", State: KeyActive, Active: 1}), errs.Forbidden, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.kind == 0 {
				if tc.err != nil {
					t.Fatalf("got %v, want allowed", tc.err)
				}
				return
			}
			if !errs.Is(tc.kind, tc.err) {
				t.Fatalf("got %v, want %v", tc.err, tc.kind)
			}
			if tc.code != "" {
				fes := errs.Fields(tc.err)
				if len(fes) == 0 || fes[0].Code != tc.code {
					t.Errorf("got fields %v, want code %s", fes, tc.code)
				}
			}
		})
	}
}
