// Package exchange is the negotiation of an exchange as pure values and
// functions: terms and eligibility, a party's lists and their versions,
// the other party's answers person by person, the mediator's view, the
// stage plan, and the agreement document that both parties and the
// mediator sign (docs/design/agreement.md).
//
// It knows no SQL, HTTP, templates, clock or randomness: the store loads
// values, passes the time of the transaction (and reference dates) as
// arguments, writes what comes back together with its log leaf, and never
// changes a state except through the transitions of state.go.
//
// The flow, as the store and API call it:
//
//	ex := exchange.Exchange{ID: "ex-7", Name: "…", Parties: [2]string{"UA", "RU"},
//		Crossings: []string{"Belarus–Ukraine border"}, Terms: terms}
//	err := ex.Validate()                                   // errs.Invalid, by field
//
//	// A party builds a list version from its register and submits it.
//	d := exchange.NewDraft(ex.ID, "UA", exchange.Offer, prev, items, "first list")
//	sub, superseded, err := exchange.Submit(d, prev, now, "user:7")
//	leafContent := sub.Canonical()                         // list.submitted commitment
//	diff := exchange.Diff(prev, &sub)                      // added / removed / changed, with reasons
//
//	// The other party answers persons, all or nothing.
//	rs, err := exchange.RespondAll(&ex, &sub, []exchange.Response{{RecordID: id,
//		Party: "RU", Answer: exchange.Query, Reason: "…", At: now, By: "user:9"}})
//	// errs.Forbidden when RU answers its own list, errs.Conflict on a stale version.
//
//	// The mediator's view; the persons each side releases.
//	v := exchange.NewView(&exchange.ViewInput{Exchange: &ex, Lists: current,
//		Responses: history, Persons: facts, Held: heldByParty})
//	agreed := exchange.Agreed(&ex, current, history)
//
//	// Stages, then the document, signatures and verification.
//	err = plan.Validate(&ex, agreed)
//	a, doc, err := exchange.Freeze(exchange.FreezeInput{Exchange: &ex, Agreed: agreed,
//		Plan: plan, Commitments: commitments, Log: checkpoint})
//	line, err := exchange.Sign(doc, signer)                // on the approver's machine
//	sig, err := exchange.CheckSignature(doc, line, keys, "UA")
//	signed := exchange.AddSignatures(doc, line)
//	verified, err := exchange.Verify(signed, keys, nil)    // all three, or errs.Conflict
//	_, doc2, err := exchange.NewVersion(doc, in)           // any change: new signatures
//
// Eligibility is decided on a [Person]: the facts of a held record
// ([PersonOf]) and the [Evidence] the store keeps beside it (medical
// commission decision, consent events, release blocker). A fact too
// partial to decide a rule is a violation, never a pass.
package exchange
