package api

import (
	"github.com/handover-project/handover/internal/api"
	"github.com/handover-project/handover/internal/sqlstore"
)

// The store's results as the API shows them (internal/api). Where the two
// have the same fields, a conversion copies them, and a field added on one
// side only stops the build here: the wire changes only when api does.

// each converts every element of in; nil stays nil (JSON null) and empty
// stays empty ([]).
func each[S, T any](in []S, f func(S) T) []T {
	if in == nil {
		return nil
	}
	out := make([]T, len(in))
	for i, v := range in {
		out[i] = f(v)
	}
	return out
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func apiParty(p sqlstore.Party) api.Party { return api.Party(p) }
func apiToken(t sqlstore.Token) api.Token { return api.Token(t) }
func apiCode(c sqlstore.Code) api.Code    { return api.Code(c) }

func apiUser(u sqlstore.User) api.User {
	out := api.User{ID: u.ID, Login: u.Login, Role: u.Role, Party: u.Party, CreatedAt: u.CreatedAt, DisabledAt: u.DisabledAt}
	if u.Enrolment != nil {
		c := apiCode(*u.Enrolment)
		out.Enrolment = &c
	}
	return out
}

func apiMatchRun(r sqlstore.MatchRun) api.MatchRun {
	return api.MatchRun{ID: r.ID, SoughtParty: r.SoughtParty, HeldParty: r.HeldParty, Threshold: r.Threshold,
		Stats: r.Stats, Candidates: r.Candidates, StartedBy: r.StartedBy, StartedAt: r.StartedAt}
}

func apiCandidate(c sqlstore.Candidate) api.Candidate                { return api.Candidate(c) }
func apiDisclosedMatch(m sqlstore.DisclosedMatch) api.DisclosedMatch { return api.DisclosedMatch(m) }
func apiSubmittedList(l sqlstore.SubmittedList) api.SubmittedList    { return api.SubmittedList(l) }
func apiListItem(i sqlstore.ListItem) api.ListItem                   { return api.ListItem(i) }

func apiListView(v sqlstore.ListView) api.ListView {
	return api.ListView{Exchange: v.Exchange, Party: v.Party, Kind: v.Kind, Version: v.Version, State: v.State, Latest: v.Latest,
		Reason: v.Reason, Removed: v.Removed, Items: each(v.Items, apiListItem), Diff: v.Diff}
}

func apiAgreement(a sqlstore.AgreementStatus) api.AgreementStatus { return api.AgreementStatus(a) }

func apiAmendment(a sqlstore.StageAmendment) api.StageAmendment { return api.StageAmendment(a) }
func apiStagePerson(p sqlstore.StagePerson) api.StagePerson     { return api.StagePerson(p) }

func apiStage(v sqlstore.StageView) api.StageView {
	return api.StageView{Exchange: v.Exchange, Stage: v.Stage, State: v.State, Crossing: v.Crossing, Window: v.Window,
		AgreementVersion: v.AgreementVersion, AgreementHash: v.AgreementHash, Rule: v.Rule, History: v.History,
		Report: v.Report, Summary: v.Summary, Unlisted: v.Unlisted, Amendments: each(v.Amendments, apiAmendment)}
}

func apiRecordResult(r sqlstore.RecordResult) api.RecordResult {
	return api.RecordResult{Results: r.Results, Stage: apiStage(r.Stage)}
}

func apiLookupHit(h sqlstore.LookupHit) api.LookupHit {
	return api.LookupHit{StagePerson: apiStagePerson(h.StagePerson), Outcome: h.Outcome, Status: h.Status, Score: h.Score, Why: h.Why}
}

func apiStageListEntry(e sqlstore.StageListEntry) api.StageListEntry {
	return api.StageListEntry{StagePerson: apiStagePerson(e.StagePerson), Outcome: e.Outcome}
}

func apiStageList(l sqlstore.StageList) api.StageList {
	return api.StageList{Exchange: l.Exchange, Stage: l.Stage, Side: l.Side, Receiver: l.Receiver, Crossing: l.Crossing, Window: l.Window,
		AgreementVersion: l.AgreementVersion, AgreementHash: l.AgreementHash, Amendments: each(l.Amendments, apiAmendment),
		Persons: each(l.Persons, apiStageListEntry)}
}

func apiRemains(v sqlstore.RemainsView) api.RemainsView      { return api.RemainsView(v) }
func storeRemains(in api.RemainsInput) sqlstore.RemainsInput { return sqlstore.RemainsInput(in) }
func apiTrace(t sqlstore.TraceResult) api.TraceResult        { return api.TraceResult(t) }
func apiTraceChange(c sqlstore.TraceChange) api.TraceChange  { return api.TraceChange(c) }
func apiKey(k sqlstore.LogKey) api.Key                       { return api.Key(k) }

func apiKeyEvent(e sqlstore.KeyEvent) api.KeyEvent {
	return api.KeyEvent{Seq: e.Seq, Key: e.Key, Fingerprint: e.Fingerprint, Party: e.Party, Purpose: e.Purpose, Event: e.Event,
		Login: e.Login, Role: e.Role, UserParty: e.UserParty, EndorsedBy: e.EndorsedBy, Reason: e.Reason, At: e.At, Leaf: e.Leaf, Nonce: e.Nonce}
}
