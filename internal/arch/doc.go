// Package arch holds the one architecture test (STYLE.md rule 21): a table
// with a rule per package — which of the module's packages it may import,
// and whether it is a pure domain package (no SQL, HTTP, templates, files,
// clock, randomness or mutable globals, each exception named with its
// reason) — and the check that every package says what it is for in a
// package comment. It has no code.
package arch
