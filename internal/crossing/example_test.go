package crossing_test

import (
	"fmt"
	"time"

	"github.com/handover-project/handover/internal/crossing"
	"github.com/handover-project/handover/internal/person"
)

// How the store and the API drive a stage: build it from the agreed plan,
// record events (one at a time, or a queue sent by a checkpoint laptop
// after a dropped connection), each side's officer its own side's half of
// every handover, compute parity, close. The store keeps
// s.Events() (each with a log leaf committing to Event.Content) and
// rebuilds the stage with crossing.Replay in the next transaction.
func Example() {
	plan := crossing.Plan{
		Exchange: "exchange:1", Stage: 1, Points: []string{"BY-UA"},
		Sides: map[string]crossing.SidePlan{
			"UA": {
				Persons:  []crossing.PlannedPerson{{RecordID: "held:1", Category: person.Military}, {RecordID: "held:2", Category: person.Military}},
				Reserves: []crossing.PlannedPerson{{RecordID: "held:9", Category: person.Military}},
			},
			"RU": {
				Persons: []crossing.PlannedPerson{{RecordID: "held:51", Category: person.Military}, {RecordID: "held:52", Category: person.Military}},
			},
		},
	}
	s, err := crossing.New(plan, crossing.Rule{Kind: crossing.NForN, Reserves: true})
	if err != nil {
		panic(err)
	}
	at := time.Date(2025, 5, 23, 10, 0, 0, 0, time.UTC) // the store's one timestamp per transaction
	stage := func(id string, t crossing.EventType, reason string) crossing.Event {
		return crossing.Event{ID: id, Type: t, At: at, Party: crossing.Mediator, Actor: "user:3", Reason: reason}
	}
	// Each officer records what their own party does: the releasing side
	// releases, the receiving side receives (the store sets Party and
	// Actor from the officer's account).
	released := func(id, side, rec string) crossing.Event {
		return crossing.Event{ID: id, Type: crossing.Released, At: at, Party: side, Actor: "user:7", Side: side, RecordID: rec}
	}
	received := func(id, side, rec, by string) crossing.Event {
		return crossing.Event{ID: id, Type: crossing.Received, At: at, Party: by, Actor: "user:8", Side: side, RecordID: rec,
			Check: crossing.IdentityCheck{Method: crossing.CheckDocument, VerifiedBy: "user:8"}, Health: crossing.HealthGood}
	}
	if _, err := s.Apply(stage("ev-1", crossing.StageOpened, "")); err != nil {
		panic(err)
	}
	refusal := crossing.Event{ID: "ev-4", Type: crossing.Refused, At: at, Party: "UA", Actor: "user:7",
		Side: "UA", RecordID: "held:2", Observer: "user:3", Reason: "declines repatriation"}
	queue := []crossing.Event{ // UA's officer: what UA releases, what UA receives
		released("ev-2", "UA", "held:1"),
		released("ev-2", "UA", "held:1"), // a retry: recorded once
		received("ev-3", "RU", "held:51", "UA"),
		refusal,
		released("ev-5", "UA", "held:2"), // after UA's own refusal: refused
		received("ev-6", "RU", "held:52", "UA"),
		received("ev-10", "UA", "held:1", "UA"), // UA may not receive for RU
	}
	for _, r := range s.ApplyAll(queue) {
		if r.Err != nil {
			fmt.Println(r.ID, r.Status, r.Kind) // r.Message says why, safe to show
			continue
		}
		fmt.Println(r.ID, r.Status)
	}
	r := s.Report()
	fmt.Println("parity:", r.Parity, len(r.Blockers), "blockers;", len(r.Flags), "persons recorded by one side only")
	// RU's officer: what RU releases, what RU receives.
	for _, e := range []crossing.Event{released("ev-11", "RU", "held:51"), released("ev-12", "RU", "held:52"), received("ev-13", "UA", "held:1", "RU")} {
		if _, err := s.Apply(e); err != nil {
			panic(err)
		}
	}
	for _, sg := range s.Report().Balance {
		sub := crossing.Event{ID: "ev-7", Type: crossing.SubstitutedBy, At: at, Party: sg.Side, Actor: "user:7", Side: sg.Side, RecordID: sg.Replaces, Reserve: sg.Reserve}
		if _, err := s.Apply(sub); err != nil {
			panic(err)
		}
		if _, err := s.Apply(received("ev-14", sg.Side, sg.Reserve, "RU")); err != nil {
			panic(err)
		}
	}
	for _, e := range []crossing.Event{stage("ev-8", crossing.StageClosing, ""), stage("ev-9", crossing.StageClosed, "")} {
		if _, err := s.Apply(e); err != nil {
			panic(err)
		}
	}
	r = s.Report()
	fmt.Println(r.State, "parity:", r.Parity, "UA:", r.Sides["UA"].Total.HandedOver, "RU:", r.Sides["RU"].Total.HandedOver,
		"refused:", r.Sides["UA"].Total.Refused, "substituted:", r.Sides["UA"].Total.Substituted)
	again, _ := crossing.Replay(plan, s.Rule(), s.Events())
	fmt.Println("replayed:", again.State(), len(again.Events()), "events")
	// Output:
	// ev-2 applied
	// ev-2 duplicate
	// ev-3 applied
	// ev-4 applied
	// ev-5 refused conflict
	// ev-6 applied
	// ev-10 refused forbidden
	// parity: false 6 blockers; 3 persons recorded by one side only
	// closed parity: true UA: 2 RU: 2 refused: 1 substituted: 1
	// replayed: closed 12 events
}
