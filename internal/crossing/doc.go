// Package crossing is what happens at the border crossing, as pure engines:
// the stage state machine, the two-sided handover of each person of a
// stage (each party's officer records only its own side's half: the
// release, the receipt, the observer's confirmation; a person counts when
// they agree), the parity engine that says whether a stage may close, the
// trace status of a sought person and the repatriation of remains.
//
// Values in, values out: the package knows no SQL, HTTP, templates, clock,
// randomness or mutable globals. Times and ids are inputs. A [Stage] is a
// fold over its events: the store persists the events (each with its log
// leaf, see [Event.Content]) and rebuilds a Stage with [Replay]; the same
// events always give the same Stage.
//
// The trace of a sought person is derived here too: the store loads the
// facts about the records asked after (their match decisions, the lists,
// agreements, stages and identifications that name them) and feeds them to
// a [Tracing], which decides what each says ([DeriveTrace]).
//
// The package does not import internal/exchange: the caller maps the
// agreement's stage plan and terms onto [Plan] and [Rule].
//
// The design is written down in docs/design/crossing.md.
package crossing
