package exchange

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/handover-project/handover/internal/audit"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/person"
)

// DocumentHeader is the first line of an agreement document
// (docs/design/agreement.md) whose terms have no parts. Such documents are
// written exactly as before parts existed, so that every signed version
// goes on verifying.
const DocumentHeader = "handover/agreement/v1"

// DocumentHeaderParts is the first line of an agreement document whose
// terms have parts ([PartsTerms]): format version 2, which adds the "part"
// lines of the terms section.
const DocumentHeaderParts = "handover/agreement/v2"

// headerOf returns the document header for terms t.
func headerOf(t *Terms) string {
	if t.Kind == PartsTerms {
		return DocumentHeaderParts
	}
	return DocumentHeader
}

// Agreement is the content of one version of an agreement document: the
// exchange and its terms, the stage plan, and each side's agreed persons by
// record id and commitment (never by name), built from the log at
// checkpoint Log. Its text form ([Agreement.Marshal]) is what approvers and
// the mediator sign.
type Agreement struct {
	// Exchange is the exchange as agreed; From and To are not part of the
	// document and are left zero.
	Exchange Exchange
	Version  int
	// Previous is the SHA-256 of the previous version's document text;
	// zero for version 1.
	Previous audit.Digest
	// Log is the log checkpoint whose records the lists were built from:
	// every commitment below is in a leaf of that log.
	Log   audit.Checkpoint
	Plan  StagePlan
	Sides []Side // one per party, in Exchange.Parties order
}

// Side is one party's agreed list in an agreement: the persons it releases
// in the stages, and its reserve.
type Side struct {
	Party   string
	Persons []AgreedPerson // sorted by stage, then record id
	Reserve []AgreedPerson // sorted by record id; Stage 0
}

// AgreedPerson is one person of an agreed list: the releasing party's held
// record id, its category, its stage (0 on the reserve), and the commitment
// (docs/design/log.md §2) to the record version the list was built from.
type AgreedPerson struct {
	RecordID   string
	Category   person.Category
	Stage      int
	Commitment audit.Digest
}

// FreezeInput is what an agreement is frozen from.
type FreezeInput struct {
	Exchange *Exchange
	// Agreed is, per party, the offers the other side accepted ([Agreed]).
	Agreed map[string][]Item
	Plan   StagePlan
	// Commitments gives, for every agreed person's record id, the
	// commitment of the record version the list was built from.
	Commitments map[string]audit.Digest
	// Log is the checkpoint of the log that holds those commitments.
	Log audit.Checkpoint
}

// Freeze builds version 1 of an agreement and its canonical text. The
// mediator calls it when both sides have accepted (the view is Ready); the
// store keeps the text as it is and collects signatures beside it
// ([AgreementOpen]). Errors are errs.Invalid, listing every problem.
func Freeze(in FreezeInput) (*Agreement, []byte, error) {
	return build(in, 1, audit.Digest{})
}

// NewVersion builds the next version of an agreement from prev, the text
// of the current version (signatures, if appended, are ignored), and new
// input. The new version carries none of the old signatures: it needs all
// of them again. The store marks prev [AgreementSuperseded].
func NewVersion(prev []byte, in FreezeInput) (*Agreement, []byte, error) {
	const op = "exchange.NewVersion"
	text, _ := splitSigned(prev)
	p, err := ParseAgreement(text)
	if err != nil {
		return nil, nil, errs.E(op, err)
	}
	if in.Exchange == nil || in.Exchange.ID != p.Exchange.ID {
		return nil, nil, errs.E(op, errs.Invalid, "the new version must be of the same exchange")
	}
	return build(in, p.Version+1, sha256.Sum256(text))
}

func build(in FreezeInput, version int, previous audit.Digest) (*Agreement, []byte, error) {
	const op = "exchange.Freeze"
	if in.Exchange == nil {
		return nil, nil, errs.E(op, errs.Invalid, "no exchange")
	}
	ex := *in.Exchange
	ex.From, ex.To = time.Time{}, time.Time{}
	ex.Crossings = slices.Clone(ex.Crossings)
	ex.Terms = normalTerms(ex.Terms)
	if err := ex.Validate(); err != nil {
		return nil, nil, errs.E(op, err)
	}
	var fe []errs.FieldError
	if in.Log.Size <= 0 || !validKeyName(in.Log.Origin) {
		fe = append(fe, errs.FieldError{Field: "log", Message: "a checkpoint of the log (origin and size) is required", Code: "checkpoint_required"})
	}
	plan := normalPlan(in.Plan)
	if err := plan.Validate(&ex, in.Agreed); err != nil {
		fe = append(fe, errs.Fields(err)...)
	}
	a := &Agreement{Exchange: ex, Version: version, Previous: previous, Log: in.Log, Plan: plan}
	stageOf := map[string]int{}
	for _, s := range plan.Stages {
		for _, sd := range s.Sides {
			for _, id := range sd.Persons {
				stageOf[id] = s.Number
			}
		}
	}
	for _, party := range ex.Parties {
		side := Side{Party: party}
		reserve := map[string]bool{}
		for _, id := range plan.ReserveOf(party) {
			reserve[id] = true
		}
		for _, it := range in.Agreed[party] {
			c, ok := in.Commitments[it.RecordID]
			if !ok || c.IsZero() {
				fe = append(fe, errs.FieldError{Field: "commitments", Message: "no commitment for " + it.RecordID, Args: []string{it.RecordID}, Code: "no_commitment"})
				continue
			}
			ap := AgreedPerson{RecordID: it.RecordID, Category: it.Category, Stage: stageOf[it.RecordID], Commitment: c}
			if reserve[it.RecordID] {
				ap.Stage = 0
				side.Reserve = append(side.Reserve, ap)
			} else {
				side.Persons = append(side.Persons, ap)
			}
		}
		sortPersons(side.Persons)
		sortPersons(side.Reserve)
		a.Sides = append(a.Sides, side)
	}
	if fe != nil {
		return nil, nil, errs.E(op, errs.Invalid, "cannot freeze the agreement", fe)
	}
	return a, a.Marshal(), nil
}

func normalTerms(t Terms) Terms {
	if !t.Reference.IsZero() {
		t.Reference = dateOnly(t.Reference)
	}
	t.Rules = normalRules(t.Rules)
	if t.Parts != nil {
		t.Parts = slices.Clone(t.Parts)
		for i := range t.Parts {
			t.Parts[i].Rules = normalRules(t.Parts[i].Rules)
		}
	}
	t.Conditions = slices.Clone(t.Conditions)
	return t
}

func normalRules(rules []Rule) []Rule {
	rules = slices.Clone(rules)
	for i := range rules {
		r := &rules[i]
		if !r.CapturedBy.IsZero() {
			r.CapturedBy = dateOnly(r.CapturedBy)
		}
		r.Decisions, r.Tiers = slices.Clone(r.Decisions), slices.Clone(r.Tiers)
	}
	return rules
}

func normalPlan(p StagePlan) StagePlan {
	out := StagePlan{}
	for _, s := range p.Stages {
		s.Start, s.End = s.Start.UTC().Truncate(time.Second), s.End.UTC().Truncate(time.Second)
		sides := make([]StageSide, len(s.Sides))
		for i, sd := range s.Sides {
			planned := Counts{}
			for c, n := range sd.Planned {
				if n != 0 {
					planned[c] = n
				}
			}
			sides[i] = StageSide{Party: sd.Party, Planned: planned, Persons: slices.Clone(sd.Persons)}
		}
		s.Sides = sides
		out.Stages = append(out.Stages, s)
	}
	for _, r := range p.Reserve {
		out.Reserve = append(out.Reserve, ReserveList{Party: r.Party, Persons: slices.Clone(r.Persons)})
	}
	return out
}

func sortPersons(ps []AgreedPerson) {
	slices.SortFunc(ps, func(a, b AgreedPerson) int {
		if a.Stage != b.Stage {
			return a.Stage - b.Stage
		}
		return strings.Compare(a.RecordID, b.RecordID)
	})
}

// Marshal returns the canonical text of the agreement
// (docs/design/agreement.md): plain UTF-8 lines, each ending in a newline,
// no blank line, readable when printed. It is the text of a C2SP signed
// note.
func (a *Agreement) Marshal() []byte {
	var b bytes.Buffer
	ex := &a.Exchange
	t := &ex.Terms
	fmt.Fprintf(&b, "%s\nexchange %s\nname %s\nversion %d\n", headerOf(t), ex.ID, strconv.Quote(ex.Name), a.Version)
	if a.Previous.IsZero() {
		b.WriteString("previous none\n")
	} else {
		fmt.Fprintf(&b, "previous sha256:%s\n", a.Previous)
	}
	writeParties(&b, ex)
	fmt.Fprintf(&b, "log %s %d %s\n", a.Log.Origin, a.Log.Size, base64.StdEncoding.EncodeToString(a.Log.Root[:]))
	writeTerms(&b, t)
	for _, s := range a.Plan.Stages {
		fmt.Fprintf(&b, "stage %d %s %s %s\n", s.Number, s.Start.UTC().Format(time.RFC3339), s.End.UTC().Format(time.RFC3339), strconv.Quote(s.Crossing))
		for _, sd := range s.Sides {
			fmt.Fprintf(&b, "stage %d %s %d %s\n", s.Number, sd.Party, sd.Planned.Total(), sd.Planned)
		}
		if s.Observed {
			fmt.Fprintf(&b, "stage %d observed\n", s.Number)
		}
	}
	for _, sd := range a.Sides {
		writeList(&b, "list", sd.Party, sd.Persons)
		writeList(&b, "reserve", sd.Party, sd.Reserve)
	}
	b.WriteString("end\n")
	return b.Bytes()
}

func writeParties(b *bytes.Buffer, ex *Exchange) {
	fmt.Fprintf(b, "parties %s %s\n", ex.Parties[0], ex.Parties[1])
	for _, c := range ex.Crossings {
		fmt.Fprintf(b, "crossing %s\n", strconv.Quote(c))
	}
}

// writeTerms writes the terms section. Parts terms (format v2) write
// "terms parts", the reference, then per part a "part" line followed by
// its rules; other terms are written as in format v1.
func writeTerms(b *bytes.Buffer, t *Terms) {
	fmt.Fprintf(b, "terms %s", t.Kind)
	writeBounds(b, t.Total, t.Floor, t.Ceiling)
	if !t.Reference.IsZero() {
		fmt.Fprintf(b, "reference %s\n", t.Reference.Format(time.DateOnly))
	}
	for _, r := range t.Rules {
		b.WriteString(ruleLine(&r))
	}
	for _, p := range t.Parts {
		fmt.Fprintf(b, "part %s %s", p.ID, p.Kind)
		writeBounds(b, p.Total, p.Floor, p.Ceiling)
		for _, r := range p.Rules {
			b.WriteString(ruleLine(&r))
		}
	}
	for _, c := range t.Conditions {
		fmt.Fprintf(b, "condition %s %s\n", c.ID, strconv.Quote(c.Text))
	}
}

func writeBounds(b *bytes.Buffer, total, floor, ceiling int) {
	for _, kv := range []struct {
		k string
		v int
	}{{"total", total}, {"floor", floor}, {"ceiling", ceiling}} {
		if kv.v != 0 {
			fmt.Fprintf(b, " %s=%d", kv.k, kv.v)
		}
	}
	b.WriteByte('\n')
}

// Canonical returns the canonical bytes of the exchange as opened, for the
// commitment of its log leaf: the lines of the agreement document's
// exchange and terms sections (docs/design/agreement.md §1) under the
// header "handover/exchange/v1" ("…/v2" for terms with parts), then "from"
// and "to" dates when set.
func (e *Exchange) Canonical() []byte {
	var b bytes.Buffer
	t := normalTerms(e.Terms)
	header := "handover/exchange/v1"
	if t.Kind == PartsTerms {
		header = "handover/exchange/v2" // the terms have parts: format v2's terms section
	}
	fmt.Fprintf(&b, "%s\nexchange %s\nname %s\n", header, e.ID, strconv.Quote(e.Name))
	writeParties(&b, e)
	writeTerms(&b, &t)
	if !e.From.IsZero() {
		fmt.Fprintf(&b, "from %s\n", e.From.Format(time.DateOnly))
	}
	if !e.To.IsZero() {
		fmt.Fprintf(&b, "to %s\n", e.To.Format(time.DateOnly))
	}
	return b.Bytes()
}

func ruleLine(r *Rule) string {
	var b strings.Builder
	fmt.Fprintf(&b, "rule %s %s", r.ID, r.Category)
	if r.Count != 0 {
		fmt.Fprintf(&b, " count=%d", r.Count)
	}
	if r.AllForAll {
		b.WriteString(" all-for-all")
	}
	if r.MinAge != 0 {
		fmt.Fprintf(&b, " min-age=%d", r.MinAge)
	}
	if r.MaxAge != 0 {
		fmt.Fprintf(&b, " max-age=%d", r.MaxAge)
	}
	if len(r.Decisions) > 0 {
		b.WriteString(" decisions=" + strings.ReplaceAll(decisionsText(r.Decisions), ", ", ","))
	}
	if len(r.Tiers) > 0 {
		b.WriteString(" tiers=" + strings.ReplaceAll(strings.TrimPrefix(tiersText(r.Tiers), "tier "), ", ", ","))
	}
	if !r.CapturedBy.IsZero() {
		b.WriteString(" captured-by=" + r.CapturedBy.Format(time.DateOnly))
	}
	if r.RequireConsent {
		b.WriteString(" consent")
	}
	if r.AllowProsecution {
		b.WriteString(" allow-prosecution")
	}
	if r.AllowSentence {
		b.WriteString(" allow-sentence")
	}
	b.WriteByte('\n')
	return b.String()
}

// writeList writes a list or reserve header and its person lines. The
// header carries the count, the counts per category and the SHA-256 of the
// person lines exactly as written.
func writeList(b *bytes.Buffer, what, party string, ps []AgreedPerson) {
	body, counts := personLines(ps)
	sum := sha256.Sum256(body)
	fmt.Fprintf(b, "%s %s %d %s sha256:%s\n", what, party, len(ps), counts, hex.EncodeToString(sum[:]))
	b.Write(body)
}

func personLines(ps []AgreedPerson) ([]byte, Counts) {
	counts := Counts{}
	body := make([]byte, 0, len(ps)*100)
	for _, p := range ps {
		counts[p.Category]++
		body = append(body, ' ', ' ')
		if p.Stage == 0 {
			body = append(body, '-')
		} else {
			body = strconv.AppendInt(body, int64(p.Stage), 10)
		}
		body = append(body, ' ')
		body = append(body, p.Category...)
		body = append(body, ' ')
		body = append(body, p.RecordID...)
		body = append(body, ' ')
		body = hex.AppendEncode(body, p.Commitment[:])
		body = append(body, '\n')
	}
	return body, counts
}

// Hash returns the SHA-256 of a document's text (signatures, if appended,
// are not part of it): the value the next version names as previous.
func Hash(doc []byte) audit.Digest {
	text, _ := splitSigned(doc)
	return sha256.Sum256(text)
}

// ParseAgreement parses the text of an agreement document (without
// signatures) and checks it: every line in its canonical form, the counts
// and SHA-256 of each list matching its person lines, the exchange and
// terms valid, and the stage plan valid against the agreed lists. Anything
// else is errs.Invalid, saying which line.
func ParseAgreement(text []byte) (*Agreement, error) {
	const op = "exchange.ParseAgreement"
	p := &docParser{lines: strings.SplitAfter(string(text), "\n")}
	if len(text) == 0 || text[len(text)-1] != '\n' {
		return nil, errs.E(op, errs.Invalid, "an agreement document is lines each ending in a newline")
	}
	p.lines = p.lines[:len(p.lines)-1] // the empty string after the last newline
	a, err := p.parse()
	if err != nil {
		return nil, errs.E(op, errs.Invalid, err.Error())
	}
	if !bytes.Equal(a.Marshal(), text) {
		return nil, errs.E(op, errs.Invalid, "the document is not in canonical form (docs/design/agreement.md)")
	}
	if err := a.Exchange.Validate(); err != nil {
		return nil, errs.E(op, errs.Invalid, "the exchange or terms in the document are invalid", errs.Fields(err))
	}
	agreed := map[string][]Item{}
	for _, sd := range a.Sides {
		for _, ps := range [][]AgreedPerson{sd.Persons, sd.Reserve} {
			for _, ap := range ps {
				agreed[sd.Party] = append(agreed[sd.Party], Item{RecordID: ap.RecordID, Category: ap.Category})
			}
		}
	}
	if err := a.Plan.Validate(&a.Exchange, agreed); err != nil {
		return nil, errs.E(op, errs.Invalid, "the stage plan in the document does not hold", errs.Fields(err))
	}
	return a, nil
}

// bounds parses "total=N floor=N ceiling=N" options of a terms or part line.
func (p *docParser) bounds(f []string, total, floor, ceiling *int) error {
	for _, kv := range f {
		k, v, _ := strings.Cut(kv, "=")
		n, err := atoi(v)
		if err != nil {
			return p.errf("bad %s", kv)
		}
		switch k {
		case "total":
			*total = n
		case "floor":
			*floor = n
		case "ceiling":
			*ceiling = n
		default:
			return p.errf("unknown term %q", k)
		}
	}
	return nil
}

// rules parses the rule lines that follow.
func (p *docParser) rules() ([]Rule, error) {
	var out []Rule
	for p.is("rule") {
		f, err := p.next("rule")
		if err != nil || len(f) < 2 {
			return nil, orErr(err, p.errf("rule <id> <category> …"))
		}
		r := Rule{ID: f[0], Category: person.Category(f[1])}
		for _, opt := range f[2:] {
			if err := parseRuleOption(&r, opt); err != nil {
				return nil, p.errf("rule %s: %v", r.ID, err)
			}
		}
		out = append(out, r)
	}
	return out, nil
}

type docParser struct {
	lines []string
	n     int // lines consumed
	cur   int // 1-based number of the line being read, for errors
}

func (p *docParser) peek() (string, bool) {
	if p.n >= len(p.lines) {
		return "", false
	}
	return strings.TrimSuffix(p.lines[p.n], "\n"), true
}

func (p *docParser) errf(format string, args ...any) error {
	return fmt.Errorf("line %d: %s", p.cur, fmt.Sprintf(format, args...))
}

// next returns the next line's fields after the keyword kw; a quoted
// string, which may hold spaces, is only ever the last field.
func (p *docParser) next(kw string) ([]string, error) {
	p.cur = p.n + 1
	l, ok := p.peek()
	if !ok {
		return nil, p.errf("missing %q line", kw)
	}
	rest, ok := strings.CutPrefix(l, kw+" ")
	if !ok {
		return nil, p.errf("want a %q line", kw)
	}
	var f []string
	for rest != "" {
		if rest[0] == '"' {
			q, err := strconv.QuotedPrefix(rest)
			if err != nil || len(q) != len(rest) {
				return nil, p.errf("bad quoted text")
			}
			s, _ := strconv.Unquote(q)
			f = append(f, s)
			break
		}
		tok, more, _ := strings.Cut(rest, " ")
		f = append(f, tok)
		rest = more
	}
	p.n++
	return f, nil
}

func (p *docParser) is(kw string) bool {
	l, ok := p.peek()
	return ok && strings.HasPrefix(l, kw+" ")
}

func (p *docParser) parse() (*Agreement, error) {
	a := &Agreement{}
	ex := &a.Exchange
	t := &ex.Terms
	p.cur = 1
	header, _ := p.peek()
	if header != DocumentHeader && header != DocumentHeaderParts {
		return nil, p.errf("the first line must be %s or %s", DocumentHeader, DocumentHeaderParts)
	}
	p.n++
	f, err := p.next("exchange")
	if err != nil || len(f) != 1 {
		return nil, orErr(err, p.errf("exchange <id>"))
	}
	ex.ID = f[0]
	if f, err = p.next("name"); err != nil || len(f) != 1 {
		return nil, orErr(err, p.errf("name \"…\""))
	}
	ex.Name = f[0]
	if f, err = p.next("version"); err != nil || len(f) != 1 {
		return nil, orErr(err, p.errf("version <n>"))
	}
	if a.Version, err = atoi(f[0]); err != nil || a.Version < 1 {
		return nil, p.errf("bad version")
	}
	if f, err = p.next("previous"); err != nil || len(f) != 1 {
		return nil, orErr(err, p.errf("previous none|sha256:<hex>"))
	}
	if f[0] != "none" {
		h, ok := strings.CutPrefix(f[0], "sha256:")
		d, err := audit.ParseDigest(h)
		if !ok || err != nil {
			return nil, p.errf("bad previous hash")
		}
		a.Previous = d
	}
	if f, err = p.next("parties"); err != nil || len(f) != 2 {
		return nil, orErr(err, p.errf("parties <A> <B>"))
	}
	ex.Parties = [2]string{f[0], f[1]}
	for p.is("crossing") {
		if f, err = p.next("crossing"); err != nil || len(f) != 1 {
			return nil, orErr(err, p.errf("crossing \"…\""))
		}
		ex.Crossings = append(ex.Crossings, f[0])
	}
	if f, err = p.next("log"); err != nil || len(f) != 3 {
		return nil, orErr(err, p.errf("log <origin> <size> <root>"))
	}
	a.Log.Origin = f[0]
	root, err1 := base64.StdEncoding.DecodeString(f[2])
	if a.Log.Size, err = strconv.ParseInt(f[1], 10, 64); err != nil || err1 != nil || len(root) != 32 {
		return nil, p.errf("bad log checkpoint")
	}
	copy(a.Log.Root[:], root)
	if f, err = p.next("terms"); err != nil || len(f) < 1 {
		return nil, orErr(err, p.errf("terms <kind> …"))
	}
	t.Kind = TermsKind(f[0])
	if (t.Kind == PartsTerms) != (header == DocumentHeaderParts) {
		return nil, p.errf("terms of kind parts need the header %s, and only they", DocumentHeaderParts)
	}
	if err := p.bounds(f[1:], &t.Total, &t.Floor, &t.Ceiling); err != nil {
		return nil, err
	}
	if p.is("reference") {
		if f, err = p.next("reference"); err != nil || len(f) != 1 {
			return nil, orErr(err, p.errf("reference <date>"))
		}
		if t.Reference, err = time.Parse(time.DateOnly, f[0]); err != nil {
			return nil, p.errf("bad reference date")
		}
	}
	if t.Rules, err = p.rules(); err != nil {
		return nil, err
	}
	for t.Kind == PartsTerms && p.is("part") {
		if f, err = p.next("part"); err != nil || len(f) < 2 {
			return nil, orErr(err, p.errf("part <id> <kind> …"))
		}
		pt := Part{ID: f[0], Kind: TermsKind(f[1])}
		if err := p.bounds(f[2:], &pt.Total, &pt.Floor, &pt.Ceiling); err != nil {
			return nil, err
		}
		if pt.Rules, err = p.rules(); err != nil {
			return nil, err
		}
		t.Parts = append(t.Parts, pt)
	}
	for p.is("condition") {
		if f, err = p.next("condition"); err != nil || len(f) != 2 {
			return nil, orErr(err, p.errf("condition <id> \"…\""))
		}
		t.Conditions = append(t.Conditions, Condition{ID: f[0], Text: f[1]})
	}
	stageIdx := map[int]int{}
	for p.is("stage") {
		if f, err = p.next("stage"); err != nil || len(f) != 4 {
			return nil, orErr(err, p.errf("stage <n> <start> <end> \"crossing\""))
		}
		s := Stage{Crossing: f[3]}
		var e1, e2, e3 error
		s.Number, e1 = atoi(f[0])
		s.Start, e2 = time.Parse(time.RFC3339, f[1])
		s.End, e3 = time.Parse(time.RFC3339, f[2])
		if e1 != nil || e2 != nil || e3 != nil || !strings.HasSuffix(f[1], "Z") || !strings.HasSuffix(f[2], "Z") {
			return nil, p.errf("bad stage number or window (RFC 3339 in UTC)")
		}
		for range 2 {
			if f, err = p.next("stage"); err != nil || len(f) < 3 || f[0] != strconv.Itoa(s.Number) {
				return nil, orErr(err, p.errf("stage %d <party> <count> <counts>", s.Number))
			}
			sd := StageSide{Party: f[1], Planned: Counts{}}
			n, err := atoi(f[2])
			if err != nil {
				return nil, p.errf("bad count")
			}
			if err := parseCounts(sd.Planned, f[3:]); err != nil || sd.Planned.Total() != n {
				return nil, p.errf("counts do not add up to %d", n)
			}
			s.Sides = append(s.Sides, sd)
		}
		if l, ok := p.peek(); ok && l == "stage "+strconv.Itoa(s.Number)+" observed" {
			s.Observed = true
			p.n++
		}
		stageIdx[s.Number] = len(a.Plan.Stages)
		a.Plan.Stages = append(a.Plan.Stages, s)
	}
	for _, party := range ex.Parties {
		sd := Side{Party: party}
		if sd.Persons, err = p.list("list", party, false); err != nil {
			return nil, err
		}
		if sd.Reserve, err = p.list("reserve", party, true); err != nil {
			return nil, err
		}
		for _, ap := range sd.Persons {
			i, ok := stageIdx[ap.Stage]
			if !ok {
				return nil, fmt.Errorf("list %s: %s is in stage %d, which is not planned", party, ap.RecordID, ap.Stage)
			}
			for j := range a.Plan.Stages[i].Sides {
				if s := &a.Plan.Stages[i].Sides[j]; s.Party == party {
					s.Persons = append(s.Persons, ap.RecordID)
				}
			}
		}
		if len(sd.Reserve) > 0 {
			r := ReserveList{Party: party}
			for _, ap := range sd.Reserve {
				r.Persons = append(r.Persons, ap.RecordID)
			}
			a.Plan.Reserve = append(a.Plan.Reserve, r)
		}
		a.Sides = append(a.Sides, sd)
	}
	p.cur = p.n + 1
	if l, ok := p.peek(); !ok || l != "end" || p.n != len(p.lines)-1 {
		return nil, p.errf("want the last line \"end\"")
	}
	return a, nil
}

// list parses a list or reserve header and its person lines, checking the
// count, the counts per category and the SHA-256.
func (p *docParser) list(what, party string, reserve bool) ([]AgreedPerson, error) {
	f, err := p.next(what)
	if err != nil || len(f) < 4 || f[0] != party {
		return nil, orErr(err, p.errf("%s %s <count> <counts> sha256:<hex>", what, party))
	}
	header := p.n
	n, err := atoi(f[1])
	if err != nil {
		return nil, p.errf("bad count")
	}
	want := Counts{}
	if err := parseCounts(want, f[2:len(f)-1]); err != nil {
		return nil, p.errf("bad counts")
	}
	h, ok := strings.CutPrefix(f[len(f)-1], "sha256:")
	sum, err := audit.ParseDigest(h)
	if !ok || err != nil {
		return nil, p.errf("bad sha256")
	}
	start := p.n
	var ps []AgreedPerson
	for p.n < len(p.lines) && strings.HasPrefix(p.lines[p.n], "  ") {
		p.cur = p.n + 1
		fs := strings.Split(strings.TrimSuffix(p.lines[p.n][2:], "\n"), " ")
		if len(fs) != 4 {
			return nil, p.errf("want \"  <stage> <category> <record-id> <commitment>\"")
		}
		ap := AgreedPerson{Category: person.Category(fs[1]), RecordID: fs[2]}
		if reserve != (fs[0] == "-") {
			return nil, p.errf("a stage number on the list, \"-\" on the reserve")
		}
		if !reserve {
			if ap.Stage, err = atoi(fs[0]); err != nil || ap.Stage < 1 {
				return nil, p.errf("bad stage number")
			}
		}
		if ap.Commitment, err = audit.ParseDigest(fs[3]); err != nil {
			return nil, p.errf("bad commitment")
		}
		if !validID(ap.RecordID) || !ap.Category.Valid() {
			return nil, p.errf("bad record id or category")
		}
		ps = append(ps, ap)
		p.n++
	}
	body := []byte(strings.Join(p.lines[start:p.n], ""))
	got, counts := personLines(ps)
	switch {
	case len(ps) != n:
		return nil, fmt.Errorf("line %d: %s %s has %d persons, the header says %d", header, what, party, len(ps), n)
	case !counts.equal(want):
		return nil, fmt.Errorf("line %d: %s %s counts %s, the header says %s", header, what, party, counts, want)
	case sha256.Sum256(body) != [32]byte(sum) || !bytes.Equal(got, body):
		return nil, fmt.Errorf("line %d: the SHA-256 of %s %s does not match its persons", header, what, party)
	}
	return ps, nil
}

func parseRuleOption(r *Rule, opt string) error {
	k, v, hasV := strings.Cut(opt, "=")
	var err error
	switch {
	case k == "count" && hasV:
		r.Count, err = atoi(v)
	case k == "min-age" && hasV:
		r.MinAge, err = atoi(v)
	case k == "max-age" && hasV:
		r.MaxAge, err = atoi(v)
	case k == "decisions" && hasV:
		for _, d := range strings.Split(v, ",") {
			r.Decisions = append(r.Decisions, Decision(d))
		}
	case k == "tiers" && hasV:
		for _, s := range strings.Split(v, ",") {
			n, e := atoi(s)
			err = cmpErr(err, e)
			r.Tiers = append(r.Tiers, Tier(n))
		}
	case k == "captured-by" && hasV:
		r.CapturedBy, err = time.Parse(time.DateOnly, v)
	case opt == "all-for-all":
		r.AllForAll = true
	case opt == "consent":
		r.RequireConsent = true
	case opt == "allow-prosecution":
		r.AllowProsecution = true
	case opt == "allow-sentence":
		r.AllowSentence = true
	default:
		return fmt.Errorf("unknown option %q", opt)
	}
	if err != nil {
		return fmt.Errorf("bad %q", opt)
	}
	return nil
}

func parseCounts(c Counts, fs []string) error {
	if len(fs) == 1 && fs[0] == "-" {
		return nil
	}
	if len(fs) == 0 {
		return fmt.Errorf("no counts")
	}
	for _, kv := range fs {
		k, v, ok := strings.Cut(kv, "=")
		n, err := atoi(v)
		if !ok || err != nil || n < 1 || !person.Category(k).Valid() {
			return fmt.Errorf("bad count %q", kv)
		}
		c[person.Category(k)] = n
	}
	return nil
}

// atoi parses a decimal without sign or leading zeros.
func atoi(s string) (int, error) {
	if s == "" || (len(s) > 1 && s[0] == '0') || strings.ContainsAny(s, "+-") {
		return 0, fmt.Errorf("bad number %q", s)
	}
	return strconv.Atoi(s)
}

func orErr(err, otherwise error) error {
	if err != nil {
		return err
	}
	return otherwise
}

func cmpErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

func validKeyName(s string) bool {
	return s != "" && !strings.ContainsAny(s, " +\n\t") && validText(s)
}

// splitSigned splits a signed document into its text and its signature
// block (the lines after the first blank line; the text has none).
func splitSigned(doc []byte) (text, sigs []byte) {
	if i := bytes.Index(doc, []byte("\n\n")); i >= 0 {
		return doc[:i+1], doc[i+2:]
	}
	return doc, nil
}

// SignerKey is a public key registered (in the key ceremony) to sign
// agreements for a role: a party's code, for an approver of that party,
// or [Mediator]. Registrars' keys MUST NOT be registered as signer keys.
type SignerKey struct {
	Role string `json:"role"`
	VKey string `json:"vkey"` // signed-note verifier key, name+hash+base64
}

// ParseSignerKeys reads a signer keys file for offline verification: one
// key a line, "<role> <verifier key>", then optional text (a comment);
// blank lines and lines starting with '#' are skipped.
func ParseSignerKeys(data []byte) ([]SignerKey, error) {
	const op = "exchange.ParseSignerKeys"
	var out []SignerKey
	var fe []errs.FieldError
	for i, l := range strings.Split(string(data), "\n") {
		l = strings.TrimSpace(l)
		if l == "" || l[0] == '#' {
			continue
		}
		f := strings.Fields(l)
		if len(f) < 2 {
			fe = append(fe, errs.FieldError{Where: fmt.Sprintf("line %d", i+1), Field: "key", Message: "want \"<role> <verifier key>\"", Code: "want_role_key"})
			continue
		}
		if _, err := note.NewVerifier(f[1]); err != nil {
			fe = append(fe, errs.FieldError{Where: fmt.Sprintf("line %d", i+1), Field: "key", Message: "not a signed-note verifier key", Code: "not_verifier_key"})
			continue
		}
		out = append(out, SignerKey{Role: f[0], VKey: f[1]})
	}
	if fe != nil {
		return nil, errs.E(op, errs.Invalid, "bad signer keys file", fe)
	}
	return out, nil
}

// Sign returns the signature line ("— <key name> <base64>\n") of signer on
// the agreement document doc (its text; signatures already appended are
// ignored). It refuses a doc that is not a valid agreement document. An
// approver runs it on its own machine; the line is then uploaded and added
// with [AddSignatures] after [CheckSignature].
func Sign(doc []byte, signer note.Signer) (string, error) {
	const op = "exchange.Sign"
	text, _ := splitSigned(doc)
	if _, err := ParseAgreement(text); err != nil {
		return "", errs.E(op, err)
	}
	msg, err := note.Sign(&note.Note{Text: string(text)}, signer)
	if err != nil {
		return "", errs.E(op, errs.Invalid, "cannot sign with this key", err)
	}
	return string(msg[len(text)+1:]), nil
}

// Signature is one verified signature on an agreement.
type Signature struct {
	Role    string `json:"role"` // party code or Mediator
	KeyName string `json:"key_name"`
	Line    string `json:"line"`
}

type sigLine struct {
	name string
	hash uint32
	sig  []byte
	line string
}

func parseSigLine(l string) (sigLine, error) {
	l = strings.TrimSuffix(l, "\n")
	rest, ok := strings.CutPrefix(l, "— ")
	name, b64, ok2 := strings.Cut(rest, " ")
	raw, err := base64.StdEncoding.DecodeString(b64)
	if !ok || !ok2 || err != nil || len(raw) < 5 || name == "" {
		return sigLine{}, refuse("exchange.parseSignature", errs.Invalid, errs.FieldError{Field: "line", Message: "not a signature line (\"— <key name> <base64>\")", Code: "not_signature_line"})
	}
	return sigLine{name: name, hash: binary.BigEndian.Uint32(raw), sig: raw[4:], line: l + "\n"}, nil
}

// checkSig finds the registered key of s and checks its signature on
// text. The key name and hash must match a registered key; the role must
// be a party of a or the mediator.
func checkSig(a *Agreement, text []byte, s sigLine, keys []SignerKey) (Signature, error) {
	const op = "exchange.CheckSignature"
	named := false
	for _, k := range keys {
		v, err := note.NewVerifier(k.VKey)
		if err != nil || v.Name() != s.name {
			continue
		}
		named = true
		if v.KeyHash() != s.hash {
			continue
		}
		if k.Role != Mediator && !a.Exchange.HasParty(k.Role) {
			return Signature{}, refuse(op, errs.Forbidden, problem(errs.FieldError{Field: "line", Code: "key_not_party"}, "key %s is registered for %s, which is not a party to exchange %s", s.name, k.Role, a.Exchange.ID))
		}
		if !v.Verify(text, s.sig) {
			return Signature{}, refuse(op, errs.Conflict, problem(errs.FieldError{Field: "line", Code: "signature_other_document"},
				"the signature by %s is not over this document (version %d of %s): it was made over another version or an altered text",
				s.name, a.Version, a.Exchange.ID))
		}
		return Signature{Role: k.Role, KeyName: s.name, Line: s.line}, nil
	}
	if named {
		return Signature{}, refuse(op, errs.Forbidden, problem(errs.FieldError{Field: "line", Code: "wrong_key"}, "wrong key: the signature named %s is not by the key registered under that name", s.name))
	}
	return Signature{}, refuse(op, errs.Forbidden, problem(errs.FieldError{Field: "line", Code: "unregistered_key"}, "the signature is by %s, which is not a registered signer key", s.name))
}

// CheckSignature checks a signature line uploaded for doc by someone
// signing as role (a party code or [Mediator]). It refuses, as
// errs.Forbidden, an unregistered or wrong key, a key registered for
// another role (a key of the other party signing for this one), or a role
// outside the agreement; as errs.Conflict a signature over another
// document or version; as errs.Invalid a malformed line or document.
func CheckSignature(doc []byte, line string, keys []SignerKey, role string) (Signature, error) {
	const op = "exchange.CheckSignature"
	text, _ := splitSigned(doc)
	a, err := ParseAgreement(text)
	if err != nil {
		return Signature{}, errs.E(op, err)
	}
	if role != Mediator && !a.Exchange.HasParty(role) {
		return Signature{}, errs.Errorf(op, errs.Forbidden, "%q does not sign agreements of exchange %s", role, a.Exchange.ID)
	}
	s, err := parseSigLine(line)
	if err != nil {
		return Signature{}, errs.E(op, err)
	}
	sig, err := checkSig(a, text, s, keys)
	if err != nil {
		return Signature{}, err
	}
	if sig.Role != role {
		return Signature{}, refuse(op, errs.Forbidden, problem(errs.FieldError{Field: "line", Code: "key_other_role"}, "key %s is registered for %s and cannot sign for %s", s.name, sig.Role, role))
	}
	return sig, nil
}

// AddSignatures returns doc with signature lines appended as a C2SP signed
// note: the text, a blank line, then the signature lines in the order
// added, each once.
func AddSignatures(doc []byte, lines ...string) []byte {
	text, sigs := splitSigned(doc)
	have := map[string]bool{}
	var b bytes.Buffer
	b.Write(text)
	b.WriteByte('\n')
	for _, l := range append(strings.SplitAfter(string(sigs), "\n"), lines...) {
		if l == "" {
			continue
		}
		if !strings.HasSuffix(l, "\n") {
			l += "\n"
		}
		if !have[l] {
			have[l] = true
			b.WriteString(l)
		}
	}
	return b.Bytes()
}

// Verified is what [Verify] established about a signed agreement.
type Verified struct {
	Agreement  *Agreement
	Hash       audit.Digest // SHA-256 of the document text
	Signatures []Signature  // valid signatures, in note order, one per key
	Missing    []string     // required roles without a valid signature
}

// State returns AgreementSigned when every required role signed, otherwise
// AgreementOpen. Whether a later version superseded it is [Verified.StateAt].
func (v *Verified) State() AgreementState {
	if len(v.Missing) == 0 {
		return AgreementSigned
	}
	return AgreementOpen
}

// StateAt returns the state of the verified version when latest is the
// newest version of its agreement: superseded when a later one exists,
// otherwise [Verified.State].
func (v *Verified) StateAt(latest int) AgreementState {
	if v.Agreement.Version < latest {
		return AgreementSuperseded
	}
	return v.State()
}

// SignedBy reports whether the version carries a valid signature of role.
func (v *Verified) SignedBy(role string) bool {
	for _, s := range v.Signatures {
		if s.Role == role {
			return true
		}
	}
	return false
}

// CheckSign decides whether role may add its signature to the verified
// version when latest is the newest version of the agreement. A superseded
// version is refused (code agreement_superseded, with the version and the
// latest), and so is a second signature of one role (already_signed, with
// the role and the version); otherwise the state decides
// ([AgreementState.CheckSignable]). Every refusal is errs.Conflict. The
// store MUST call it inside the transaction that adds the signature, with
// the version locked.
func (v *Verified) CheckSign(latest int, role string) error {
	const op = "exchange.CheckSign"
	version := v.Agreement.Version
	st := v.StateAt(latest)
	switch {
	case st == AgreementSuperseded:
		msg := fmt.Sprintf("version %d is superseded by version %d: sign the current one", version, latest)
		return errs.E(op, errs.Conflict, msg, errs.FieldError{Field: "version", Message: msg, Args: []string{strconv.Itoa(version), strconv.Itoa(latest)}, Code: "agreement_superseded"})
	case v.SignedBy(role):
		msg := fmt.Sprintf("%s has signed version %d already", role, version)
		return errs.E(op, errs.Conflict, msg, errs.FieldError{Field: "line", Message: msg, Args: []string{role, strconv.Itoa(version)}, Code: "already_signed"})
	}
	return st.CheckSignable()
}

// Verify checks a signed agreement (text, blank line, signature lines) as
// a party does offline: the document parses and holds (see
// [ParseAgreement]), and every signature is by a registered key of a role
// in the agreement, valid over this exact text. required lists the roles
// that must have signed; nil means both parties and the mediator. A bad
// signature refuses the whole document (errs.Forbidden for a wrong or
// unregistered key, errs.Conflict for a signature over another document or
// version). When signatures are only missing, Verify returns the Verified
// value and an errs.Conflict error naming them: the agreement is not in
// effect.
func Verify(signed []byte, keys []SignerKey, required []string) (*Verified, error) {
	const op = "exchange.Verify"
	text, sigs := splitSigned(signed)
	a, err := ParseAgreement(text)
	if err != nil {
		return nil, errs.E(op, err)
	}
	if required == nil {
		required = []string{a.Exchange.Parties[0], a.Exchange.Parties[1], Mediator}
	}
	v := &Verified{Agreement: a, Hash: sha256.Sum256(text)}
	seen := map[string]bool{}
	for _, l := range strings.SplitAfter(string(sigs), "\n") {
		if l == "" {
			continue
		}
		s, err := parseSigLine(l)
		if err != nil {
			return nil, errs.E(op, err)
		}
		sig, err := checkSig(a, text, s, keys)
		if err != nil {
			return nil, errs.E(op, err)
		}
		if k := sig.KeyName + "/" + strconv.FormatUint(uint64(s.hash), 16); !seen[k] {
			seen[k] = true
			v.Signatures = append(v.Signatures, sig)
		}
	}
	for _, r := range required {
		ok := false
		for _, s := range v.Signatures {
			ok = ok || s.Role == r
		}
		if !ok {
			v.Missing = append(v.Missing, r)
		}
	}
	if len(v.Missing) > 0 {
		return v, errs.Errorf(op, errs.Conflict, "agreement %s version %d is not in effect: no signature of %s",
			a.Exchange.ID, a.Version, strings.Join(v.Missing, ", "))
	}
	return v, nil
}
