package audit

import (
	"strings"
	"testing"

	"github.com/handover-project/handover/internal/errs"
)

func TestCanonicalJSON(t *testing.T) {
	tests := []struct {
		name   string
		fields map[string]string
		want   string
	}{
		{"empty", map[string]string{}, `{}`},
		{"sorted", map[string]string{"b": "2", "a": "1", "aa": "3"}, `{"a":"1","aa":"3","b":"2"}`},
		{"short escapes", map[string]string{"k": "\"\\\b\f\n\r\t"}, `{"k":"\"\\\b\f\n\r\t"}`},
		{"other controls as \\u00xx lowercase", map[string]string{"k": "\x00\x1f\x0b"}, `{"k":"\u0000\u001f\u000b"}`},
		{"no other escapes", map[string]string{"k": "/<>&\u007f\u2028\u2029é€😀"}, "{\"k\":\"/<>&\u007f\u2028\u2029é€😀\"}"},
		{"Cyrillic", map[string]string{"surname": "Шевченко"}, `{"surname":"Шевченко"}`},
		// RFC 8785 §3.2.3: sorting by UTF-16 code units, not code points.
		{"UTF-16 order", map[string]string{"\u20ac": "Euro Sign", "\r": "Carriage Return", "\ufb33": "Hebrew Letter Dalet With Dagesh", "1": "One", "\U0001f600": "Emoji: Grinning Face", "\u0080": "Control", "\u00f6": "Latin Small Letter O With Diaeresis"},
			"{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u0080\":\"Control\",\"ö\":\"Latin Small Letter O With Diaeresis\",\"€\":\"Euro Sign\",\"😀\":\"Emoji: Grinning Face\",\"\ufb33\":\"Hebrew Letter Dalet With Dagesh\"}"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := CanonicalJSON(tc.fields)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
}

func TestCanonicalJSONRejectsInvalidUTF8(t *testing.T) {
	for _, m := range []map[string]string{{"k": "\xff"}, {"\xc3": "v"}} {
		_, err := CanonicalJSON(m)
		if !errs.Is(errs.Invalid, err) {
			t.Errorf("CanonicalJSON(%q): got %v, want Invalid", m, err)
		}
	}
}

func TestCompareUTF16(t *testing.T) {
	// U+FB33 sorts after U+1F600 in code points but before in bytes? No:
	// in UTF-16, U+1F600 is D83D DE00, which sorts before FB33.
	if compareUTF16("\U0001f600", "\ufb33") >= 0 {
		t.Error("U+1F600 must sort before U+FB33 by UTF-16 code units")
	}
	if compareUTF16("a", "ab") >= 0 || compareUTF16("ab", "a") <= 0 || compareUTF16("x", "x") != 0 {
		t.Error("prefix order wrong")
	}
	if !strings.HasPrefix("ab", "a") {
		t.Fatal()
	}
}
