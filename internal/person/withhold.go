package person

import "github.com/handover-project/handover/internal/errs"

// WithholdBasis is the legal basis on which a record is flagged
// "transmission detrimental" (Fields.Detrimental) and so withheld from the
// other party. The flag is not the holding party's choice over a prisoner
// of war: GC III Art. 122(3) has a bureau transmit a prisoner's
// information to his own state through the Central Agency (Art. 123)
// immediately. Withholding as detrimental to the person or his family is
// GC IV Art. 137(2), for protected civilians; for a prisoner of war it
// comes only from his own request, made to the neutral in a private
// interview (GC III Art. 118 and its Commentary; ICRC practice).
type WithholdBasis string

// Bases of withholding.
const (
	// WithholdCivilian: GC IV Art. 137(2), set by the bureau on a
	// civilian's record with a reason.
	WithholdCivilian WithholdBasis = "gc4_art137_2"
	// WithholdOwnRequest: the person asked, in the neutral's recorded
	// interview, that his information be withheld from his own side.
	WithholdOwnRequest WithholdBasis = "own_request"
)

// WithholdBases lists the bases in display order.
var WithholdBases = []WithholdBasis{WithholdCivilian, WithholdOwnRequest}

// Valid reports whether b is a known basis.
func (b WithholdBasis) Valid() bool { return b == WithholdCivilian || b == WithholdOwnRequest }

// IsCivilian reports whether the record is a protected civilian's (GC IV):
// category civilian, or status civilian internee or detained civilian —
// never a prisoner of war.
func (f *Fields) IsCivilian() bool {
	if f.Status == StatusPOW {
		return false
	}
	return f.Category == Civilian || f.Status == StatusCivilianInternee || f.Status == StatusDetainedCivilian
}

// withholdProblems checks the flag against its basis and reason: a flag
// needs both; a basis or reason needs the flag; GC IV Art. 137(2) is for a
// civilian only. Validate calls it.
func (f *Fields) withholdProblems(add func(field, code string, args ...string)) {
	if f.DetrimentalBasis != "" && !f.DetrimentalBasis.Valid() {
		add("detrimental_basis", "bad_detrimental_basis", string(f.DetrimentalBasis))
		return
	}
	if !f.Detrimental {
		if f.DetrimentalBasis != "" || f.DetrimentalReason != "" {
			add("detrimental", "detrimental_unflagged")
		}
		return
	}
	if !f.IsCivilian() && f.DetrimentalBasis != WithholdOwnRequest {
		// GC III Art. 122(3): a prisoner of war's information goes to his
		// state; GC IV Art. 137(2) speaks of protected civilians only.
		add("detrimental", "detrimental_pow")
		return
	}
	if f.DetrimentalBasis == "" {
		add("detrimental_basis", "detrimental_basis_required")
	}
	if f.DetrimentalReason == "" {
		add("detrimental_reason", "detrimental_reason_required")
	}
}

// CheckWithholdWrite checks a bureau's write of a record (a new record when
// prev is nil, a correction of prev otherwise) against the rule that only
// the neutral's recorded interview sets or lifts a withholding at the
// person's own request: the write may keep such a flag as it stands, but
// not set it, change its reason or remove it. The interview writes its
// version by another path. It returns an errs.Invalid error or nil.
func CheckWithholdWrite(prev *Fields, next *Fields) error {
	had := prev != nil && prev.Detrimental && prev.DetrimentalBasis == WithholdOwnRequest
	has := next.Detrimental && next.DetrimentalBasis == WithholdOwnRequest
	switch {
	case has && !had:
		return withholdErr("detrimental_basis", "detrimental_own_request")
	case had && (!has || next.DetrimentalReason != prev.DetrimentalReason):
		return withholdErr("detrimental", "detrimental_own_request_kept")
	}
	return nil
}

func withholdErr(field, code string) error {
	fe := prob(code).fieldError(field)
	return errs.E("person.CheckWithholdWrite", errs.Invalid, fe.Message, fe)
}
