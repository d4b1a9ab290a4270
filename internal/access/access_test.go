package access

import (
	"testing"

	"github.com/handover-project/handover/internal/errs"
)

func TestDecide(t *testing.T) {
	ua := func(r Role) Scope { return Scope{UserID: 1, Login: "u", Role: r, Party: "UA", MFA: true} }
	med := func(r Role) Scope { return Scope{UserID: 1, Login: "m", Role: r, MFA: true} }
	tests := []struct {
		name  string
		s     Scope
		a     Action
		res   Resource
		allow bool
	}{
		{"registrar creates own held", ua(PartyRegistrar), RecordCreate, Resource{Party: "UA", Kind: "held"}, true},
		{"registrar creates own sought", ua(PartyRegistrar), RecordCreate, Resource{Party: "UA", Kind: "sought"}, true},
		{"registrar creates other's held", ua(PartyRegistrar), RecordCreate, Resource{Party: "RU", Kind: "held"}, false},
		{"registrar reads other's sought", ua(PartyRegistrar), RecordRead, Resource{Party: "RU", Kind: "sought"}, false},
		{"registrar reads other's held", ua(PartyRegistrar), RecordRead, Resource{Party: "RU", Kind: "held"}, false},
		{"registrar reads own sought", ua(PartyRegistrar), RecordRead, Resource{Party: "UA", Kind: "sought"}, true},
		{"registrar bad kind", ua(PartyRegistrar), RecordCreate, Resource{Party: "UA", Kind: "remains"}, false},
		{"approver reads own", ua(PartyApprover), RecordRead, Resource{Party: "UA", Kind: "held"}, true},
		{"approver cannot write", ua(PartyApprover), RecordCreate, Resource{Party: "UA", Kind: "held"}, false},
		{"operator reads both", med(MediatorOperator), RecordRead, Resource{Party: "RU", Kind: "sought"}, true},
		{"operator cannot write", med(MediatorOperator), RecordCreate, Resource{Party: "RU", Kind: "sought"}, false},
		{"admin sees no personal data", med(MediatorAdmin), RecordRead, Resource{Party: "UA", Kind: "held"}, false},
		{"admin manages users", med(MediatorAdmin), UserManage, Resource{}, true},
		{"sysadmin sees no personal data", med(Sysadmin), RecordRead, Resource{Party: "UA", Kind: "held"}, false},
		{"sysadmin cannot manage users", med(Sysadmin), UserManage, Resource{}, false},
		{"officer no register", Scope{UserID: 1, Role: CheckpointOfficer, Party: "UA"}, RecordRead, Resource{Party: "UA", Kind: "held"}, false},
		{"auditor reads log", med(Auditor), LogRead, Resource{}, true},
		{"registrar without party", Scope{UserID: 1, Role: PartyRegistrar}, RecordRead, Resource{Party: "", Kind: "held"}, false},
		{"anonymous", Scope{}, RecordRead, Resource{Party: "UA", Kind: "held"}, false},
		{"anonymous public", Scope{}, Public, Resource{}, true},
		{"unknown role", Scope{UserID: 1, Role: "root"}, SelfRead, Resource{}, false},
		{"unknown action", ua(PartyRegistrar), Action("record.delete"), Resource{Party: "UA", Kind: "held"}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := Decide(tc.s, tc.a, tc.res)
			if got := err == nil; got != tc.allow {
				t.Fatalf("got allow=%v, want %v (%v)", got, tc.allow, err)
			}
			if err != nil && !errs.Is(errs.Forbidden, err) {
				t.Errorf("got kind %v, want forbidden", errs.KindOf(err))
			}
		})
	}
}

func TestReadable(t *testing.T) {
	parties := []string{"RU", "UA"}
	tests := []struct {
		s    Scope
		kind string
		want string
	}{
		{Scope{UserID: 1, Role: PartyRegistrar, Party: "UA"}, "sought", "UA"},
		{Scope{UserID: 1, Role: PartyRegistrar, Party: "UA"}, "", "UA"},
		{Scope{UserID: 1, Role: MediatorOperator}, "", "RU,UA"},
		{Scope{UserID: 1, Role: MediatorAdmin}, "", ""},
	}
	for _, tc := range tests {
		got := ""
		for i, p := range Readable(tc.s, tc.kind, parties) {
			if i > 0 {
				got += ","
			}
			got += p
		}
		if got != tc.want {
			t.Errorf("%v %q: got %q, want %q", tc.s, tc.kind, got, tc.want)
		}
	}
}

func TestPassword(t *testing.T) {
	p := Argon2Params{Memory: 1024, Time: 1, Threads: 1}
	h := HashPassword("correct horse battery", p)
	if !VerifyPassword(h, "correct horse battery") {
		t.Fatal("the right password does not verify")
	}
	if VerifyPassword(h, "correct horse batterY") {
		t.Fatal("a wrong password verifies")
	}
	if VerifyPassword("$argon2id$v=19$m=1024$bad", "x") {
		t.Fatal("a malformed hash verifies")
	}
	if h2 := HashPassword("correct horse battery", p); h2 == h {
		t.Fatal("two hashes of one password are equal: no salt")
	}
	if err := CheckPassword("short"); !errs.Is(errs.Invalid, err) {
		t.Errorf("got %v, want invalid", err)
	}
}

func TestToken(t *testing.T) {
	a, b := NewToken(), NewToken()
	if a == b || len(a) != len(TokenPrefix)+43 {
		t.Fatalf("tokens %q %q", a, b)
	}
	if string(HashToken(a)) == string(HashToken(b)) {
		t.Fatal("hashes collide")
	}
	if TokenHint(a) != a[:8] {
		t.Errorf("hint got %q", TokenHint(a))
	}
}
