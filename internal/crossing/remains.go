package crossing

import (
	"sort"
	"time"

	"github.com/handover-project/handover/internal/errs"
)

// IDStatus is how far the identity of remains is established. Until it is
// confirmed, identity is only "according to the sending side".
type IDStatus string

// Identification statuses.
const (
	IDClaimed     IDStatus = "claimed"     // as the sending side says; nothing examined yet
	IDPreliminary IDStatus = "preliminary" // examined; not yet by a primary identifier
	IDConfirmed   IDStatus = "confirmed"   // by fingerprints, dental records or DNA
	IDExcluded    IDStatus = "excluded"    // the claimed (or last) identity is ruled out
)

// idTransitions is the one table of identification transitions. Every
// examination is appended to the history; nothing is overwritten.
//   - confirmed MUST rest on a primary identifier (fingerprints, dental,
//     DNA); a visual identification is at most preliminary;
//   - a confirmation MAY be overturned (excluded) by a later examination,
//     and excluded remains MAY be identified as someone else.
var idTransitions = map[IDStatus][]IDStatus{
	IDClaimed:     {IDPreliminary, IDConfirmed, IDExcluded},
	IDPreliminary: {IDPreliminary, IDConfirmed, IDExcluded},
	IDConfirmed:   {IDConfirmed, IDExcluded},
	IDExcluded:    {IDPreliminary, IDConfirmed, IDExcluded},
}

func idAllowed(from, to IDStatus) bool {
	for _, s := range idTransitions[from] {
		if s == to {
			return true
		}
	}
	return false
}

// IDMethod is how remains were examined.
type IDMethod string

// Identification methods.
const (
	MethodVisual       IDMethod = "visual"
	MethodFingerprints IDMethod = "fingerprints"
	MethodDental       IDMethod = "dental"
	MethodDNA          IDMethod = "dna"
)

// Valid reports whether m is a known method.
func (m IDMethod) Valid() bool {
	return m == MethodVisual || m == MethodFingerprints || m == MethodDental || m == MethodDNA
}

// Primary reports whether m is a primary identifier (INTERPOL DVI): enough
// to confirm an identity.
func (m IDMethod) Primary() bool {
	return m == MethodFingerprints || m == MethodDental || m == MethodDNA
}

// Batch is one transfer of remains from a sender to a receiver.
type Batch struct {
	ID       string    `json:"id"`
	Exchange string    `json:"exchange,omitempty"`
	Sender   string    `json:"sender"`
	Receiver string    `json:"receiver"`
	At       time.Time `json:"at"`
	Point    string    `json:"point,omitempty"`
	// Declared is the count the sender announced ("1,212 bodies").
	Declared int `json:"declared,omitempty"`
	// HandBack marks a batch that returns remains found to belong to the
	// side that sent them; see [Repatriation.HandBack].
	HandBack bool `json:"hand_back,omitempty"`
}

// Content returns b as flat string fields for a log commitment.
func (b Batch) Content() map[string]string {
	return flat("id", b.ID, "exchange", b.Exchange, "sender", b.Sender, "receiver", b.Receiver, "at", ts(b.At),
		"point", b.Point, "declared", nz(b.Declared), "hand_back", yes(b.HandBack))
}

// Package is one body bag or container of a batch, under the sender's tag.
type Package struct {
	ID    string `json:"id"`
	Batch string `json:"batch"`
	Tag   string `json:"tag,omitempty"`
}

// Content returns p as flat string fields for a log commitment.
func (p Package) Content() map[string]string {
	return flat("id", p.ID, "batch", p.Batch, "tag", p.Tag)
}

// Claim is the identity the sending side claims for remains: the party the
// person belonged to and, when it names one, the person's record.
type Claim struct {
	Side     string `json:"side"`
	RecordID string `json:"record_id,omitempty"`
}

// Remains is one deceased person's remains as received: the claim of the
// sending side and the packages they were found in.
type Remains struct {
	ID       string   `json:"id"`
	Batch    string   `json:"batch"`
	Claim    Claim    `json:"claim"`
	Packages []string `json:"packages"`
}

// Content returns r as flat string fields for a log commitment. Package
// links are committed separately (see [Link]).
func (r Remains) Content() map[string]string {
	return flat("id", r.ID, "batch", r.Batch, "claim_side", r.Claim.Side, "claim_record_id", r.Claim.RecordID)
}

// Link ties one package to one person's remains: a package may hold
// several persons, a person may be spread over packages and batches.
type Link struct {
	Package string `json:"package"`
	Remains string `json:"remains"`
}

// Content returns l as flat string fields for a log commitment.
func (l Link) Content() map[string]string { return flat("package", l.Package, "remains", l.Remains) }

// Identification is one examination of remains.
type Identification struct {
	ID       string    `json:"id"` // client-chosen: the same id and content apply once
	Remains  string    `json:"remains"`
	Status   IDStatus  `json:"status"`
	Method   IDMethod  `json:"method"`
	Examiner string    `json:"examiner"` // opaque id of the forensic examiner
	At       time.Time `json:"at"`
	// RecordID and Side are the identity established (preliminary,
	// confirmed): the person's record and the party they belonged to.
	RecordID string `json:"record_id,omitempty"`
	Side     string `json:"side,omitempty"`
	Note     string `json:"note,omitempty"`
}

// Content returns x as flat string fields for a log commitment.
func (x Identification) Content() map[string]string {
	return flat("id", x.ID, "remains", x.Remains, "status", string(x.Status), "method", string(x.Method),
		"examiner", x.Examiner, "at", ts(x.At), "record_id", x.RecordID, "side", x.Side, "note", x.Note)
}

// RemainsStatus is one person's remains with their identification history.
type RemainsStatus struct {
	Remains
	Status          IDStatus         `json:"status"`
	Identifications []Identification `json:"identifications"`
	// HandedBack is the id of the batch that returned the remains to the
	// side they were found to belong to.
	HandedBack string `json:"handed_back,omitempty"`
}

// Repatriation is the flow of remains of one exchange between two sides:
// batches, packages, remains and their many-to-many links, and the
// identification of each. No parity applies: counts need not be equal.
// Like [Stage], it is a fold over values the store keeps; it is not safe
// for concurrent use.
type Repatriation struct {
	sides    map[string]bool
	batches  map[string]Batch
	packages map[string]Package
	remains  map[string]*RemainsStatus
	idents   map[string]string // identification id → content key
	links    map[Link]bool
	order    []string // remains ids in order of arrival
}

// NewRepatriation returns an empty flow of remains between two sides.
func NewRepatriation(sideA, sideB string) (*Repatriation, error) {
	if sideA == "" || sideB == "" || sideA == sideB || sideA == Mediator || sideB == Mediator {
		return nil, errs.E("crossing.NewRepatriation", errs.Invalid, "remains flow between two distinct parties")
	}
	return &Repatriation{
		sides: map[string]bool{sideA: true, sideB: true}, batches: map[string]Batch{}, packages: map[string]Package{},
		remains: map[string]*RemainsStatus{}, idents: map[string]string{}, links: map[Link]bool{},
	}, nil
}

const opRemains = "crossing.Repatriation"

// AddBatch records a batch. The same batch again is a no-op; another batch
// under the same id is a Conflict.
func (r *Repatriation) AddBatch(b Batch) error {
	var fe []errs.FieldError
	if b.ID == "" {
		fe = append(fe, errs.FieldError{Field: "id", Message: "is required", Code: "required"})
	}
	if !r.sides[b.Sender] || !r.sides[b.Receiver] || b.Sender == b.Receiver {
		fe = append(fe, errs.FieldError{Field: "sender", Message: "sender and receiver must be the two sides", Code: "two_sides_batch"})
	}
	if b.At.IsZero() {
		fe = append(fe, errs.FieldError{Field: "at", Message: "is required", Code: "required"})
	}
	if b.Declared < 0 {
		fe = append(fe, errs.FieldError{Field: "declared", Message: "must not be negative", Code: "negative"})
	}
	if len(fe) > 0 {
		return errs.E(opRemains+".AddBatch", errs.Invalid, "the batch is not valid", fe)
	}
	if prev, ok := r.batches[b.ID]; ok {
		return same(opRemains+".AddBatch", "batch", b.ID, prev.Content(), b.Content())
	}
	r.batches[b.ID] = b
	return nil
}

// AddPackage records a package of a known batch.
func (r *Repatriation) AddPackage(p Package) error {
	const op = opRemains + ".AddPackage"
	if p.ID == "" {
		return errs.E(op, errs.Invalid, errs.FieldError{Field: "id", Message: "is required", Code: "required"})
	}
	if p.Batch == "" {
		return errs.E(op, errs.Invalid, errs.FieldError{Field: "batch", Message: "is required", Code: "required"})
	}
	if _, ok := r.batches[p.Batch]; !ok {
		return errs.E(op, errs.Invalid, errs.FieldError{Field: "batch", Message: quote(p.Batch) + " is not a batch of this flow", Args: []string{p.Batch}, Code: "not_batch"})
	}
	if prev, ok := r.packages[p.ID]; ok {
		return same(op, "package", p.ID, prev.Content(), p.Content())
	}
	r.packages[p.ID] = p
	return nil
}

// AddRemains records one person's remains in a batch with the sender's
// claim, linked to at least one package.
func (r *Repatriation) AddRemains(x Remains) error {
	const op = opRemains + ".AddRemains"
	var fe []errs.FieldError
	b, ok := r.batches[x.Batch]
	if x.ID == "" {
		fe = append(fe, errs.FieldError{Field: "id", Message: "is required", Code: "required"})
	}
	if x.Batch == "" {
		fe = append(fe, errs.FieldError{Field: "batch", Message: "is required", Code: "required"})
	} else if !ok {
		fe = append(fe, errs.FieldError{Field: "batch", Message: quote(x.Batch) + " is not a batch of this flow", Args: []string{x.Batch}, Code: "not_batch"})
	} else if b.HandBack {
		fe = append(fe, errs.FieldError{Field: "batch", Message: "a hand-back batch returns remains already received; use HandBack", Code: "handback_batch"})
	}
	if !r.sides[x.Claim.Side] {
		fe = append(fe, errs.FieldError{Field: "claim.side", Message: "the claim must name the side the person belonged to", Code: "claim_side"})
	}
	if len(x.Packages) == 0 {
		fe = append(fe, errs.FieldError{Field: "packages", Message: "remains are found in at least one package", Code: "package_required"})
	}
	for _, p := range x.Packages {
		if _, ok := r.packages[p]; !ok {
			fe = append(fe, errs.FieldError{Field: "packages", Message: quote(p) + " is not a package of this flow", Args: []string{p}, Code: "not_package"})
		}
	}
	if len(fe) > 0 {
		return errs.E(op, errs.Invalid, "the remains are not valid", fe)
	}
	if prev, ok := r.remains[x.ID]; ok {
		if err := same(op, "remains", x.ID, prev.Remains.Content(), x.Content()); err != nil {
			return err
		}
		for _, p := range x.Packages {
			r.link(Link{Package: p, Remains: x.ID})
		}
		return nil
	}
	st := &RemainsStatus{Remains: Remains{ID: x.ID, Batch: x.Batch, Claim: x.Claim}, Status: IDClaimed}
	r.remains[x.ID] = st
	r.order = append(r.order, x.ID)
	for _, p := range x.Packages {
		r.link(Link{Package: p, Remains: x.ID})
	}
	return nil
}

// Link ties a package to remains already recorded (one person's remains
// found in a further package, possibly of a later batch). Linking twice is
// a no-op.
func (r *Repatriation) Link(l Link) error {
	const op = opRemains + ".Link"
	var fe []errs.FieldError
	if l.Package == "" {
		fe = append(fe, errs.FieldError{Field: "package", Message: "is required", Code: "required"})
	}
	if l.Remains == "" {
		fe = append(fe, errs.FieldError{Field: "remains", Message: "is required", Code: "required"})
	}
	if len(fe) > 0 {
		return errs.E(op, errs.Invalid, "the link is not valid", fe)
	}
	if _, ok := r.packages[l.Package]; !ok {
		return errs.E(op, errs.NotFound, "package "+quote(l.Package)+" is not in this flow",
			errs.FieldError{Field: "package", Message: quote(l.Package) + " is not a package of this flow", Args: []string{l.Package}, Code: "not_package"})
	}
	if _, ok := r.remains[l.Remains]; !ok {
		return errs.E(op, errs.NotFound, "remains "+quote(l.Remains)+" are not in this flow",
			errs.FieldError{Field: "remains", Message: quote(l.Remains) + " are not in this flow", Args: []string{l.Remains}, Code: "remains_not_in_flow"})
	}
	r.link(l)
	return nil
}

func (r *Repatriation) link(l Link) {
	if r.links[l] {
		return
	}
	r.links[l] = true
	st := r.remains[l.Remains]
	st.Packages = append(st.Packages, l.Package)
}

// Identify records an examination. The same id and content again is a
// no-op; the transition must be allowed by the table; confirmed needs a
// primary identifier; preliminary and confirmed name the identity found.
func (r *Repatriation) Identify(x Identification) error {
	const op = opRemains + ".Identify"
	var fe []errs.FieldError
	bad := func(f errs.FieldError) { f.Where = x.ID; fe = append(fe, f) }
	if x.ID == "" {
		bad(errs.FieldError{Field: "id", Message: "is required", Code: "required"})
	}
	st, ok := r.remains[x.Remains]
	if x.Remains == "" {
		bad(errs.FieldError{Field: "remains", Message: "is required", Code: "required"})
	} else if !ok {
		bad(errs.FieldError{Field: "remains", Message: quote(x.Remains) + " are not in this flow", Args: []string{x.Remains}, Code: "remains_not_in_flow"})
	}
	if x.Status == IDClaimed || idTransitions[x.Status] == nil {
		bad(errs.FieldError{Field: "status", Message: "must be preliminary, confirmed or excluded", Code: "bad_identification_status"})
	}
	if !x.Method.Valid() {
		bad(errs.FieldError{Field: "method", Message: "must be visual, fingerprints, dental or dna", Code: "bad_identification_method"})
	}
	if x.Examiner == "" {
		bad(errs.FieldError{Field: "examiner", Message: "is required", Code: "required"})
	}
	if x.At.IsZero() {
		bad(errs.FieldError{Field: "at", Message: "is required", Code: "required"})
	}
	if x.Status == IDConfirmed && x.Method.Valid() && !x.Method.Primary() {
		bad(errs.FieldError{Field: "method", Message: "a confirmation needs fingerprints, dental records or DNA; " + string(x.Method) + " gives a preliminary identification", Args: []string{string(x.Method)}, Code: "confirmation_method"})
	}
	if (x.Status == IDPreliminary || x.Status == IDConfirmed) && !r.sides[x.Side] {
		bad(errs.FieldError{Field: "side", Message: "an identification names the side the person belonged to", Code: "identification_side"})
	}
	if len(fe) > 0 {
		return errs.E(op, errs.Invalid, "the identification is not valid", fe)
	}
	if prev, ok := r.idents[x.ID]; ok {
		if prev == flatKey(x.Content()) {
			return nil
		}
		return conflict(op, errs.FieldError{Field: "id", Message: "identification id " + quote(x.ID) + " was already used for a different examination", Args: []string{x.ID}, Code: "identification_id_used"})
	}
	if !idAllowed(st.Status, x.Status) {
		return conflict(op, errs.FieldError{Field: "status", Message: "remains " + quote(x.Remains) + " are " + string(st.Status) + ": cannot become " + string(x.Status), Args: []string{x.Remains, string(st.Status), string(x.Status)}, Code: "identification_transition"})
	}
	if st.HandedBack != "" {
		return conflict(op, errs.FieldError{Field: "remains", Message: "remains " + quote(x.Remains) + " were handed back in batch " + quote(st.HandedBack), Args: []string{x.Remains, st.HandedBack}, Code: "remains_handed_back"})
	}
	st.Status = x.Status
	st.Identifications = append(st.Identifications, x)
	r.idents[x.ID] = flatKey(x.Content())
	return nil
}

// HandBack returns remains found to belong to the side that sent them: it
// records batch (a hand-back batch from the original receiver to the
// original sender) and marks each remains as handed back. Every remains
// MUST have an identification (preliminary or confirmed) naming the
// batch's receiver as the side the person belonged to. All or nothing.
func (r *Repatriation) HandBack(batch Batch, remains []string) error {
	const op = opRemains + ".HandBack"
	batch.HandBack = true
	if len(remains) == 0 {
		return errs.E(op, errs.Invalid, errs.FieldError{Field: "remains", Message: "name the remains handed back", Code: "remains_required"})
	}
	var fe []errs.FieldError
	for _, id := range remains {
		st, ok := r.remains[id]
		switch {
		case !ok:
			fe = append(fe, errs.FieldError{Field: "remains", Where: id, Message: "not in this flow", Code: "not_in_flow"})
		case st.HandedBack != "":
			fe = append(fe, errs.FieldError{Field: "remains", Where: id, Message: "already handed back in batch " + quote(st.HandedBack), Args: []string{st.HandedBack}, Code: "already_handed_back"})
		case st.Status != IDPreliminary && st.Status != IDConfirmed:
			fe = append(fe, errs.FieldError{Field: "remains", Where: id, Message: "not identified: only identified remains are handed back", Code: "not_identified"})
		case st.Identifications[len(st.Identifications)-1].Side != batch.Receiver:
			fe = append(fe, errs.FieldError{Field: "remains", Where: id, Message: "identified as belonging to " + st.Identifications[len(st.Identifications)-1].Side + ", not to " + batch.Receiver, Args: []string{st.Identifications[len(st.Identifications)-1].Side, batch.Receiver}, Code: "identified_other_side"})
		case r.batches[st.Batch].Receiver != batch.Sender:
			fe = append(fe, errs.FieldError{Field: "remains", Where: id, Message: "were not received by " + batch.Sender, Args: []string{batch.Sender}, Code: "not_received_by"})
		}
	}
	if len(fe) > 0 {
		return errs.E(op, errs.Invalid, "these remains cannot be handed back", fe)
	}
	if _, exists := r.batches[batch.ID]; exists {
		return conflict(op, errs.FieldError{Field: "id", Message: "batch " + quote(batch.ID) + " already exists", Args: []string{batch.ID}, Code: "batch_exists"})
	}
	if err := r.AddBatch(batch); err != nil {
		return err
	}
	for _, id := range remains {
		r.remains[id].HandedBack = batch.ID
	}
	return nil
}

// Status returns the remains with the given id.
func (r *Repatriation) Status(id string) (RemainsStatus, error) {
	st, ok := r.remains[id]
	if !ok {
		return RemainsStatus{}, errs.E(opRemains+".Status", errs.NotFound, "remains "+quote(id)+" are not in this flow", errs.Coded{Code: "remains_not_in_flow", Args: []string{id}})
	}
	c := *st
	c.Packages = append([]string(nil), st.Packages...)
	c.Identifications = append([]Identification(nil), st.Identifications...)
	return c, nil
}

// PackageRemains returns the ids of the remains linked to a package, sorted.
func (r *Repatriation) PackageRemains(pkg string) []string {
	var out []string
	for l := range r.links {
		if l.Package == pkg {
			out = append(out, l.Remains)
		}
	}
	sort.Strings(out)
	return out
}

// Direction counts the remains sent one way.
type Direction struct {
	Sender   string `json:"sender"`
	Receiver string `json:"receiver"`
	Batches  int    `json:"batches"`
	Declared int    `json:"declared"` // as the sender announced
	Packages int    `json:"packages"`
	Remains  int    `json:"remains"` // as recorded on receipt
	// ByStatus counts remains by identification status.
	ByStatus map[IDStatus]int `json:"by_status"`
	// OtherSide counts remains identified as belonging to the sender,
	// handed back or not; HandedBack those already returned.
	OtherSide  int `json:"other_side"`
	HandedBack int `json:"handed_back"`
}

// Summary counts the flow per direction, sender in sorted order. Counts
// are reported, never balanced: no parity applies to remains.
func (r *Repatriation) Summary() []Direction {
	dirs := map[[2]string]*Direction{}
	get := func(s, t string) *Direction {
		k := [2]string{s, t}
		if dirs[k] == nil {
			dirs[k] = &Direction{Sender: s, Receiver: t, ByStatus: map[IDStatus]int{}}
		}
		return dirs[k]
	}
	for _, b := range r.batches {
		d := get(b.Sender, b.Receiver)
		d.Batches++
		d.Declared += b.Declared
	}
	for _, p := range r.packages {
		b := r.batches[p.Batch]
		get(b.Sender, b.Receiver).Packages++
	}
	for _, id := range r.order {
		st := r.remains[id]
		b := r.batches[st.Batch]
		d := get(b.Sender, b.Receiver)
		d.Remains++
		d.ByStatus[st.Status]++
		if n := len(st.Identifications); n > 0 && st.Status != IDExcluded && st.Identifications[n-1].Side == b.Sender {
			d.OtherSide++
		}
		if st.HandedBack != "" {
			d.HandedBack++
		}
	}
	out := make([]Direction, 0, len(dirs))
	for _, d := range dirs {
		out = append(out, *d)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Sender != out[j].Sender {
			return out[i].Sender < out[j].Sender
		}
		return out[i].Receiver < out[j].Receiver
	})
	return out
}

// same answers a repeated create: nil when the content is equal, Conflict
// otherwise.
func same(op, what, id string, prev, next map[string]string) error {
	if flatKey(prev) == flatKey(next) {
		return nil
	}
	return conflict(op, errs.FieldError{Field: "id", Message: what + " " + quote(id) + " already exists with different content", Args: []string{id}, Code: "exists_different"})
}

func flat(kv ...string) map[string]string {
	m := make(map[string]string, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" {
			m[kv[i]] = kv[i+1]
		}
	}
	return m
}

func flatKey(m map[string]string) string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	var b []byte
	for _, k := range ks {
		b = append(b, k...)
		b = append(b, 0)
		b = append(b, m[k]...)
		b = append(b, 0)
	}
	return string(b)
}

func ts(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

func nz(n int) string {
	if n == 0 {
		return ""
	}
	return itoa(n)
}

func yes(b bool) string {
	if b {
		return "true"
	}
	return ""
}
