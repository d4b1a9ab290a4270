package exchange_test

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/handover-project/handover/internal/audit"
	"github.com/handover-project/handover/internal/exchange"
	"github.com/handover-project/handover/internal/person"
)

// The whole flow as the store and API call it, on two persons a side:
// open an exchange, submit lists, answer them, look at the view, plan the
// stage, freeze, sign and verify.
func Example() {
	at := time.Date(2025, 5, 17, 9, 0, 0, 0, time.UTC)
	ex := exchange.Exchange{
		ID: "ex-7", Name: "2 for 2", Parties: [2]string{"UA", "RU"}, Crossings: []string{"Belarus–Ukraine border"},
		Terms: exchange.Terms{Kind: exchange.Numeric, Total: 2, Rules: []exchange.Rule{{ID: "mil", Category: person.Military}}},
	}
	if err := ex.Validate(); err != nil {
		panic(err)
	}
	facts := map[string]exchange.Person{}
	var lists []exchange.ListVersion
	var history []exchange.Response
	for _, party := range ex.Parties {
		var items []exchange.Item
		for i := 1; i <= 2; i++ {
			id := fmt.Sprintf("%s-h%d", party, i)
			facts[id] = exchange.Person{RecordID: id, Category: person.Military}
			items = append(items, exchange.Item{RecordID: id, Category: person.Military})
		}
		list, _, err := exchange.Submit(exchange.NewDraft(ex.ID, party, exchange.Offer, nil, items, "list"), nil, at, "user:"+party)
		if err != nil {
			panic(err)
		}
		lists = append(lists, list)
		other, _ := ex.Other(party)
		answers, err := exchange.RespondAll(&ex, &list, []exchange.Response{
			{RecordID: items[0].RecordID, Party: other, Answer: exchange.Accept, Reason: "confirmed", At: at, By: "user:" + other},
			{RecordID: items[1].RecordID, Party: other, Answer: exchange.Accept, Reason: "confirmed", At: at, By: "user:" + other},
		})
		if err != nil {
			panic(err)
		}
		history = append(history, answers...)
	}
	// A party may not answer its own list.
	_, err := exchange.Respond(&ex, &lists[0], exchange.Response{RecordID: "UA-h1", Party: "UA", Answer: exchange.Accept, Reason: "x", At: at, By: "user:UA"})
	fmt.Println("UA answering its own list:", err)

	view := exchange.NewView(&exchange.ViewInput{Exchange: &ex, Lists: lists, Responses: history, Persons: facts})
	fmt.Println("ready:", view.Ready, "UA accepted:", view.Sides[0].Total.Accepted)

	agreed := exchange.Agreed(&ex, lists, history)
	plan := exchange.StagePlan{Stages: []exchange.Stage{{Number: 1, Start: at.AddDate(0, 0, 6), End: at.AddDate(0, 0, 6).Add(8 * time.Hour), Crossing: ex.Crossings[0]}}}
	commitments := map[string]audit.Digest{}
	for _, party := range ex.Parties {
		side := exchange.StageSide{Party: party, Planned: exchange.Counts{person.Military: 2}}
		for _, it := range agreed[party] {
			side.Persons = append(side.Persons, it.RecordID)
			commitments[it.RecordID] = audit.Commit(audit.TagRecord, audit.Nonce{}, []byte(it.RecordID)) // the store's record commitment
		}
		plan.Stages[0].Sides = append(plan.Stages[0].Sides, side)
	}
	log := audit.Checkpoint{Origin: "handover.example.org/log", Size: 12, Root: sha256.Sum256(nil)}
	_, doc, err := exchange.Freeze(exchange.FreezeInput{Exchange: &ex, Agreed: agreed, Plan: plan, Commitments: commitments, Log: log})
	if err != nil {
		panic(err)
	}

	signed := doc
	var keys []exchange.SignerKey
	for _, role := range []string{"UA", "RU", exchange.Mediator} {
		seed := sha256.Sum256([]byte(role)) // a real key comes from handover keygen
		skey, vkey, _ := note.GenerateKey(bytes.NewReader(seed[:]), role+"-approver")
		keys = append(keys, exchange.SignerKey{Role: role, VKey: vkey})
		signer, _ := note.NewSigner(skey)
		line, err := exchange.Sign(doc, signer) // on the approver's machine
		if err != nil {
			panic(err)
		}
		if _, err := exchange.CheckSignature(doc, line, keys, role); err != nil { // on upload
			panic(err)
		}
		signed = exchange.AddSignatures(signed, line)
	}
	v, err := exchange.Verify(signed, keys, nil)
	fmt.Println("verified:", err == nil, v.State(), len(v.Signatures), "signatures")
	// Output:
	// UA answering its own list: exchange.Respond: party UA cannot answer its own list
	// ready: true UA accepted: 2
	// verified: true signed 3 signatures
}
