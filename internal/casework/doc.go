// Package casework is tracing as casework (docs/design/tracing.md): a
// party's bureau works a case about one of its own sought persons, as the
// ICRC's Restoring Family Links and UNICEF's Primero work a case: an
// enquiry from the family (who asked, how to reach them, their consent to
// share it), contacts with them, tasks with an assignee and a due date,
// the family notified of a capture, a return, a death or remains
// identified, and the case's closing (and reopening).
//
// A case is the fold of its steps, each a value appended once and never
// changed ([Step], [Case.Apply]). The one table of what each state allows
// is in state.go. The package is pure: the store passes the date of today
// to [Case.Due] and [Worklist], and validates every step with [Step.Validate]
// before it writes it with its log leaf.
package casework
