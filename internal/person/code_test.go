package person

import "testing"

func TestFoldCode(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"А-123 456", "A123456"}, // Cyrillic А
		{"a123456", "A123456"},
		{"A-123456", "A123456"},
		{"Р-123456", "P123456"}, // Cyrillic Р looks like P, not R
		{"P-123456", "P123456"},
		{"рн–42", "PH42"}, // lower case, en dash
		{"Ж-123456", "ZH123456"},
		{"ZH 123456", "ZH123456"},
		{"zh-123456", "ZH123456"},
		{"ЖТ-004474", "ZHT004474"},
		{"Щ/1", "SHCH1"},
		{"в/ч А0224", "BCHA0224"}, // prefixes are the unit fold's business, not this one's
		{"ÉÀ-1", "ÉÀ1"},
		{"  ", ""},
		{"—", ""},
	} {
		if got := FoldCode(tc.in); got != tc.want {
			t.Errorf("FoldCode(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestFoldCodeIdempotent: a folded code folds to itself, so a stored fold
// and a fold of a query compare equal however often either was folded.
func TestFoldCodeIdempotent(t *testing.T) {
	for _, s := range []string{"А-123 456", "Ж-1", "ЩЮЯ-9", "ÉÀ-1", "Ў-1", "١٢٣"} {
		f := FoldCode(s)
		if g := FoldCode(f); g != f {
			t.Errorf("FoldCode(FoldCode(%q)) = %q, want %q", s, g, f)
		}
	}
}
