package exchange

// What only the tests call, kept out of the program.

// Respond checks r, an answer by r.Party on a person of list, and returns it
// completed with the list's identity and the item as answered. The list
// MUST be the current submitted version. Errors: errs.Forbidden when a
// party answers its own list or the answering party is not in the
// exchange; errs.Conflict for a draft or superseded (stale) version;
// errs.NotFound for a person not on the version; errs.Invalid for a bad
// answer, listing every bad field.
func Respond(ex *Exchange, list *ListVersion, r Response) (Response, error) {
	return respond(ex, list, r, list.Item)
}

// History returns every response on one person of one party's list, in the
// order given: who answered what, when, on which version.
func History(history []Response, listParty string, kind ListKind, recordID string) []Response {
	var out []Response
	for _, r := range history {
		if r.ListParty == listParty && r.ListKind == kind && r.RecordID == recordID {
			out = append(out, r)
		}
	}
	return out
}
