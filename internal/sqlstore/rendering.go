package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"slices"
	"strings"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/audit"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/exchange"
	"github.com/handover-project/handover/internal/person"
)

// The rendering of an agreement (docs/design/agreement.md, "Reading what
// is signed"): the persons of one version of the document shown as
// people, each from the stored record version whose commitment the
// document holds. The rows are found by commitment, not by record id: a
// row shows the record the database holds under that commitment, so a
// database that was changed behind the store shows a person the document
// does not hold, and exchange.CheckRendering says so.

// AgreementPerson is one person of an agreement as the reader may see
// them: where the document puts them, the record id and commitment shown,
// and the identity fields the reader may see of the frozen version.
type AgreementPerson struct {
	exchange.RenderedPerson
	Surname       string      `json:"surname,omitempty"`
	GivenNames    string      `json:"given_names,omitempty"`
	Patronymic    string      `json:"patronymic,omitempty"`
	FullName      string      `json:"full_name,omitempty"`
	Latin         string      `json:"latin,omitempty"`
	BirthDate     person.Date `json:"birth_date"`
	Rank          string      `json:"rank,omitempty"`
	ServiceNumber string      `json:"service_number,omitempty"`
	// Version is the record version shown.
	Version int `json:"version,omitempty"`
	// Withheld says that the holding party marked the record
	// transmission-detrimental (GC IV Art. 137(2), or at his own request in the neutral's interview) and the reader is a user
	// of the other party: only the record id, commitment, stage and
	// category are shown.
	Withheld bool `json:"withheld,omitempty"`
	// Unverified says that the stored version's content no longer
	// recomputes to its stored commitment (the database was changed): the
	// row shows no commitment, so the check fails on it.
	Unverified bool `json:"unverified,omitempty"`
}

// Name is the person's name as registered, in one line.
func (p AgreementPerson) Name() string {
	if p.FullName != "" && p.Surname == "" {
		return p.FullName
	}
	return strings.Join(strings.Fields(p.Surname+" "+p.GivenNames+" "+p.Patronymic), " ")
}

// AgreementRendering is a version of an agreement with its persons as the
// reader may see them.
type AgreementRendering struct {
	Agreement *exchange.Agreement
	// Hash is the SHA-256 of the document text, hex.
	Hash    string
	Persons []AgreementPerson // in document order: each side's list, then its reserve
}

// AgreementPersons returns a version of an exchange's agreement (0: the
// latest) with its persons rendered for the scope: names as registered and
// in Latin, birth date, rank, service number, category, stage, record id
// and commitment. A party's user sees nothing but the record id,
// commitment, stage and category of a record the other party marked
// transmission-detrimental (as at the crossing); the mediator's users see
// it whole.
func (db *DB) AgreementPersons(ctx context.Context, s access.Scope, exID string, version int) (AgreementRendering, error) {
	const op = "sqlstore.AgreementPersons"
	if _, err := db.Exchange(ctx, s, exID); err != nil {
		return AgreementRendering{}, errs.E(op, err)
	}
	a, err := agreementVersion(ctx, db, exID, version)
	if err != nil {
		return AgreementRendering{}, err
	}
	doc, err := exchange.ParseAgreement(a.doc)
	if err != nil {
		return AgreementRendering{}, errs.E(op, errs.Internal, "a stored agreement does not parse", err)
	}
	out := AgreementRendering{Agreement: doc, Hash: a.hash}
	// Where the document puts each commitment.
	where := map[audit.Digest]exchange.RenderedPerson{}
	var digests []string
	for _, sd := range doc.Sides {
		for _, p := range slices.Concat(sd.Persons, sd.Reserve) {
			where[p.Commitment] = exchange.RenderedPerson{Party: sd.Party, Stage: p.Stage, Category: p.Category, RecordID: p.RecordID, Commitment: p.Commitment}
			digests = append(digests, p.Commitment.String())
		}
	}
	found := map[audit.Digest][]AgreementPerson{}
	var ids []string
	// Large batches: the commitment has no index, so each batch reads the
	// record versions once.
	const batch = 5000
	for start := 0; start < len(digests); start += batch {
		part := digests[start:min(start+batch, len(digests))]
		args := make([]any, len(part))
		for i, d := range part {
			args[i] = d
		}
		rows, err := db.query(ctx, `SELECT r.id, r.party, v.version, v.body, v.sealed, v.nonce, v.commitment, v.source, v.source_ref, v.reason
			FROM record_versions v JOIN records r ON r.seq = v.record_seq WHERE v.commitment IN (`+placeholders(len(part))+`)`, args...)
		if err != nil {
			return AgreementRendering{}, errs.E(op, errs.Internal, err)
		}
		err = eachRow(rows, func(rows *sql.Rows) error {
			var id, party, body, stored string
			var version int
			var sealed, nonce []byte
			var prov person.Provenance
			if err := rows.Scan(&id, &party, &version, &body, &sealed, &nonce, &stored, &prov.Source, &prov.SourceRef, &prov.Reason); err != nil {
				return err
			}
			c, err := audit.ParseDigest(stored)
			if err != nil {
				return nil // not a commitment the document can hold
			}
			w := where[c]
			p := AgreementPerson{RenderedPerson: exchange.RenderedPerson{Party: party, Stage: w.Stage, Category: w.Category, RecordID: id, Commitment: c}, Version: version}
			r := person.Record{ID: id, Party: party, Version: version, Provenance: prov}
			ok := json.Unmarshal([]byte(body), &r.Fields) == nil
			if ok && len(sealed) > 0 {
				sens, err := db.openSensitive(sealed, id, version)
				if err == nil {
					err = sens.into(&r.Fields)
				}
				ok = err == nil
			}
			if !ok || len(nonce) != len(audit.Nonce{}) || !recordCommits(&r, audit.Nonce(nonce), c) {
				p.Commitment, p.Unverified = audit.Digest{}, true
			}
			f := &r.Fields
			p.Surname, p.GivenNames, p.Patronymic, p.FullName = f.Surname, f.GivenNames, f.Patronymic, f.FullName
			p.Latin = person.LatinOf(party, f).Text
			p.BirthDate, p.Rank, p.ServiceNumber = f.BirthDate, f.Rank, f.ServiceNumber
			p.Withheld = f.Detrimental
			found[c] = append(found[c], p)
			ids = append(ids, id)
			return nil
		})
		if err != nil {
			return AgreementRendering{}, errs.E(op, errs.Internal, err)
		}
	}
	// A record marked detrimental after the freeze is withheld as well.
	now, err := currentFields(ctx, db, ids)
	if err != nil {
		return AgreementRendering{}, errs.E(op, errs.Internal, err)
	}
	for _, sd := range doc.Sides {
		for _, dp := range slices.Concat(sd.Persons, sd.Reserve) {
			for _, p := range found[dp.Commitment] {
				p.Withheld = p.Withheld || now[p.RecordID].Detrimental
				out.Persons = append(out.Persons, p.seenBy(s))
			}
			delete(found, dp.Commitment) // a commitment listed twice is rendered once
		}
	}
	return out, nil
}

// seenBy returns the person as the scope may see them: whole, except that
// a withheld person shows a user of the other party only where the
// document puts them.
func (p AgreementPerson) seenBy(s access.Scope) AgreementPerson {
	if !p.Withheld || s.Party == "" || s.Party == p.Party {
		return p
	}
	return AgreementPerson{RenderedPerson: p.RenderedPerson, Withheld: true, Unverified: p.Unverified}
}

// Rendered returns the rows as exchange.CheckRendering takes them.
func (r *AgreementRendering) Rendered() []exchange.RenderedPerson {
	out := make([]exchange.RenderedPerson, len(r.Persons))
	for i, p := range r.Persons {
		out[i] = p.RenderedPerson
	}
	return out
}

// RenderingQuery selects, sorts and pages the persons of a rendering.
type RenderingQuery struct {
	// Party and Stage keep the persons of one side and one stage (Stage -1:
	// the reserve; 0: every stage and the reserve); empty, 0: all.
	Party string
	Stage int
	// Search keeps the persons whose name (as registered or in Latin),
	// record id or service number contains it, case and apostrophes
	// folded; a withheld person is found by record id only.
	Search string
	// Sort is "name", "latin", "birth", "category", "number", "record",
	// "party" or "" (stage: the document's order); Desc reverses it.
	Sort string
	Desc bool
	// Page is 1, 2, …; Size the persons a page (0: all).
	Page, Size int
}

// RenderingPage is one page of a rendering's persons with the counts of
// the whole selection.
type RenderingPage struct {
	Persons []AgreementPerson
	// Total is how many persons the query selects; Pages how many pages
	// they take; Page the page shown.
	Total, Pages, Page int
	// Counts are the selected persons per party and category (the reserve
	// included; the search not applied).
	Counts map[string]exchange.Counts
}

// Query selects, sorts and pages the persons.
func (r *AgreementRendering) Query(q RenderingQuery) RenderingPage {
	out := RenderingPage{Counts: map[string]exchange.Counts{}}
	needle := person.Fold(strings.TrimSpace(q.Search))
	code := person.FoldCode(q.Search)
	var sel []AgreementPerson
	for _, p := range r.Persons {
		if q.Party != "" && p.Party != q.Party || q.Stage > 0 && p.Stage != q.Stage || q.Stage < 0 && p.Stage != 0 {
			continue
		}
		if out.Counts[p.Party] == nil {
			out.Counts[p.Party] = exchange.Counts{}
		}
		out.Counts[p.Party][p.Category]++
		if needle != "" && !strings.Contains(person.Fold(p.RecordID), needle) &&
			!strings.Contains(person.Fold(p.Name()), needle) && !strings.Contains(person.Fold(p.Latin), needle) &&
			(code == "" || !strings.Contains(person.FoldCode(p.ServiceNumber), code)) {
			continue
		}
		sel = append(sel, p)
	}
	key := map[string]func(a, b AgreementPerson) int{
		"name":     func(a, b AgreementPerson) int { return cmp.Compare(person.Fold(a.Name()), person.Fold(b.Name())) },
		"latin":    func(a, b AgreementPerson) int { return cmp.Compare(person.Fold(a.Latin), person.Fold(b.Latin)) },
		"birth":    func(a, b AgreementPerson) int { return cmp.Compare(a.BirthDate.String(), b.BirthDate.String()) },
		"category": func(a, b AgreementPerson) int { return cmp.Compare(a.Category, b.Category) },
		"number": func(a, b AgreementPerson) int {
			return cmp.Compare(person.FoldCode(a.ServiceNumber), person.FoldCode(b.ServiceNumber))
		},
		"record": func(a, b AgreementPerson) int { return cmp.Compare(a.RecordID, b.RecordID) },
		"party":  func(a, b AgreementPerson) int { return cmp.Compare(a.Party, b.Party) },
	}[q.Sort]
	if key != nil {
		slices.SortStableFunc(sel, key)
	}
	if q.Desc {
		slices.Reverse(sel)
	}
	out.Total, out.Pages, out.Page = len(sel), 1, 1
	if q.Size > 0 {
		out.Pages = max(1, (len(sel)+q.Size-1)/q.Size)
		out.Page = min(max(q.Page, 1), out.Pages)
		sel = sel[(out.Page-1)*q.Size : min(out.Page*q.Size, len(sel))]
	}
	out.Persons = sel
	return out
}

// ListedNames returns the names (as registered) of records listed in an
// exchange, by record id, as the scope may see them: the names a diff
// between list versions and the negotiation's blockers show beside the
// ids. Only records on some version of some list of the exchange are
// named, and a record its party marked transmission-detrimental is named
// to that party's users only (as List shows it); others are left out.
func (db *DB) ListedNames(ctx context.Context, s access.Scope, exID string, ids []string) (map[string]string, error) {
	const op = "sqlstore.ListedNames"
	ex, err := db.Exchange(ctx, s, exID)
	if err != nil {
		return nil, errs.E(op, err)
	}
	want := map[string]bool{}
	for _, id := range ids {
		want[id] = true
	}
	listedBy := map[string]string{}
	for _, p := range ex.Parties {
		for _, k := range []exchange.ListKind{exchange.Offer, exchange.Request} {
			vs, err := listVersions(ctx, db, exID, p, k)
			if err != nil {
				return nil, errs.E(op, errs.Internal, err)
			}
			for _, v := range vs {
				for _, it := range v.Items {
					if want[it.RecordID] {
						listedBy[it.RecordID] = p
					}
				}
			}
		}
	}
	listed := make([]string, 0, len(listedBy))
	for id := range listedBy {
		listed = append(listed, id)
	}
	fields, err := currentFields(ctx, db, listed)
	if err != nil {
		return nil, errs.E(op, errs.Internal, err)
	}
	out := map[string]string{}
	for id, f := range fields {
		if f.Detrimental && s.Party != listedBy[id] {
			continue
		}
		if n := f.DisplayName(); n != "" {
			out[id] = n
		}
	}
	return out, nil
}
