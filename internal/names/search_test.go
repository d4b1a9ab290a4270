package names

import (
	"slices"
	"testing"
)

func TestIndexAndQueryForms(t *testing.T) {
	for _, tc := range []struct{ word, want string }{
		{"петренко", "petrenko"},
		{"petrenko", "petrenko"},
		{"ковальчук", "kovalQuk"},
		{"kowalczuk", "kovalQuk"},
		{"шевченко1", ""}, // the skeleton would drop the digit
		{"в/ч", ""},
		{"", ""},
	} {
		got := IndexForms(tc.word)
		if tc.want == "" && got != nil || tc.want != "" && !slices.Contains(got, tc.want) {
			t.Errorf("IndexForms(%q) = %q, want %q", tc.word, got, tc.want)
		}
	}
	for _, tc := range []struct{ word, want string }{
		{"александр", "oleksandr"}, // the Ukrainian form of a Russian given name
		{"oleksandr", "aleksandr"}, // and back
		{"alexander", "oleksandr"}, // the English form
		{"сергей", "sergi"},        // Сергій
		{"kovalc", "koval"},        // c may begin ch: Ковальчук
		{"ivanovych", "ivanoviQ"},  // a patronymic in Latin letters
		{"petrenko", "petrenko"},   // a surname: its own skeleton
		{"kovalyov", "kovalov"},    // the glide of yo
		{"mykh", "mig"},            // kh typed whole
	} {
		if got := QueryForms(tc.word); !slices.Contains(got, tc.want) {
			t.Errorf("QueryForms(%q) = %q, want %q among them", tc.word, got, tc.want)
		}
	}
	if got := QueryForms("zzzz-1"); got != nil {
		t.Errorf("QueryForms of a word with a digit: %q", got)
	}
}
