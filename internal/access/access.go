// Package access decides who may do what. One deny-by-default policy function,
// Decide, answers every question from (role, party, action, the resource's
// party and register); the store and every HTTP route ask it, and a test walks
// every route with every role.
package access

import (
	"fmt"

	"github.com/handover-project/handover/internal/errs"
)

// Role is a user's role (DESIGN.md §6).
type Role string

// Roles.
const (
	MediatorAdmin     Role = "mediator_admin"     // users and keys; no personal data
	MediatorOperator  Role = "mediator_operator"  // matching, negotiation, stages
	PartyRegistrar    Role = "party_registrar"    // keeps one party's registers
	PartyApprover     Role = "party_approver"     // approves and signs for one party
	CheckpointOfficer Role = "checkpoint_officer" // records handovers at a crossing
	Auditor           Role = "auditor"            // reads the log and verifies it
	Sysadmin          Role = "sysadmin"           // runs the server; no personal data
)

// Roles lists every role.
var Roles = []Role{MediatorAdmin, MediatorOperator, PartyRegistrar, PartyApprover, CheckpointOfficer, Auditor, Sysadmin}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	for _, k := range Roles {
		if r == k {
			return true
		}
	}
	return false
}

// NeedsParty reports whether a user of role r must belong to a party.
// Checkpoint officers may belong to a party or to the mediator (no party).
func (r Role) NeedsParty() bool { return r == PartyRegistrar || r == PartyApprover }

// MayHaveParty reports whether a user of role r may belong to a party.
func (r Role) MayHaveParty() bool { return r.NeedsParty() || r == CheckpointOfficer }

// NeedsMFA reports whether a user of role r must pass a second factor
// before acting, on pages and on the API alike (DESIGN.md §6): a party's
// approvers, who sign and add its keys, and the mediator's administrator,
// who makes accounts. Until they pass it they may only say who they are.
func (r Role) NeedsMFA() bool { return r == PartyApprover || r == MediatorAdmin }

// Scope is who is asking: the authenticated user, their role and party.
// Every store method that reads or changes records takes one.
type Scope struct {
	UserID int64
	Login  string
	Role   Role
	Party  string // "" for mediator and neutral roles
	// MFA says whether the caller passed the second factor: in this
	// session, or at the login that minted this token. Roles that need it
	// (Role.NeedsMFA) may do nothing but SelfRead without it.
	MFA bool
}

// String identifies the scope in logs.
func (s Scope) String() string {
	if s.Party != "" {
		return fmt.Sprintf("%s(%s:%s)", s.Login, s.Role, s.Party)
	}
	return fmt.Sprintf("%s(%s)", s.Login, s.Role)
}

// Action is something a user may try to do.
type Action string

// Actions. Every HTTP route declares one.
const (
	Public          Action = "public"           // no authentication: health, login, the API description
	SelfRead        Action = "self.read"        // who am I
	PartyList       Action = "party.list"       // the parties of the server
	RecordCreate    Action = "record.create"    // add a record to a register
	RecordCorrect   Action = "record.correct"   // correct a record (a new version)
	RecordRead      Action = "record.read"      // read records, their history
	RecordErase     Action = "record.erase"     // erase one's own party's record for a data-protection request (its fields, keeping the log verifiable)
	UserManage      Action = "user.manage"      // create and disable users, issue enrolment and reset codes
	TokenManage     Action = "token.manage"     // list and revoke other users' API tokens (never mint them)
	TokenSelf       Action = "token.self"       // mint, list and revoke one's own tokens; change one's password; log out everywhere
	LogRead         Action = "log.read"         // read the audit log and checkpoints
	LogCosign       Action = "log.cosign"       // submit a witness's cosignature (checked against its registered key)
	LogCheckpoint   Action = "log.checkpoint"   // ask for a new checkpoint now
	KeyPropose      Action = "key.propose"      // propose a witness or signer key of one's own party (or the mediator's)
	KeyConfirm      Action = "key.confirm"      // confirm another person's proposal: only then the key takes effect
	KeyRevoke       Action = "key.revoke"       // revoke a key of one's own party (or the mediator's)
	MatchRun        Action = "match.run"        // run matching between two parties' registers
	MatchReview     Action = "match.review"     // read candidates, confirm, reject, undo, disclose
	MatchRead       Action = "match.read"       // a party reads the matches disclosed to it
	ExchangeOpen    Action = "exchange.open"    // open an exchange, freeze its agreement
	ExchangeRead    Action = "exchange.read"    // read an exchange, its lists, answers, view and agreement
	ListSubmit      Action = "list.submit"      // submit a version of one's own party's list
	ListRespond     Action = "list.respond"     // answer the other party's list, person by person
	EvidenceWrite   Action = "evidence.write"   // record eligibility evidence on one's own records
	AgreementSign   Action = "agreement.sign"   // sign an agreement for one's party (or the mediator)
	StageManage     Action = "stage.manage"     // open, suspend, close a stage; record remains (mediator)
	HandoverRecord  Action = "handover.record"  // record handover events at a crossing
	ReportRead      Action = "report.read"      // read stage reports, lists and the officer's lookup
	TraceRead       Action = "trace.read"       // a bureau reads the trace status of its own sought persons
	CaseRead        Action = "case.read"        // read tracing cases: the bureau's own; the mediator's tracing agency those a bureau shares
	CaseWrite       Action = "case.write"       // open and work tracing cases (enquiries, contacts, tasks, notices, closing)
	PriorityWrite   Action = "priority.write"   // set the priority flags of one's own sought persons (the backlog across rounds)
	CustodyRead     Action = "custody.read"     // read a held person's custody timeline and the notifications overdue: the bureau's own; the mediator's, as the Central Agency
	CustodyWrite    Action = "custody.write"    // record a custody event of one's own party's record (GC III Arts. 70, 120–122)
	MetricsRead     Action = "metrics.read"     // scrape the server's metrics (/metrics): counts and timings, no personal data
	InterviewRecord Action = "interview.record" // the neutral records its private interview of a listed person (GC III Art. 118), and reads the interviews whole
	TracingExport   Action = "tracing.export"   // export a party's held register for the Central Tracing Agency, flagged records included (GC III Arts. 122–123)
)

// Actions lists every action.
var Actions = []Action{Public, SelfRead, PartyList, RecordCreate, RecordCorrect, RecordRead, RecordErase, UserManage, TokenManage, TokenSelf, LogRead, LogCosign, LogCheckpoint, KeyPropose, KeyConfirm, KeyRevoke, MatchRun, MatchReview, MatchRead, ExchangeOpen, ExchangeRead, ListSubmit, ListRespond, EvidenceWrite, AgreementSign, StageManage, HandoverRecord, ReportRead, TraceRead, CaseRead, CaseWrite, PriorityWrite, CustodyRead, CustodyWrite, MetricsRead, TracingExport, InterviewRecord}

// Resource is what an action is about. For register actions Party is the
// owning party of the records and Kind their register ("held", "sought");
// empty fields mean "not about records". Shared marks a tracing case its
// bureau shares with the mediator's tracing agency.
type Resource struct {
	Party  string
	Kind   string
	Shared bool
}

// Decide is the one policy function. It returns nil when s may perform a on
// res, and an errs.Forbidden error otherwise. Anything not explicitly
// allowed is denied.
func Decide(s Scope, a Action, res Resource) error {
	if allowed(s, a, res) {
		return nil
	}
	if s.Role.NeedsMFA() && !s.MFA {
		with := s
		with.MFA = true
		if allowed(with, a, res) {
			return errs.E("access.Decide", errs.Forbidden, fmt.Sprintf("a %s must pass the second factor first: log in with a one-time code", s.Role), errs.Coded{Code: "forbidden_mfa", Args: []string{string(s.Role)}})
		}
	}
	return errs.E("access.Decide", errs.Forbidden, fmt.Sprintf("a %s may not %s", s.Role, describe(a, res)), errs.Coded{Code: "forbidden_role", Args: []string{string(s.Role)}})
}

// Mediator is the resource party of what the mediator does in its own
// name: its signature on an agreement, its keys.
const Mediator = "mediator"

func allowed(s Scope, a Action, res Resource) bool {
	if a == Public {
		return true
	}
	if !s.Role.Valid() || s.UserID == 0 {
		return false
	}
	if s.Role.NeedsParty() && s.Party == "" {
		return false
	}
	if a == SelfRead {
		// Who am I: also before the second factor, to enrol and to log in.
		return true
	}
	if s.Role.NeedsMFA() && !s.MFA {
		return false
	}
	switch a {
	case TokenSelf, PartyList:
		return true
	case UserManage, TokenManage:
		// The administrator manages accounts, never acts in one: it mints
		// no tokens for others, registers no keys, signs nothing, reads no
		// records.
		return s.Role == MediatorAdmin
	case KeyPropose, KeyConfirm, KeyRevoke:
		// A party's keys are its approvers'; the mediator's are its
		// operators'. The store adds the two-person rule (CheckKeyConfirm).
		return (s.Role == PartyApprover && res.Party != "" && res.Party == s.Party) ||
			(s.Role == MediatorOperator && res.Party == Mediator)
	case MatchRun, MatchReview:
		// Matching is the mediator's: it reads both sides' registers.
		return s.Role == MediatorOperator
	case MatchRead:
		// A party sees the matches that concern its own sought records,
		// once the mediator has disclosed them.
		return (s.Role == PartyRegistrar || s.Role == PartyApprover) && (res.Party == "" || res.Party == s.Party)
	case ExchangeOpen:
		return s.Role == MediatorOperator
	case ExchangeRead:
		// The store also checks that a party user's party is in the exchange.
		return s.Role == MediatorOperator || s.Role == Auditor ||
			((s.Role == PartyRegistrar || s.Role == PartyApprover) && (res.Party == "" || res.Party == s.Party))
	case ListSubmit, ListRespond:
		return (s.Role == PartyRegistrar || s.Role == PartyApprover) && res.Party != "" && res.Party == s.Party
	case EvidenceWrite:
		return s.Role == PartyRegistrar && res.Party != "" && res.Party == s.Party
	case AgreementSign:
		// An approver signs for its own party, the mediator's operator for
		// the mediator; registrars never sign.
		return (s.Role == PartyApprover && res.Party != "" && res.Party == s.Party) ||
			(s.Role == MediatorOperator && res.Party == Mediator)
	case StageManage:
		return s.Role == MediatorOperator
	case HandoverRecord:
		// A checkpoint officer of a party of the exchange, or the
		// mediator's observer (an officer without a party); the store
		// checks the officer's party against the exchange.
		return s.Role == CheckpointOfficer && (s.Party == "" || res.Party == "" || res.Party == s.Party)
	case ReportRead:
		// The store also checks that a party user's party is in the exchange.
		return s.Role == MediatorOperator || s.Role == Auditor || s.Role == CheckpointOfficer ||
			((s.Role == PartyRegistrar || s.Role == PartyApprover) && (res.Party == "" || res.Party == s.Party))
	case TraceRead:
		// Only the owning party's bureau sees its sought persons.
		// The store decides again with the record's party.
		return (s.Role == PartyRegistrar || s.Role == PartyApprover) && (res.Party == "" || res.Party == s.Party)
	case CustodyWrite:
		// The bureau whose record it is records its custody (the holding
		// party for a held person, the owning party for a sought one
		// confirmed missing); the store decides again with the record's
		// party.
		return (s.Role == PartyRegistrar || s.Role == PartyApprover) && res.Party != "" && res.Party == s.Party
	case CustodyRead:
		// The bureau reads its own; the mediator's operator, as the
		// Central Agency the notifications go to (GC III Art. 123), any.
		if s.Role == MediatorOperator {
			return true
		}
		return (s.Role == PartyRegistrar || s.Role == PartyApprover) && (res.Party == "" || res.Party == s.Party)
	case InterviewRecord:
		// The neutral's delegate interviews in private: the mediator's
		// operator only, never a party (ICRC practice; GC III Art. 118).
		return s.Role == MediatorOperator
	case PriorityWrite:
		// The seeking party's bureau flags its own sought persons; the
		// store decides again with the record's party and register.
		return (s.Role == PartyRegistrar || s.Role == PartyApprover) && res.Party != "" && res.Party == s.Party
	case CaseRead, CaseWrite:
		// A case is its bureau's (the registrars and approvers who trace);
		// the mediator's operator, its tracing agency, works only a case
		// the bureau shares. The other party never. The store decides
		// again with the case's party and sharing.
		return ((s.Role == PartyRegistrar || s.Role == PartyApprover) && (res.Party == "" || res.Party == s.Party)) ||
			(s.Role == MediatorOperator && res.Shared)
	case TracingExport:
		// The holding party's bureau transmits what it holds to the
		// Central Tracing Agency (GC III Arts. 122–123), the records it
		// withholds from the other party included (GC IV Art. 137(2));
		// the mediator's operator, who reads both registers already and
		// is the tracing agency's channel here (docs/design/tracing.md),
		// may export either party's. Never the other party: the store
		// decides again with the party exported.
		return ((s.Role == PartyRegistrar || s.Role == PartyApprover) && res.Party != "" && res.Party == s.Party) ||
			(s.Role == MediatorOperator && res.Party != "")
	case LogCheckpoint:
		return s.Role == MediatorAdmin || s.Role == MediatorOperator
	case MetricsRead:
		// The system administrator runs the server and watches it; the
		// metrics hold counts, timings and the log's size, never a record
		// (a Prometheus scraper uses a sysadmin's token, or an address
		// allowed by serve --metrics-allow).
		return s.Role == Sysadmin
	case LogCosign:
		// The cosignature itself is checked against the witness's
		// registered key; the role only says who may hand one in.
		return s.Role == PartyApprover || s.Role == MediatorOperator || s.Role == MediatorAdmin
	case LogRead:
		return s.Role == Auditor || s.Role == MediatorOperator || s.Role == MediatorAdmin ||
			s.Role == PartyApprover || s.Role == PartyRegistrar
	case RecordCreate, RecordCorrect:
		// Only a party's own registrar writes its registers.
		return s.Role == PartyRegistrar && res.Party != "" && res.Party == s.Party && validKind(res.Kind)
	case RecordErase:
		// A data-protection request is the holding party's: its approver
		// (after the second factor, NeedsMFA) erases one of its own
		// records. Nobody else: not the mediator's administrator, not the
		// operator (docs/design/security.md §9).
		return s.Role == PartyApprover && res.Party != "" && res.Party == s.Party
	case RecordRead:
		switch s.Role {
		case PartyRegistrar, PartyApprover:
			// A party reads its own registers. The other party's records
			// reach it only through what an exchange discloses, never here.
			return res.Party != "" && res.Party == s.Party && validKind(res.Kind)
		case MediatorOperator, Auditor:
			// The mediator matches both sides' registers; the auditor
			// checks records against the log. Both are read-only here.
			return validKind(res.Kind) || res.Kind == ""
		}
		return false
	}
	return false
}

func validKind(k string) bool { return k == "held" || k == "sought" }

func describe(a Action, res Resource) string {
	switch {
	case res.Party != "" && res.Kind != "":
		return fmt.Sprintf("%s on the %s register of %s", a, res.Kind, res.Party)
	case res.Party != "":
		return fmt.Sprintf("%s for %s", a, res.Party)
	}
	return string(a)
}

// Readable returns, for a scope and a register kind ("" for both), the
// parties whose records the scope may read: the filter a store applies to
// every list query so that there is no unscoped path.
func Readable(s Scope, kind string, parties []string) []string {
	var out []string
	kinds := []string{kind}
	if kind == "" {
		kinds = []string{"held", "sought"}
	}
	for _, p := range parties {
		ok := true
		for _, k := range kinds {
			if !allowed(s, RecordRead, Resource{Party: p, Kind: k}) {
				ok = false
			}
		}
		if ok {
			out = append(out, p)
		}
	}
	return out
}
