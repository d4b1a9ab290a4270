package client

import (
	"context"
	"net/url"
	"strconv"

	"github.com/handover-project/handover/internal/api"
	"github.com/handover-project/handover/internal/exchange"
)

// The negotiation and the agreement (docs/design/agreement.md): exchanges,
// list versions, answers, evidence, the mediator's view, and the agreement
// document with its signatures.

func exchangePath(id string, rest ...string) string {
	p := "/api/v1/exchanges/" + url.PathEscape(id)
	for _, r := range rest {
		p += "/" + url.PathEscape(r)
	}
	return p
}

func versionQuery(version int, extra url.Values) string {
	q := url.Values{}
	for k, v := range extra {
		q[k] = v
	}
	if version > 0 {
		q.Set("version", strconv.Itoa(version))
	}
	if len(q) == 0 {
		return ""
	}
	return "?" + q.Encode()
}

// OpenExchange opens an exchange with its terms (mediator); the server gives
// it its id.
func (c *Client) OpenExchange(ctx context.Context, ex exchange.Exchange) (exchange.Exchange, error) {
	var out exchange.Exchange
	err := c.Do(ctx, "POST", "/api/v1/exchanges", ex, &out)
	return out, err
}

// Exchanges lists the exchanges the caller may see, oldest first.
func (c *Client) Exchanges(ctx context.Context) ([]exchange.Exchange, error) {
	var out api.Exchanges
	err := c.Do(ctx, "GET", "/api/v1/exchanges", nil, &out)
	return out.Exchanges, err
}

// Exchange returns one exchange and its terms.
func (c *Client) Exchange(ctx context.Context, id string) (exchange.Exchange, error) {
	var out exchange.Exchange
	err := c.Do(ctx, "GET", exchangePath(id), nil, &out)
	return out, err
}

// SubmitList submits the next version of the caller's party's offer or
// request list: the whole list, a reason for each person dropped since the
// last version, and a reason for the version.
func (c *Client) SubmitList(ctx context.Context, exID string, kind exchange.ListKind, items []exchange.Item, removed []exchange.Removal, reason string) (api.SubmittedList, error) {
	body := api.ListSubmission{Items: items, Removed: removed, Reason: reason}
	if body.Items == nil {
		body.Items = []exchange.Item{}
	}
	var out api.SubmittedList
	err := c.Do(ctx, "POST", exchangePath(exID, "lists", string(kind)), body, &out)
	return out, err
}

// List returns a version of a party's list (0: the current one) with the
// persons as disclosed, their current answers and the difference from the
// version before.
func (c *Client) List(ctx context.Context, exID, party string, kind exchange.ListKind, version int) (api.ListView, error) {
	var out api.ListView
	err := c.Do(ctx, "GET", exchangePath(exID, "lists", party, string(kind))+versionQuery(version, nil), nil, &out)
	return out, err
}

// Respond answers persons of a version of the other party's list, all or
// none. The version must be the current one. Of each answer the caller
// fills the record id, the answer, the reason and, where they apply, the
// rule and the blocker; the server fills the rest.
func (c *Client) Respond(ctx context.Context, exID, party string, kind exchange.ListKind, version int, answers []exchange.Response) ([]exchange.Response, error) {
	body := api.AnswersRequest{Version: version, Answers: answers}
	var out api.Answers
	err := c.Do(ctx, "POST", exchangePath(exID, "lists", party, string(kind), "answers"), body, &out)
	return out.Answers, err
}

// ExchangeView returns the view of the negotiation: counts against the
// terms, violations, blockers, shortfalls and outstanding eligible persons.
func (c *Client) ExchangeView(ctx context.Context, exID string) (exchange.View, error) {
	var out exchange.View
	err := c.Do(ctx, "GET", exchangePath(exID, "view"), nil, &out)
	return out, err
}

// SetEvidence records eligibility evidence on one of the caller's party's
// records.
// Evidence returns the current eligibility evidence of one of the
// caller's party's records: the whole of what SetEvidence replaces.
func (c *Client) Evidence(ctx context.Context, recordID string) (exchange.Evidence, error) {
	var out exchange.Evidence
	err := c.Do(ctx, "GET", "/api/v1/records/"+url.PathEscape(recordID)+"/evidence", nil, &out)
	return out, err
}

func (c *Client) SetEvidence(ctx context.Context, recordID string, ev exchange.Evidence) error {
	return c.Do(ctx, "POST", "/api/v1/records/"+url.PathEscape(recordID)+"/evidence", ev, nil)
}

// FreezeAgreement freezes the agreed lists with a stage plan into the next
// agreement version (mediator).
func (c *Client) FreezeAgreement(ctx context.Context, exID string, plan exchange.StagePlan) (api.AgreementStatus, error) {
	var out api.AgreementStatus
	err := c.Do(ctx, "POST", exchangePath(exID, "agreement"), api.FreezeRequest{Plan: plan}, &out)
	return out, err
}

// Agreement returns a version of an exchange's agreement (0: the latest)
// with its signatures and state.
func (c *Client) Agreement(ctx context.Context, exID string, version int) (api.AgreementStatus, error) {
	var out api.AgreementStatus
	err := c.Do(ctx, "GET", exchangePath(exID, "agreement")+versionQuery(version, nil), nil, &out)
	return out, err
}

// AgreementText returns a version of the agreement document (0: the
// latest) as the server keeps it: the text, and the signatures so far
// after a blank line.
func (c *Client) AgreementText(ctx context.Context, exID string, version int) ([]byte, error) {
	return c.getText(ctx, exchangePath(exID, "agreement")+versionQuery(version, url.Values{"format": {"text"}}))
}

// AgreementPDF returns the printed copy of a version of the agreement (0:
// the latest): its persons as people, in lang (uk, ru or en), with the
// document hash on every page.
func (c *Client) AgreementPDF(ctx context.Context, exID string, version int, lang string) ([]byte, error) {
	return c.raw(ctx, "GET", exchangePath(exID, "agreement", "pdf")+versionQuery(version, url.Values{"lang": {lang}}))
}

// SignAgreement uploads a signature line made offline with a registered key
// over a version of the agreement.
func (c *Client) SignAgreement(ctx context.Context, exID string, version int, line string) (api.AgreementStatus, error) {
	var out api.AgreementStatus
	err := c.Do(ctx, "POST", exchangePath(exID, "agreement", "signatures"), api.SignatureRequest{Version: version, Line: line}, &out)
	return out, err
}

// getText GETs a text answer (an agreement document) as it is; errors are
// JSON as everywhere.
func (c *Client) getText(ctx context.Context, path string) ([]byte, error) {
	return c.raw(ctx, "GET", path)
}
