// Package arch holds the tests that keep the layout the architecture
// (STYLE.md rule 21): domain packages import no SQL, HTTP or templates, and
// every package says what it is for in a package comment. It has no code.
package arch
