package sqlstore_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/audit"
	"github.com/handover-project/handover/internal/backlog"
	"github.com/handover-project/handover/internal/casework"
	"github.com/handover-project/handover/internal/crossing"
	"github.com/handover-project/handover/internal/custody"
	"github.com/handover-project/handover/internal/exchange"
	"github.com/handover-project/handover/internal/person"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/sqlstore/sqltest"
)

// history is a database with a realistic history behind it: accounts,
// tokens and sessions, registers with a correction, a matching run with a
// confirmed and disclosed match and a rejected one, an exchange with
// lists, answers and evidence, an agreement signed by both parties and the
// mediator and amended since, an open stage with a handover and a
// substitution, checkpoints cosigned by a witness, and a tail of changes
// after the checkpoint a witness holds.
type history struct {
	*crossingFixture
	keys    *audit.Keys
	witness *audit.Cosigner
	// UA's sought persons: A is confirmed with RU's held A and disclosed to
	// UA; B is rejected with RU's held B.
	soughtA, soughtB, heldA, heldB string
	corrected                      string // a UA reserve, corrected once with a reason
	evidence                       string // a UA record with evidence
	caseID                         string // a UA tracing case: opened with an enquiry, a contact
	erased                         string // a UA record with sealed fields, corrected once, then erased
	withheld                       string // a civilian UA holds, withheld by its bureau with a (sealed) reason
	tailRecord, tailCorrected      string // created and corrected after the checkpoint the witness holds
	tailStart                      int64  // the first leaf after it
	outside                        []byte // the newest checkpoint, cosigned, as the witness keeps it
}

func newHistory(t *testing.T, db *sqlstore.DB) *history {
	t.Helper()
	ctx := context.Background()
	h := &history{crossingFixture: newCrossing(t, db, 2, true)}
	sc := h.scopes
	wsk, _, err := audit.GenerateKey("ua-bureau")
	if err != nil {
		t.Fatal(err)
	}
	wvk := sqltest.ActivateKey(t, db, wsk, "UA", sqlstore.KeyWitness)
	if h.witness, err = audit.NewCosigner(wsk); err != nil {
		t.Fatal(err)
	}
	if h.keys, err = audit.NewKeys("handover.test/log", h.logKey, wvk); err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}

	// UA seeks two persons RU holds; matching finds both.
	h.heldA, h.heldB = h.held["RU"][0], h.held["RU"][1]
	var nrs []sqlstore.NewRecord
	for _, id := range []string{h.heldA, h.heldB} {
		f := h.fields[id]
		f.Kind, f.Status = person.Sought, person.StatusMissing
		nrs = append(nrs, sqlstore.NewRecord{Party: "UA", Fields: f})
	}
	sought, err := db.CreateRecords(ctx, sc["ua-reg"], nrs)
	must(err)
	h.soughtA, h.soughtB = sought[0].ID, sought[1].ID
	run, err := db.RunMatching(ctx, sc["op"], "UA", "RU", 0.5)
	must(err)
	if run.Candidates < 2 {
		t.Fatalf("the run found %d candidates, want both pairs", run.Candidates)
	}
	_, err = db.DecideMatch(ctx, sc["op"], h.soughtA, h.heldA, "confirm", "same person")
	must(err)
	must(db.DiscloseMatch(ctx, sc["op"], h.soughtA, h.heldA))
	_, err = db.DecideMatch(ctx, sc["op"], h.soughtB, h.heldB, "reject", "another unit")
	must(err)

	ev, err := db.CreateRecord(ctx, sc["ua-reg"], sqlstore.NewRecord{Party: "UA", Fields: held("Свідченко")})
	must(err)
	h.evidence = ev.ID
	civ := held("Цивільна")
	civ.Category, civ.Status = person.Civilian, person.StatusDetainedCivilian
	civ.Detrimental, civ.DetrimentalBasis, civ.DetrimentalReason = true, person.WithholdCivilian, "the family would be in danger"
	wh, err := db.CreateRecord(ctx, sc["ua-reg"], sqlstore.NewRecord{Party: "UA", Fields: civ})
	must(err)
	h.withheld = wh.ID
	must(db.SetEvidence(ctx, sc["ua-reg"], h.evidence, exchange.Evidence{Blocker: exchange.PendingProsecution}))
	h.corrected = h.res["UA"][1]
	f := h.fields[h.corrected]
	f.Notes = "rank confirmed by the unit"
	_, err = db.CorrectRecord(ctx, sc["ua-reg"], h.corrected, 1, f, "the unit's letter")
	must(err)

	// Accounts, tokens, sessions.
	gone, err := db.CreateUser(ctx, sqlstore.NewUser{Login: "gone", Role: "auditor", Password: "a long enough password", Argon2: cheap})
	must(err)
	must(db.DisableUser(ctx, gone.Login))
	_, _, err = db.CreateToken(ctx, sc["ua-reg"], "cli", time.Hour)
	must(err)
	_, old, err := db.CreateToken(ctx, sc["ru-reg"], "old", time.Hour)
	must(err)
	must(db.RevokeToken(ctx, old.ID, ""))
	_, err = db.CreateSession(ctx, sc["ua-appr"].UserID, true)
	must(err)
	_, err = db.CreateSession(ctx, sc["ua-reg"].UserID, false)
	must(err)
	ended, err := db.CreateSession(ctx, sc["ru-reg"].UserID, false)
	must(err)
	must(db.EndSession(ctx, ended))

	// One-time codes: a newcomer's enrolment code, still open; a reset
	// code its reader used.
	_, err = db.CreateUser(ctx, sqlstore.NewUser{Login: "newcomer", Role: access.PartyRegistrar, Party: "UA", By: sc["admin"]})
	must(err)
	_, err = db.CreateUser(ctx, sqlstore.NewUser{Login: "reader", Role: access.Auditor, Password: "a long enough password", Argon2: cheap})
	must(err)
	reset, err := db.IssueCode(ctx, sc["admin"], "reader", access.CodeReset)
	must(err)
	must(db.ResetPassword(ctx, sqlstore.PasswordReset{Login: "reader", Code: reset.Code, Password: "a new long enough password", Argon2: cheap}))

	// The crossing: stage 1 under the signed agreement, a handover and a
	// substitution by a reserve; then an amendment, not yet signed.
	_, err = db.OpenStage(ctx, sc["op"], h.ex, 1)
	must(err)
	_, err = db.RecordEvents(ctx, sc["ua-officer"], h.ex, 1, []crossing.Event{released("e1", "UA", h.held["UA"][0])})
	must(err)
	_, err = db.RecordEvents(ctx, sc["ru-officer"], h.ex, 1, []crossing.Event{received("e1r", "UA", h.held["UA"][0])})
	must(err)
	sub := crossing.Event{ID: "sub", Type: crossing.SubstitutedBy, At: at0, Side: "RU", RecordID: h.held["RU"][1], Reserve: h.res["RU"][0]}
	res, err := db.RecordEvents(ctx, sc["ru-officer"], h.ex, 1, []crossing.Event{
		{ID: "np", Type: crossing.NotPresented, At: at0, Side: "RU", RecordID: h.held["RU"][1]}, sub})
	must(err)
	for _, r := range res.Results {
		if r.Status != "applied" {
			t.Fatalf("stage events: %+v", res.Results)
		}
	}
	for _, in := range []sqlstore.RemainsInput{
		{Kind: "batch", Batch: &crossing.Batch{ID: "b1", Sender: "RU", Receiver: "UA", At: at0, Declared: 1}},
		{Kind: "package", Package: &crossing.Package{ID: "p1", Batch: "b1", Tag: "RU-0001"}},
		{Kind: "remains", Remains: &crossing.Remains{ID: "m1", Batch: "b1", Claim: crossing.Claim{Side: "UA"}, Packages: []string{"p1"}}},
	} {
		_, err = db.RecordRemains(ctx, sc["op"], h.ex, in)
		must(err)
	}
	_, err = db.FreezeAgreement(ctx, sc["op"], h.logSigner, h.ex, h.plan)
	must(err)

	// A tracing case: UA's bureau opens it from an enquiry and records a call.
	c, err := db.OpenCase(ctx, sc["ua-reg"], h.soughtB, enquiry())
	must(err)
	h.caseID = c.ID
	_, err = db.AddCaseStep(ctx, sc["ua-reg"], c.ID, casework.Step{Kind: casework.KindContact,
		Contact: &casework.Contact{Mode: casework.ModeCall, Date: person.Date{Year: 2026, Month: 1, Day: 5}, With: "мати", Said: contactSaid}})
	must(err)

	// The neutral interviews two listed persons RU holds.
	_, err = db.RecordInterview(ctx, sc["op"], h.ex, exchange.Interview{RecordID: h.heldA, At: at0, Place: "колонія №1", Interviewer: "J. Delegate",
		Organisation: "ICRC", Outcome: exchange.WishesReturn, Notes: "говорив вільно"})
	must(err)
	_, err = db.RecordInterview(ctx, sc["op"], h.ex, exchange.Interview{RecordID: h.heldB, At: at0, Place: "колонія №1", Interviewer: "J. Delegate",
		Organisation: "ICRC", Outcome: exchange.NotInterviewed, Reason: "in the infirmary"})
	must(err)

	// UA's bureau flags A as wounded and of a named group, then B.
	_, err = db.SetPriority(ctx, sc["ua-reg"], h.soughtA, backlog.Flags{Marks: []backlog.Mark{backlog.Wounded}, Group: "Азовсталь"})
	must(err)
	_, err = db.SetPriority(ctx, sc["ua-appr"], h.soughtB, backlog.Flags{Marks: []backlog.Mark{backlog.Woman}})
	must(err)

	// UA's bureau exports its held register for the Central Tracing
	// Agency twice, as CSV and as JSON.
	for _, format := range []string{"csv", "json"} {
		_, _, err = db.ExportTracing(ctx, sc["ua-reg"], "UA", func(recs []person.Record, at time.Time) (sqlstore.TracingFile, error) {
			return sqlstore.TracingFile{Data: []byte(fmt.Sprint(len(recs), at)), Format: format, Schema: "test/v1", Count: len(recs)}, nil
		})
		must(err)
	}

	// UA's bureau records the custody of a person it holds: his capture
	// and internment.
	_, err = db.RecordCustody(ctx, sc["ua-reg"], h.held["UA"][0], custody.Event{Kind: custody.Captured, Date: person.Date{Year: 2025, Month: 3, Day: 1}, Place: "Вовчанськ"})
	must(err)
	_, err = db.RecordCustody(ctx, sc["ua-appr"], h.held["UA"][0], custody.Event{Kind: custody.Interned, Date: person.Date{Year: 2025, Month: 3, Day: 3}, Place: "Табір №9"})
	must(err)

	// A UA record erased for a data-protection request (security.md §9).
	h.erased = eraseOne(t, db, sc["ua-reg"], sc["ua-appr"])

	// A checkpoint the witness cosigns; a tail of changes; the next
	// checkpoint, cosigned too: the witness keeps it.
	h.cosign(t)
	h.tailStart, err = db.LogSize(ctx)
	must(err)
	tail, err := db.CreateRecord(ctx, sc["ua-reg"], sqlstore.NewRecord{Party: "UA", Fields: held("Стертий")})
	must(err)
	h.tailRecord = tail.ID
	h.tailCorrected = h.res["UA"][0]
	f = h.fields[h.tailCorrected]
	f.Notes = "corrected after the checkpoint"
	_, err = db.CorrectRecord(ctx, sc["ua-reg"], h.tailCorrected, 1, f, "late news")
	must(err)
	h.outside = h.cosign(t)
	return h
}

// cosign makes a checkpoint, has the witness cosign it after checking it
// extends the one before, and returns it as the witness keeps it.
func (h *history) cosign(t *testing.T) []byte {
	t.Helper()
	ctx := context.Background()
	cp, err := h.db.Checkpoint(ctx, h.logSigner, audit.CheckpointSchedule{}, true)
	if err != nil {
		t.Fatal(err)
	}
	line, sc, err := audit.Cosign(h.witness, h.keys, nil, cp, nil, h.db.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := h.db.AddCosignature(ctx, sc.Size, line); err != nil {
		t.Fatal(err)
	}
	out, err := h.db.CheckpointAt(ctx, sc.Size)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// seqOf is the SQL of a record's sequence number.
func seqOf(id string) string { return fmt.Sprintf(`(SELECT seq FROM records WHERE id = '%s')`, id) }

// userOf is the SQL of a user's id.
func userOf(login string) string {
	return fmt.Sprintf(`(SELECT id FROM users WHERE login = '%s')`, login)
}

// tamper is one change to the database by whoever holds it, with what the
// audit must say about it.
type tamper struct {
	name     string
	sql      func(h *history) []string // statements, run in order
	args     []any                     // for the last statement
	external bool                      // the witness's checkpoint is given to the audit
	code     audit.FindingCode
	want     func(h *history) string // a fragment of that finding's message naming what changed
}

func s(q ...string) func(*history) []string { return func(*history) []string { return q } }

func w(f string) func(*history) string { return func(*history) string { return f } }

// otherKey is a signer key nobody registered, under a registered name.
var _, otherKey, _ = audit.GenerateKey("signer-ua-appr")

// tampers are the kinds of tampering the audit must catch: every column
// that decides what anyone sees or may do, every derived table, the log.
var tampers = []tamper{
	// Registers.
	{name: "a record's field", sql: func(h *history) []string {
		return []string{`UPDATE record_versions SET body = REPLACE(body, '"given_names":"', '"given_names":"Іван ') WHERE record_seq = ` + seqOf(h.heldA)}
	}, code: sqlstore.RecordChanged, want: func(h *history) string {
		return "record_versions (record " + h.heldA + ", version 1): its fields (body, sealed), source, source_ref or reason no longer match leaf"
	}},
	{name: "a record's sealed fields", sql: func(h *history) []string {
		return []string{`UPDATE record_versions SET sealed = ? WHERE record_seq = ` + seqOf(h.heldA)}
	}, args: []any{[]byte{1, 2, 3}}, code: sqlstore.RecordChanged, want: func(h *history) string { return "record " + h.heldA + " version 1: sealed fields do not open" }},
	{name: "a withhold reason in clear beside its sealed one", sql: func(h *history) []string {
		return []string{`UPDATE record_versions SET body = REPLACE(body, '"detrimental":true', '"detrimental":true,"detrimental_reason":"no danger"') WHERE record_seq = ` + seqOf(h.withheld)}
	}, code: sqlstore.RecordChanged, want: func(h *history) string {
		return "record " + h.withheld + " version 1: the withhold reason is both in clear and sealed"
	}},
	{name: "records.kind", sql: func(h *history) []string {
		return []string{`UPDATE records SET kind = 'sought' WHERE id = '` + h.heldA + `'`}
	},
		code: sqlstore.ColumnChanged, want: func(h *history) string { return "records " + h.heldA + `: kind is "sought", but its current version 1` }},
	{name: "records.category", sql: func(h *history) []string {
		return []string{`UPDATE records SET category = 'civilian' WHERE id = '` + h.heldA + `'`}
	}, code: sqlstore.ColumnChanged, want: func(h *history) string { return "records " + h.heldA + `: category is "civilian"` }},
	{name: "records.status", sql: func(h *history) []string {
		return []string{`UPDATE records SET status = 'deceased' WHERE id = '` + h.heldA + `'`}
	},
		code: sqlstore.ColumnChanged, want: func(h *history) string { return "records " + h.heldA + `: status is "deceased"` }},
	{name: "records.party", sql: func(h *history) []string {
		return []string{`UPDATE records SET party = 'RU' WHERE id = '` + h.evidence + `'`}
	},
		code: sqlstore.ColumnChanged, want: func(h *history) string { return "records " + h.evidence + `: party is "RU", but leaf` }},
	{name: "records.version rolled back", sql: func(h *history) []string {
		return []string{`UPDATE records SET version = 1 WHERE id = '` + h.corrected + `'`}
	},
		code: sqlstore.RecordHeadWrong, want: func(h *history) string {
			return "record " + h.corrected + " points at version 1 but its latest version is 2"
		}},
	{name: "record_versions.category", sql: func(h *history) []string {
		return []string{`UPDATE record_versions SET category = 'civilian' WHERE record_seq = ` + seqOf(h.heldB)}
	}, code: sqlstore.ColumnChanged, want: func(h *history) string {
		return "record_versions (record " + h.heldB + `, version 1): category is "civilian", but its committed fields say "military"`
	}},
	{name: "record_versions.status", sql: func(h *history) []string {
		return []string{`UPDATE record_versions SET status = 'released' WHERE record_seq = ` + seqOf(h.heldB)}
	}, code: sqlstore.ColumnChanged, want: func(h *history) string {
		return "record_versions (record " + h.heldB + `, version 1): status is "released"`
	}},
	{name: "who made a version", sql: func(h *history) []string {
		return []string{`UPDATE record_versions SET entered_by = 'op' WHERE version = 2 AND record_seq = ` + seqOf(h.corrected)}
	}, code: sqlstore.ColumnChanged, want: func(h *history) string {
		return "record_versions (record " + h.corrected + `, version 2): entered_by is "op", but leaf`
	}},
	{name: "when a version was made", sql: func(h *history) []string {
		return []string{`UPDATE record_versions SET entered_at = '2025-01-01T00:00:00.000000Z' WHERE version = 2 AND record_seq = ` + seqOf(h.corrected)}
	}, code: sqlstore.ColumnChanged, want: func(h *history) string {
		return "record_versions (record " + h.corrected + ", version 2): entered_at is 2025-01-01T00:00:00.000000Z, but leaf"
	}},
	{name: "why a version was made", sql: func(h *history) []string {
		return []string{`UPDATE record_versions SET reason = 'no reason' WHERE version = 2 AND record_seq = ` + seqOf(h.corrected)}
	}, code: sqlstore.RecordChanged, want: func(h *history) string { return "record_versions (record " + h.corrected + ", version 2): its fields" }},
	{name: "a version's nonce", sql: func(h *history) []string {
		return []string{`UPDATE record_versions SET nonce = ? WHERE version = 1 AND record_seq = ` + seqOf(h.heldB)}
	}, args: []any{make([]byte, 32)}, code: sqlstore.RecordChanged, want: func(h *history) string { return "record_versions (record " + h.heldB + ", version 1)" }},
	{name: "a version written around the log", sql: func(h *history) []string {
		return []string{`INSERT INTO record_versions (record_seq, version, category, status, body, source, source_ref, entered_by, entered_at, reason)
			SELECT record_seq, 3, category, status, body, source, source_ref, entered_by, entered_at, reason FROM record_versions WHERE version = 2 AND record_seq = ` + seqOf(h.corrected)}
	}, code: sqlstore.RecordUnlogged, want: func(h *history) string { return "record " + h.corrected + " version 3 has no leaf in the log" }},
	{name: "the search index of a record deleted", sql: func(h *history) []string {
		return []string{`DELETE FROM record_terms WHERE record_seq = ` + seqOf(h.soughtA)}
	}, code: sqlstore.DerivedDiffers, want: func(h *history) string { return "record_terms (record " + h.soughtA + ", seq" }},
	{name: "a search key a record does not have", sql: func(h *history) []string {
		return []string{`INSERT INTO record_terms (k, record_seq) SELECT CAST(? AS TEXT), seq FROM records WHERE id = '` + h.soughtB + `'`}
	}, args: []any{"UA\x1fswзаглушка"}, code: sqlstore.DerivedDiffers, want: func(h *history) string { return "record_terms (record " + h.soughtB + ", seq" }},

	{name: "search keys of no record", sql: s(`INSERT INTO record_terms (k, record_seq) VALUES (CAST(? AS TEXT), 99999)`), args: []any{"UA\x1fhwпривид"},
		code: sqlstore.DerivedDiffers, want: w("record_terms (seq 99999): 1 search keys of a record that does not exist")},

	// Matching.
	{name: "a rejected match confirmed", sql: func(h *history) []string {
		return []string{`UPDATE match_decisions SET decision = 'confirmed' WHERE sought_id = '` + h.soughtB + `'`}
	}, code: sqlstore.ColumnChanged, want: func(h *history) string {
		return "(sought " + h.soughtB + ", held " + h.heldB + `): decision is "confirmed", but leaf`
	}},
	{name: "a decision written around the log", sql: func(h *history) []string {
		return []string{`INSERT INTO match_decisions (sought_id, held_id, decision, reason, decided_by, decided_at)
			SELECT sought_id, held_id, 'confirmed', 'x', decided_by, decided_at FROM match_decisions WHERE sought_id = '` + h.soughtB + `'`}
	}, code: sqlstore.RowUnlogged, want: func(h *history) string {
		return "(sought " + h.soughtB + ", held " + h.heldB + "): no match.decided leaf"
	}},
	{name: "who decided", sql: func(h *history) []string {
		return []string{`UPDATE match_decisions SET decided_by = 'admin' WHERE sought_id = '` + h.soughtA + `'`}
	}, code: sqlstore.ColumnChanged, want: w(`decided_by is "admin", but leaf`)},
	{name: "a disclosure inserted", sql: func(h *history) []string {
		return []string{`INSERT INTO match_disclosures (sought_id, held_id, party, disclosed_by, disclosed_at)
			SELECT sought_id, held_id, 'UA', decided_by, decided_at FROM match_decisions WHERE sought_id = '` + h.soughtB + `'`}
	}, code: sqlstore.RowUnlogged, want: func(h *history) string {
		return "(sought " + h.soughtB + ", held " + h.heldB + ", to UA): no match.disclosed leaf"
	}},
	{name: "a disclosure's party", sql: s(`UPDATE match_disclosures SET party = 'RU'`),
		code: sqlstore.ColumnChanged, want: w(`to RU): party is "RU", but leaf`)},
	{name: "a candidate's score", sql: func(h *history) []string {
		return []string{`UPDATE match_candidates SET score = 0.1 WHERE sought_id = '` + h.soughtA + `' AND held_id = '` + h.heldA + `'`}
	}, code: sqlstore.DerivedDiffers, want: func(h *history) string {
		return "match_candidates (run 1, sought " + h.soughtA + ", held " + h.heldA + "): score is 0.1, the run rebuilt from its inputs"
	}},
	{name: "a candidate added", sql: func(h *history) []string {
		return []string{`INSERT INTO match_candidates (run_id, sought_id, held_id, score, weight, explanation) VALUES (1, '` + h.soughtB + `', '` + h.heldA + `', 0.99, 20, '{}')`}
	}, code: sqlstore.DerivedDiffers, want: func(h *history) string {
		return "match_candidates (run 1, sought " + h.soughtB + ", held " + h.heldA + "): not a candidate of the run rebuilt from its inputs"
	}},
	{name: "a run's threshold", sql: s(`UPDATE match_runs SET threshold = 0.9`),
		code: sqlstore.ColumnChanged, want: w("match_runs 1 (UA sought, RU held): its parameters")},

	// Accounts.
	{name: "a user's role escalated", sql: s(`UPDATE users SET role = 'mediator_admin' WHERE login = 'ua-reg'`),
		code: sqlstore.ColumnChanged, want: w(`(ua-reg): role is "mediator_admin", but leaf`)},
	{name: "a user's party", sql: s(`UPDATE users SET party = 'RU' WHERE login = 'ua-appr'`),
		code: sqlstore.ColumnChanged, want: w(`(ua-appr): party is "RU", but leaf`)},
	{name: "a disabled user enabled", sql: s(`UPDATE users SET disabled_at = NULL WHERE login = 'gone'`),
		code: sqlstore.ColumnChanged, want: w(`(gone): disabled_at is "", but leaf`)},
	{name: "a user renamed", sql: s(`UPDATE users SET login = 'ua-boss' WHERE login = 'ua-reg'`),
		code: sqlstore.ColumnChanged, want: w("(ua-boss): login, role, party or disabled_at no longer match leaf")},
	{name: "a password replaced", sql: s(`UPDATE users SET password_hash = (SELECT password_hash FROM users WHERE login = 'gone') WHERE login = 'ua-appr'`),
		code: sqlstore.AccountChanged, want: w("the password of ua-appr is not the one its last logged account event set")},
	{name: "a second factor slipped in", sql: s(`INSERT INTO user_prefs (user_id, totp_sealed) SELECT id, ? FROM users WHERE login = 'ua-reg'`), args: []any{[]byte("a secret nobody enrolled")},
		code: sqlstore.AccountChanged, want: w("the second factor of ua-reg is not the one its last logged account event set")},
	{name: "a user written around the log", sql: s(`INSERT INTO users (login, role, party, password_hash, created_at) SELECT 'evil', 'mediator_admin', NULL, password_hash, created_at FROM users WHERE login = 'admin'`),
		code: sqlstore.RowUnlogged, want: w("(evil): no user leaf")},
	{name: "a token written around the log", sql: s(`INSERT INTO tokens (user_id, name, prefix, hash, created_at, expires_at) SELECT id, 'x', 'x', ?, created_at, '2099-01-01T00:00:00.000000Z' FROM users WHERE login = 'admin'`),
		args: []any{[]byte("a hash nobody logged")}, code: sqlstore.RowUnlogged, want: w("no token leaf")},
	{name: "a revoked token revived", sql: s(`UPDATE tokens SET revoked_at = NULL WHERE name = 'old'`),
		code: sqlstore.ColumnChanged, want: w(`revoked_at is "", but leaf`)},
	{name: "a token given to another user", sql: s(`UPDATE tokens SET user_id = ` + userOf("admin") + ` WHERE name = 'cli'`),
		code: sqlstore.ColumnChanged, want: w("user_id is")},
	{name: "a token's expiry", sql: s(`UPDATE tokens SET expires_at = '2099-01-01T00:00:00.000000Z' WHERE name = 'cli'`),
		code: sqlstore.ColumnChanged, want: w("hash, user_id, expires_at, revoked_at or mfa no longer match leaf")},
	{name: "a session written around the log", sql: s(`INSERT INTO sessions (id_hash, user_id, mfa, created_at, last_seen_at) SELECT ?, id, 1, created_at, created_at FROM users WHERE login = 'admin'`),
		args: []any{[]byte("a session nobody logged")}, code: sqlstore.RowUnlogged, want: w("no session leaf")},
	{name: "a session's second factor", sql: s(`UPDATE sessions SET mfa = 1 WHERE user_id = ` + userOf("ua-reg")),
		code: sqlstore.ColumnChanged, want: w("mfa is 1, but leaf")},
	{name: "an ended session resumed", sql: s(`UPDATE sessions SET ended_at = NULL WHERE user_id = ` + userOf("ru-reg")),
		code: sqlstore.ColumnChanged, want: w(`ended_at is "", but leaf`)},
	{name: "a one-time code planted", sql: s(`INSERT INTO user_codes (user_id, purpose, hash, created_at, expires_at) SELECT id, 'enrol', ?, created_at, '2099-01-01T00:00:00.000000Z' FROM users WHERE login = 'admin'`),
		args: []any{access.HashCode(access.NewCode())}, code: sqlstore.CodeUnlogged, want: w("(admin, enrol): no issued event's leaf commits to its hash")},
	{name: "a one-time code's hash", sql: s(`UPDATE user_codes SET hash = ? WHERE user_id = ` + userOf("newcomer")),
		args: []any{access.HashCode(access.NewCode())}, code: sqlstore.CodeUnlogged, want: w("(newcomer, enrol): no issued event's leaf commits to its hash")},
	{name: "a one-time code's expiry", sql: s(`UPDATE user_codes SET expires_at = '2099-01-01T00:00:00.000000Z' WHERE user_id = ` + userOf("newcomer")),
		code: sqlstore.ColumnChanged, want: w("(newcomer, enrol): expires_at is 2099-01-01T00:00:00.000000Z, but the code leaf")},
	{name: "a reset code made an enrolment code", sql: s(`UPDATE user_codes SET purpose = 'enrol' WHERE user_id = ` + userOf("reader")),
		code: sqlstore.ColumnChanged, want: w(`(reader, enrol): purpose is "enrol", but leaf`)},
	{name: "a used one-time code opened again", sql: s(`UPDATE user_codes SET ended_at = NULL WHERE user_id = ` + userOf("reader")),
		code: sqlstore.ColumnChanged, want: w("(reader, reset): ended_at is empty, but leaf")},

	// The negotiation.
	{name: "the exchange's parties", sql: s(`UPDATE exchanges SET party_a = 'RU', party_b = 'UA'`),
		code: sqlstore.ColumnChanged, want: func(h *history) string {
			return "exchanges " + h.ex + `: party_a is "RU", but its committed terms say "UA"`
		}},
	{name: "the exchange's terms", sql: s(`UPDATE exchanges SET body = REPLACE(body, '"total":2', '"total":20')`),
		code: sqlstore.EventChanged, want: func(h *history) string { return "exchange " + h.ex + " no longer matches any exchange.opened leaf" }},
	{name: "a list's items", sql: s(`UPDATE exchange_lists SET body = REPLACE(body, '"offer"', '"request"') WHERE party = 'UA'`),
		code: sqlstore.EventChanged, want: w("UA's")},
	{name: "who submitted a list", sql: s(`UPDATE exchange_lists SET submitted_by = 'op' WHERE party = 'RU'`),
		code: sqlstore.ColumnChanged, want: w(`RU, offer, version 1): submitted_by is "op", but leaf`)},
	{name: "an answer", sql: s(`UPDATE exchange_responses SET body = REPLACE(body, '"accept"', '"reject"')`),
		code: sqlstore.EventChanged, want: w("answer on")},
	{name: "an answer moved to another exchange", sql: s(`INSERT INTO exchanges (id, party_a, party_b, body, created_by, created_at) SELECT 'ex-other', party_a, party_b, body, created_by, created_at FROM exchanges`,
		`UPDATE exchange_responses SET exchange_id = 'ex-other' WHERE seq = 1`),
		code: sqlstore.ColumnChanged, want: w(`exchange_id is "ex-other", but its committed body says`)},
	{name: "evidence moved to another record", sql: func(h *history) []string {
		return []string{`UPDATE evidence SET record_id = '` + h.held["UA"][1] + `'`}
	}, code: sqlstore.ColumnChanged, want: func(h *history) string {
		return "(record " + h.held["UA"][1] + "): record_id names a record with no evidence.recorded leaf"
	}},
	{name: "evidence's content", sql: s(`UPDATE evidence SET body = REPLACE(body, 'pending', 'no')`),
		code: sqlstore.EventChanged, want: w("evidence on record")},
	{name: "an agreement's hash", sql: s(`UPDATE agreements SET hash = 'abc' WHERE version = 1`),
		code: sqlstore.ColumnChanged, want: func(h *history) string { return "agreements (" + h.ex + ", version 1): hash is abc" }},
	{name: "who signed", sql: s(`UPDATE agreement_signatures SET signed_by = 'admin' WHERE role = 'UA'`),
		code: sqlstore.ColumnChanged, want: w(`version 1, UA): signed_by is "admin", but leaf`)},
	{name: "a signature relabelled to another party", sql: s(`DELETE FROM agreement_signatures WHERE role = 'RU'`, `UPDATE agreement_signatures SET role = 'RU' WHERE role = 'UA'`),
		code: sqlstore.ColumnChanged, want: w(`version 1, RU): role is "RU", but leaf`)},
	{name: "a signature's key", sql: s(`UPDATE agreement_signatures SET key_name = 'signer-op' WHERE role = 'UA'`),
		code: sqlstore.ColumnChanged, want: w(`version 1, UA): key_name is "signer-op"`)},
	{name: "a signature deleted", sql: s(`DELETE FROM agreement_signatures WHERE role = 'mediator'`),
		code: sqlstore.EventMissing, want: w("(agreement.signed) has no row")},

	// The crossing.
	{name: "a stage's pinned agreement version and hash", sql: s(`UPDATE stages SET agreement_version = 2, agreement_hash = (SELECT hash FROM agreements WHERE version = 2)`),
		code: sqlstore.ColumnChanged, want: func(h *history) string { return "stages (" + h.ex + ", stage 1): pins agreement version 2" }},
	{name: "a stage's pinned hash", sql: s(`UPDATE stages SET agreement_hash = 'abc'`),
		code: sqlstore.ColumnChanged, want: func(h *history) string {
			return "stages (" + h.ex + ", stage 1): agreement_hash abc is not the hash of agreement version 1"
		}},
	{name: "a stage written around the log", sql: s(`INSERT INTO stages (exchange_id, stage, agreement_version, agreement_hash, opened_by, opened_at) SELECT exchange_id, 2, agreement_version, agreement_hash, opened_by, opened_at FROM stages`),
		code: sqlstore.RowUnlogged, want: func(h *history) string { return "stages (" + h.ex + ", stage 2): no stage.opened leaf" }},
	{name: "a handover's outcome", sql: s(`UPDATE stage_events SET body = REPLACE(body, '"released"', '"refused"') WHERE event_id = 'e1'`),
		code: sqlstore.EventChanged, want: w("event e1 of stage 1")},
	{name: "who recorded a handover", sql: s(`UPDATE stage_events SET recorded_by = 'ru-officer' WHERE event_id = 'e1'`),
		code: sqlstore.ColumnChanged, want: w(`event e1): recorded_by is "ru-officer", but leaf`)},
	{name: "a reserve's crossing forgotten", sql: s(`DELETE FROM stage_reserves`),
		code: sqlstore.DerivedDiffers, want: w("missing: substitution event sub of stage 1 hands it over")},

	{name: "a batch of remains", sql: s(`UPDATE remains_items SET body = REPLACE(body, '"declared":1', '"declared":2') WHERE kind = 'batch'`),
		code: sqlstore.EventChanged, want: w("batch b1): no longer matches any remains.recorded leaf")},
	{name: "who recorded remains", sql: s(`UPDATE remains_items SET recorded_by = 'ru-officer' WHERE kind = 'remains'`),
		code: sqlstore.ColumnChanged, want: w(`remains m1): recorded_by is "ru-officer", but leaf`)},

	// Tracing cases.
	{name: "a case moved to the other party", sql: func(h *history) []string {
		return []string{`UPDATE case_steps SET party = 'RU' WHERE case_id = '` + h.caseID + `'`}
	}, code: sqlstore.EventChanged, want: func(h *history) string {
		return "case " + h.caseID + " step 1 (opened) no longer matches any case.opened leaf"
	}},
	{name: "a case's sealed words moved to another step", sql: func(h *history) []string {
		return []string{`UPDATE case_steps SET sealed = (SELECT sealed FROM case_steps WHERE case_id = '` + h.caseID + `' AND n = 3) WHERE case_id = '` + h.caseID + `' AND n = 2`}
	}, code: sqlstore.EventChanged, want: func(h *history) string {
		return "case " + h.caseID + " step 2 (enquiry): stored content is not readable"
	}},
	{name: "a case step's content", sql: s(`UPDATE case_steps SET body = REPLACE(body, '"parent"', '"child"')`),
		code: sqlstore.EventChanged, want: func(h *history) string {
			return "case " + h.caseID + " step 2 (enquiry) no longer matches any case.enquiry leaf"
		}},
	{name: "a case step written around the log", sql: func(h *history) []string {
		return []string{`INSERT INTO case_steps (case_id, n, party, record_id, kind, body, sealed, entered_by, entered_at, nonce)
			SELECT case_id, 9, party, record_id, kind, body, sealed, entered_by, entered_at, nonce FROM case_steps WHERE case_id = '` + h.caseID + `' AND n = 3`}
	}, code: sqlstore.RowUnlogged, want: func(h *history) string { return "(case " + h.caseID + ", step 9): no case.contact leaf" }},
	{name: "a case step's author", sql: s(`UPDATE case_steps SET entered_by = 'ru-reg' WHERE n = 3`),
		code: sqlstore.ColumnChanged, want: w(`step 3): entered_by is "ru-reg", but leaf`)},
	{name: "a case step removed", sql: s(`DELETE FROM case_steps WHERE n = 3`),
		code: sqlstore.EventMissing, want: w("(case.contact) has no row in the database")},

	// The backlog's priority flags.
	{name: "priority flags' content", sql: s(`UPDATE priority_flags SET body = REPLACE(body, '"wounded"', '"held_longest"')`),
		code: sqlstore.EventChanged, want: func(h *history) string {
			return "the priority flags of record " + h.soughtA + " no longer matches any priority.flagged leaf"
		}},
	{name: "priority flags moved to another record", sql: func(h *history) []string {
		return []string{`UPDATE priority_flags SET record_id = '` + h.soughtB + `' WHERE record_id = '` + h.soughtA + `'`}
	}, code: sqlstore.ColumnChanged, want: func(h *history) string {
		return "(record " + h.soughtB + `): record_id is "` + h.soughtB + `", but its committed body says "` + h.soughtA + `"`
	}},
	{name: "priority flags written around the log", sql: func(h *history) []string {
		return []string{`INSERT INTO priority_flags (record_id, party, body, entered_by, entered_at, nonce)
			SELECT record_id, party, body, entered_by, entered_at, nonce FROM priority_flags WHERE record_id = '` + h.soughtA + `'`}
	}, code: sqlstore.RowUnlogged, want: func(h *history) string { return "(record " + h.soughtA + "): no priority.flagged leaf" }},
	{name: "who set priority flags", sql: s(`UPDATE priority_flags SET entered_by = 'ru-reg'`),
		code: sqlstore.ColumnChanged, want: w(`entered_by is "ru-reg", but leaf`)},
	{name: "priority flags removed", sql: s(`DELETE FROM priority_flags WHERE body LIKE '%woman%'`),
		code: sqlstore.EventMissing, want: w("(priority.flagged) has no row in the database")},

	// The tracing-agency exports.
	{name: "a tracing export's content", sql: s(`UPDATE tracing_exports SET body = REPLACE(body, '"format":"csv"', '"format":"xlsx"')`),
		code: sqlstore.EventChanged, want: w("of UA no longer matches any bureau.exported leaf")},
	{name: "a tracing export moved to another party", sql: s(`UPDATE tracing_exports SET party = 'RU'`),
		code: sqlstore.ColumnChanged, want: w(`(party RU): party is "RU", but its committed body says "UA"`)},
	{name: "a tracing export written around the log", sql: s(`INSERT INTO tracing_exports (party, body, entered_by, entered_at, nonce)
			SELECT party, body, entered_by, entered_at, nonce FROM tracing_exports WHERE body LIKE '%"csv"%'`),
		code: sqlstore.RowUnlogged, want: w("(party UA): no bureau.exported leaf about this party")},
	{name: "who exported for the tracing agency", sql: s(`UPDATE tracing_exports SET entered_by = 'ua-appr'`),
		code: sqlstore.ColumnChanged, want: w(`entered_by is "ua-appr", but leaf`)},
	{name: "a tracing export removed", sql: s(`DELETE FROM tracing_exports WHERE body LIKE '%"json"%'`),
		code: sqlstore.EventMissing, want: w("(bureau.exported) has no row in the database")},

	// The custody timeline.
	{name: "a custody event's content", sql: s(`UPDATE custody_events SET body = REPLACE(body, 'Табір №9', 'Табір №8')`),
		code: sqlstore.EventChanged, want: func(h *history) string {
			return "custody event 2 of record " + h.held["UA"][0] + " no longer matches any custody.recorded leaf"
		}},
	{name: "a custody event moved to another record", sql: func(h *history) []string {
		return []string{`UPDATE custody_events SET record_id = '` + h.held["UA"][1] + `' WHERE record_id = '` + h.held["UA"][0] + `'`}
	}, code: sqlstore.ColumnChanged, want: func(h *history) string {
		return "(record " + h.held["UA"][1] + `, event 1): record_id is "` + h.held["UA"][1] + `", but its committed body says "` + h.held["UA"][0] + `"`
	}},
	{name: "a custody event written around the log", sql: func(h *history) []string {
		return []string{`INSERT INTO custody_events (record_id, n, party, kind, body, entered_by, entered_at, nonce)
			SELECT record_id, 3, party, kind, body, entered_by, entered_at, nonce FROM custody_events WHERE n = 2`}
	}, code: sqlstore.RowUnlogged, want: func(h *history) string { return "(record " + h.held["UA"][0] + ", event 3): no custody.recorded leaf" }},
	{name: "who recorded a custody event", sql: s(`UPDATE custody_events SET entered_by = 'ru-reg' WHERE n = 2`),
		code: sqlstore.ColumnChanged, want: w(`entered_by is "ru-reg", but leaf`)},
	{name: "a custody event removed", sql: s(`DELETE FROM custody_events WHERE kind = 'interned'`),
		code: sqlstore.EventMissing, want: w("(custody.recorded) has no row in the database")},

	// Erasure (security.md §9).
	{name: "a record erased around the log", sql: func(h *history) []string {
		return []string{`UPDATE record_versions SET body = '{}', sealed = NULL, nonce = NULL, source_ref = '', reason = '' WHERE record_seq = ` + seqOf(h.corrected),
			`DELETE FROM record_terms WHERE record_seq = ` + seqOf(h.corrected)}
	}, code: sqlstore.RecordChanged, want: func(h *history) string {
		return "record_versions (record " + h.corrected + ", version 2): blanked as if erased, but the record has no erasure"
	}},
	{name: "an erased record's content written back", sql: func(h *history) []string {
		return []string{`UPDATE record_versions SET body = (SELECT body FROM record_versions WHERE version = 1 AND record_seq = ` + seqOf(h.heldB) + `) WHERE record_seq = ` + seqOf(h.erased)}
	}, code: sqlstore.RecordNotErased, want: func(h *history) string {
		return "record_versions (record " + h.erased + ", version 1): record " + h.erased + " was erased (leaf"
	}},
	{name: "an erasure written around the log", sql: func(h *history) []string {
		return []string{`INSERT INTO record_erasures (record_id, party, versions, reason, erased_by, erased_at, nonce)
			SELECT '` + h.evidence + `', party, 1, reason, erased_by, erased_at, nonce FROM record_erasures`,
			`UPDATE record_versions SET body = '{}', sealed = NULL, nonce = NULL, source_ref = '', reason = '' WHERE record_seq = ` + seqOf(h.evidence),
			`DELETE FROM record_terms WHERE record_seq = ` + seqOf(h.evidence)}
	}, code: sqlstore.RowUnlogged, want: func(h *history) string {
		return "(record " + h.evidence + "): no record.erased leaf about this record: the tombstone was written around the log"
	}},
	{name: "who erased a record", sql: s(`UPDATE record_erasures SET erased_by = 'ua-reg'`),
		code: sqlstore.ColumnChanged, want: w(`erased_by is "ua-reg", but leaf`)},
	{name: "why a record was erased", sql: s(`UPDATE record_erasures SET reason = 'retention'`),
		code: sqlstore.ColumnChanged, want: w("party, versions or reason no longer match leaf")},
	{name: "an erasure's tombstone removed", sql: s(`DELETE FROM record_erasures`),
		code: sqlstore.RowMissing, want: func(h *history) string {
			return "(record.erased) erased record " + h.erased + ", whose tombstone is not in the database"
		}},
	{name: "a record's flags blanked around the log", sql: func(h *history) []string {
		return []string{`UPDATE priority_flags SET body = '{}', nonce = NULL WHERE record_id = '` + h.soughtA + `'`}
	}, code: sqlstore.EventChanged, want: func(h *history) string {
		return "(record " + h.soughtA + "): blanked as if erased, but the record has no erasure"
	}},
	{name: "an erased record's flags written back", sql: func(h *history) []string {
		return []string{`UPDATE priority_flags SET body = '{"record":"` + h.erased + `","party":"UA","flags":{"marks":["wounded"],"group":"Азовсталь"}}' WHERE record_id = '` + h.erased + `'`}
	}, code: sqlstore.RecordNotErased, want: func(h *history) string {
		return "(record " + h.erased + "): record " + h.erased + " was erased (leaf"
	}},
	{name: "an erased record's flags removed", sql: func(h *history) []string {
		return []string{`DELETE FROM priority_flags WHERE record_id = '` + h.erased + `'`}
	}, code: sqlstore.RowMissing, want: func(h *history) string {
		return "(priority.flagged) is about record " + h.erased + ", which has fewer priority_flags rows"
	}},
	// The neutral's interviews.
	{name: "an interview's content in clear", sql: s(`UPDATE interviews SET body = REPLACE(body, 'wishes_return', 'refuses'), outcome = 'refuses' WHERE outcome = 'wishes_return'`),
		code: sqlstore.ColumnChanged, want: func(h *history) string {
			return "(record " + h.heldA + "): body, its part in clear, is not the public part of its committed body (sealed)"
		}},
	{name: "an interview's sealed content taken from another", sql: s(`UPDATE interviews SET sealed = (SELECT sealed FROM interviews WHERE outcome = 'not_interviewed') WHERE outcome = 'wishes_return'`),
		code: sqlstore.EventChanged, want: w("the sealed interview does not open")},
	{name: "an interview's sealed content removed", sql: s(`UPDATE interviews SET sealed = NULL WHERE outcome = 'wishes_return'`),
		code: sqlstore.EventChanged, want: func(h *history) string {
			return " of record " + h.heldA + " no longer matches any interview.recorded leaf"
		}},
	{name: "an interview's outcome column", sql: s(`UPDATE interviews SET outcome = 'refuses' WHERE outcome = 'wishes_return'`),
		code: sqlstore.ColumnChanged, want: w(`outcome is "refuses", but its committed body says "wishes_return"`)},
	{name: "an interview moved to another person", sql: func(h *history) []string {
		return []string{`UPDATE interviews SET record_id = '` + h.heldB + `' WHERE record_id = '` + h.heldA + `'`}
	}, code: sqlstore.ColumnChanged, want: func(h *history) string {
		return "(record " + h.heldB + `): record_id is "` + h.heldB + `", but its committed body says "` + h.heldA + `"`
	}},
	{name: "an interview written around the log", sql: func(h *history) []string {
		return []string{`INSERT INTO interviews (id, exchange_id, record_id, party, outcome, body, sealed, entered_by, entered_at, nonce)
			SELECT 'iv-forged', exchange_id, record_id, party, outcome, body, sealed, entered_by, entered_at, nonce FROM interviews WHERE record_id = '` + h.heldA + `'`}
	}, code: sqlstore.RowUnlogged, want: func(h *history) string { return "(record " + h.heldA + "): no interview.recorded leaf" }},
	{name: "who recorded an interview", sql: s(`UPDATE interviews SET entered_by = 'ua-reg'`),
		code: sqlstore.ColumnChanged, want: w(`entered_by is "ua-reg", but leaf`)},
	{name: "an interview removed", sql: s(`DELETE FROM interviews WHERE outcome = 'not_interviewed'`),
		code: sqlstore.EventMissing, want: w("(interview.recorded) has no row in the database")},

	// Keys and the log.
	{name: "a registered key replaced", sql: s(`UPDATE log_keys SET vkey = ? WHERE name = 'signer-ua-appr'`), args: []any{otherKey},
		code: sqlstore.EventChanged, want: w("signer-ua-appr")},
	{name: "a signer key moved to the other party", sql: s(`UPDATE log_keys SET party = 'RU' WHERE name = 'signer-ua-appr'`),
		code: sqlstore.EventChanged, want: w("key signer-ua-appr proposed by")},
	{name: "a signer key made a witness", sql: s(`UPDATE log_keys SET purpose = 'witness' WHERE name = 'signer-ua-appr'`),
		code: sqlstore.EventChanged, want: w("key signer-ua-appr proposed by")},
	{name: "a leaf changed", sql: s(`UPDATE log_leaves SET data = (SELECT data FROM log_leaves WHERE idx = 5) WHERE idx = 4`),
		code: audit.LeafHashDiffers, want: w("leaf 4: stored hash differs")},
	{name: "a stored hash changed", sql: s(`UPDATE log_hashes SET hash = (SELECT hash FROM log_hashes WHERE idx = 0) WHERE idx = 2`),
		code: audit.HashDiffers, want: w("stored hash 2 (level 1, node 0")},
	{name: "the latest checkpoint deleted", sql: s(`DELETE FROM log_cosignatures WHERE size = (SELECT MAX(size) FROM log_checkpoints)`, `DELETE FROM log_checkpoints WHERE size = (SELECT MAX(size) FROM log_checkpoints)`),
		code: audit.CheckpointMissing, want: w("is missing from the stored checkpoints: deleted?")},
	{name: "every checkpoint deleted", sql: s(`DELETE FROM log_cosignatures`, `DELETE FROM log_checkpoints`),
		code: audit.CheckpointMissing, want: w("is missing from the stored checkpoints: deleted?")},
	{name: "a cosignature deleted", sql: s(`DELETE FROM log_cosignatures WHERE size = (SELECT MIN(size) FROM log_cosignatures)`),
		code: audit.CosignatureMissing, want: w("records a cosignature on the checkpoint of size")},
	{name: "the tail after a cosigned checkpoint truncated: a record erased, a correction rolled back", sql: func(h *history) []string {
		return []string{
			fmt.Sprintf(`DELETE FROM log_leaves WHERE idx >= %d`, h.tailStart),
			fmt.Sprintf(`DELETE FROM log_hashes WHERE idx >= %d`, audit.StoredHashIndex(h.tailStart)),
			fmt.Sprintf(`DELETE FROM log_cosignatures WHERE size > %d`, h.tailStart),
			fmt.Sprintf(`DELETE FROM log_checkpoints WHERE size > %d`, h.tailStart),
			`DELETE FROM record_terms WHERE record_seq = ` + seqOf(h.tailRecord),
			`DELETE FROM record_versions WHERE record_seq = ` + seqOf(h.tailRecord),
			`DELETE FROM records WHERE id = '` + h.tailRecord + `'`,
			`DELETE FROM record_versions WHERE version = 2 AND record_seq = ` + seqOf(h.tailCorrected),
			`UPDATE records SET version = 1 WHERE id = '` + h.tailCorrected + `'`,
		}
	}, external: true, code: audit.LogRolledBack, want: w("leaves were removed from its end (truncated or rolled back)")},
	{name: "the record of the coverage", sql: s(`UPDATE log_coverage SET content = '{}'`),
		code: sqlstore.CoverageBroken, want: w("but no log.coverage leaf commits to it")},
}

// TestAuditCatchesEveryTamper applies each kind of tampering to a database
// with a realistic history, as its owner could (the append-only triggers
// dropped), and checks that the audit reports it with a message that says
// what changed: the table, the row and the column.
func TestAuditCatchesEveryTamper(t *testing.T) {
	if len(tampers) < 35 {
		t.Fatalf("%d kinds of tampering, want at least the 35 tried on the demo", len(tampers))
	}
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		h := newHistory(t, db)
		clean, err := db.AuditLog(ctx, h.keys, audit.External{Source: "ua.state", Note: h.outside})
		if err != nil {
			t.Fatal(err)
		}
		if !clean.OK() || len(clean.Warnings) > 0 {
			t.Fatalf("the history fails the audit before any tampering:\n%s", clean.Summary())
		}
		for _, tc := range tampers {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				// Each case on a copy of the history, built once.
				dsn := sqltest.DSN(t, db.Dialect())
				if err := db.CloneInto(ctx, dsn); err != nil {
					t.Fatal(err)
				}
				c, err := sqlstore.Open(ctx, sqlstore.Config{DSN: dsn, SealKey: sqltest.Key})
				if err != nil {
					t.Fatal(err)
				}
				defer c.Close()
				if err := c.DropGuards(ctx); err != nil {
					t.Fatal(err)
				}
				stmts := tc.sql(h)
				for i, q := range stmts {
					var args []any
					if i == len(stmts)-1 {
						args = tc.args
					}
					if err := c.RawExec(ctx, q, args...); err != nil {
						t.Fatalf("%s: %v", q, err)
					}
				}
				var ext []audit.External
				if tc.external {
					ext = append(ext, audit.External{Source: "ua.state", Note: h.outside})
				}
				res, err := c.AuditLog(ctx, h.keys, ext...)
				if err != nil {
					t.Fatal(err)
				}
				if res.OK() {
					t.Fatalf("the audit found nothing:\n%s", res.Summary())
				}
				want := tc.want(h)
				for _, f := range res.Findings {
					if f.Code == tc.code && strings.Contains(f.Message, want) {
						t.Logf("[%s] %s", f.Code, f.Message)
						return
					}
				}
				t.Errorf("no %s finding saying %q:\n%s", tc.code, want, findings(res))
			})
		}
	})
}

func findings(res *sqlstore.AuditResult) string {
	var b strings.Builder
	for _, f := range res.Findings {
		fmt.Fprintf(&b, "  [%s] %s\n", f.Code, f.Message)
	}
	return b.String()
}

// TestAuditOfAnUpgradedDatabase makes a database as the store wrote before
// the log covered accounts, matching and stage pins, opens it with this
// one (the upgrade writes one log.coverage leaf and the accounts and
// tokens as they stand, and ends the sessions), and checks what the audit
// says: nothing wrong, what it cannot check of the rows from before, and
// every change made after the upgrade, to old rows or new.
func TestAuditOfAnUpgradedDatabase(t *testing.T) {
	for _, dialect := range sqltest.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			dsn := sqltest.DSN(t, dialect)
			old, err := sqlstore.Open(ctx, sqlstore.Config{DSN: dsn, SealKey: sqltest.Key})
			if err != nil {
				t.Fatal(err)
			}
			old.WriteAsBefore0018()
			f := newCrossing(t, old, 2, true)
			sc := f.scopes
			fl := f.fields[f.held["RU"][0]]
			fl.Kind, fl.Status = person.Sought, person.StatusMissing
			sought, err := old.CreateRecord(ctx, sc["ua-reg"], sqlstore.NewRecord{Party: "UA", Fields: fl})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := old.RunMatching(ctx, sc["op"], "UA", "RU", 0.5); err != nil {
				t.Fatal(err)
			}
			if _, err := old.DecideMatch(ctx, sc["op"], sought.ID, f.held["RU"][0], "confirm", "same person"); err != nil {
				t.Fatal(err)
			}
			if err := old.DiscloseMatch(ctx, sc["op"], sought.ID, f.held["RU"][0]); err != nil {
				t.Fatal(err)
			}
			if _, _, err := old.CreateToken(ctx, sc["ua-reg"], "cli", time.Hour); err != nil {
				t.Fatal(err)
			}
			if _, err := old.CreateSession(ctx, sc["ua-appr"].UserID, true); err != nil {
				t.Fatal(err)
			}
			if _, err := old.OpenStage(ctx, sc["op"], f.ex, 1); err != nil {
				t.Fatal(err)
			}
			// The database never saw migration 0018's first open.
			if err := old.RawExec(ctx, `DELETE FROM log_coverage`); err != nil {
				t.Fatal(err)
			}
			old.Close()

			db, err := sqlstore.Open(ctx, sqlstore.Config{DSN: dsn, SealKey: sqltest.Key})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if n, err := db.OpenSessions(ctx, sc["ua-appr"].UserID); err != nil || n != 0 {
				t.Errorf("%d sessions open after the upgrade (%v), want them ended", n, err)
			}
			// Life goes on under the coverage.
			fl = f.fields[f.held["RU"][1]]
			fl.Kind, fl.Status = person.Sought, person.StatusMissing
			sought2, err := db.CreateRecord(ctx, sc["ua-reg"], sqlstore.NewRecord{Party: "UA", Fields: fl})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := db.RunMatching(ctx, sc["op"], "UA", "RU", 0.5); err != nil {
				t.Fatal(err)
			}
			if _, err := db.DecideMatch(ctx, sc["op"], sought2.ID, f.held["RU"][1], "reject", "another unit"); err != nil {
				t.Fatal(err)
			}
			if _, err := db.CreateSession(ctx, sc["ua-appr"].UserID, true); err != nil {
				t.Fatal(err)
			}
			skey := f.logSigner
			if _, err := db.Checkpoint(ctx, skey, audit.CheckpointSchedule{}, true); err != nil {
				t.Fatal(err)
			}
			keys, err := audit.NewKeys("handover.test/log", f.logKey)
			if err != nil {
				t.Fatal(err)
			}
			res, err := db.AuditLog(ctx, keys)
			if err != nil {
				t.Fatal(err)
			}
			if !res.OK() {
				t.Fatalf("the upgraded database fails the audit:\n%s", findings(res))
			}
			notes := strings.Join(res.Notes, "\n")
			for _, want := range []string{"record versions were logged before the coverage began", "match decisions were logged before the coverage began",
				"1 match disclosures were written before the coverage began", "1 matching runs (and their candidates) were written before the coverage began",
				"1 stages were opened before the coverage began", "1 sessions ended before the coverage began"} {
				if !strings.Contains(notes, want) {
					t.Errorf("notes lack %q:\n%s", want, notes)
				}
			}

			for _, tc := range []struct {
				name   string
				sql    []string
				reopen bool // the server is restarted after the change
				code   audit.FindingCode
				want   string
			}{
				{"an old account's role", []string{`UPDATE users SET role = 'mediator_admin' WHERE login = 'ua-reg'`}, false, sqlstore.ColumnChanged, `(ua-reg): role is "mediator_admin"`},
				{"an old account's password", []string{`UPDATE users SET password_hash = (SELECT password_hash FROM users WHERE login = 'admin') WHERE login = 'ua-appr'`}, false, sqlstore.AccountChanged, "the password of ua-appr is not"},
				{"an old token's expiry", []string{`UPDATE tokens SET expires_at = '2099-01-01T00:00:00.000000Z'`}, false, sqlstore.ColumnChanged, "revoked_at or mfa no longer match"},
				{"an old session resumed", []string{`UPDATE sessions SET ended_at = NULL WHERE created_at < (SELECT MIN(created_at) FROM sessions WHERE ended_at IS NULL)`}, false, sqlstore.RowUnlogged, "no session leaf"},
				{"a disclosure added after the upgrade", []string{`INSERT INTO match_disclosures (sought_id, held_id, party, disclosed_by, disclosed_at)
					SELECT sought_id, held_id, 'UA', decided_by, decided_at FROM match_decisions WHERE decision = 'rejected'`}, false, sqlstore.RowUnlogged, "no match.disclosed leaf"},
				{"an old disclosure removed", []string{`DELETE FROM match_disclosures`}, false, sqlstore.CoverageBroken, "match_disclosures: 0 rows up to 1 predate the coverage, but leaf"},
				{"a decision after the upgrade flipped", []string{`UPDATE match_decisions SET decision = 'confirmed' WHERE decision = 'rejected'`}, false, sqlstore.ColumnChanged, `decision is "confirmed", but leaf`},
				{"the record of what predates the coverage", []string{`UPDATE log_coverage SET content = REPLACE(content, '"match_runs.max":"1"', '"match_runs.max":"2"')`}, false, sqlstore.CoverageBroken, "no longer matches leaf"},
				{"the coverage begun again, to pass new rows off as old", []string{`DELETE FROM log_coverage`, `UPDATE users SET nonce = NULL`}, true, sqlstore.CoverageBroken, "a second log.coverage leaf"},
			} {
				t.Run(tc.name, func(t *testing.T) {
					cdsn := sqltest.DSN(t, dialect)
					if err := db.CloneInto(ctx, cdsn); err != nil {
						t.Fatal(err)
					}
					c, err := sqlstore.Open(ctx, sqlstore.Config{DSN: cdsn, SealKey: sqltest.Key})
					if err != nil {
						t.Fatal(err)
					}
					defer c.Close()
					if err := c.DropGuards(ctx); err != nil {
						t.Fatal(err)
					}
					for _, q := range tc.sql {
						if err := c.RawExec(ctx, q); err != nil {
							t.Fatalf("%s: %v", q, err)
						}
					}
					if tc.reopen {
						c.Close()
						if c, err = sqlstore.Open(ctx, sqlstore.Config{DSN: cdsn, SealKey: sqltest.Key}); err != nil {
							t.Fatal(err)
						}
						defer c.Close()
					}
					res, err := c.AuditLog(ctx, keys)
					if err != nil {
						t.Fatal(err)
					}
					for _, f := range res.Findings {
						if f.Code == tc.code && strings.Contains(f.Message, tc.want) {
							t.Logf("[%s] %s", f.Code, f.Message)
							return
						}
					}
					t.Errorf("no %s finding saying %q:\n%s", tc.code, tc.want, findings(res))
				})
			}
		})
	}
}
