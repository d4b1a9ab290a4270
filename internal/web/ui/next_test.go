package ui

import (
	"strings"
	"testing"
)

// TestSafeNext: the post-login destination stays on this site whatever
// the visitor was sent with. Browsers strip tabs and newlines from URLs,
// read a backslash as a slash, and resolve "//host" as another site; the
// encoded forms decode to the same.
func TestSafeNext(t *testing.T) {
	for _, tc := range []struct{ next, want string }{
		{"/records?q=1", "/records?q=1"},
		{"/records/r0123456789abcdef?tab=history#v2", "/records/r0123456789abcdef?tab=history#v2"},
		{"/search?q=%D0%9A%D0%BE%D0%B2%D0%B0%D0%BB%D1%8C%D1%87%D1%83%D0%BA", "/search?q=%D0%9A%D0%BE%D0%B2%D0%B0%D0%BB%D1%8C%D1%87%D1%83%D0%BA"},
		{"/next?to=//elsewhere", "/next?to=//elsewhere"}, // a query is no destination
		{"/", "/"},
		{"", "/"},
		{"records", "/"},
		{"//evil.example", "/"},
		{"///evil.example", "/"},
		{"/\\evil.example", "/"},
		{"\\\\evil.example", "/"},
		{"/\t/evil.example", "/"},
		{"/\n/evil.example", "/"},
		{"/\r/evil.example", "/"},
		{"\t//evil.example", "/"},
		{" //evil.example", "/"},
		{"/ /evil.example", "/"},
		{"/\x00/evil.example", "/"},
		{"/\x7f/evil.example", "/"},
		{"/\u00a0/evil.example", "/"},
		{"/\u3000/evil.example", "/"},
		{"/%2F/evil.example", "/"},
		{"/%2f/evil.example", "/"},
		{"/%5Cevil.example", "/"},
		{"/%5cevil.example", "/"},
		{"/%09/evil.example", "/"},
		{"/%0A/evil.example", "/"},
		{"%2F%2Fevil.example", "/"},
		{"/.//evil.example", "/"},
		{"/./evil.example", "/"},
		{"/../evil.example", "/"},
		{"/records//evil.example", "/"},
		{"/%zz", "/"},
		{"https://evil.example", "/"},
		{"http:evil.example", "/"},
		{"javascript:alert(1)", "/"},
		{"JAVASCRIPT:alert(1)", "/"},
		{"data:text/html,x", "/"},
		{"/@evil.example", "/@evil.example"}, // a path on this site, not userinfo
		{"https:/evil.example", "/"},
		{strings.Repeat("/a", 1500), "/"}, // longer than any address of ours
	} {
		if got := safeNext(tc.next); got != tc.want {
			t.Errorf("safeNext(%q) = %q, want %q", tc.next, got, tc.want)
		}
	}
}
