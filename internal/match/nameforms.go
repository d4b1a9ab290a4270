package match

import (
	"strings"
	"unicode"

	"github.com/handover-project/handover/internal/names"
)

// This file is the seam to the names package: every name normalisation,
// skeleton, key and similarity the engine uses goes through it.

// namePart is the names part of a configured part; place and plain text use
// names.AnyPart.
func namePart(p string) names.Part {
	switch p {
	case "surname":
		return names.Surname
	case "given":
		return names.Given
	case "patronymic":
		return names.Patronymic
	}
	return names.AnyPart
}

// prepareName prepares a name or, for place names, a text value through the
// names package: normalised form, ASCII skeleton and cross-script keys.
func prepareName(part string, raw string) (fval, names.Prepared) {
	p := names.Prepare(namePart(part), raw)
	if p.Empty() {
		return fval{}, p
	}
	v := fval{s: p.Normalized(), t: p.Skeleton()}
	// The hash covers the normalised form too: two names with one
	// skeleton may still differ in the rules names applies (initials).
	v.h = hashMix(hashString(v.t), hashString(v.s))
	for _, k := range p.Keys() {
		v.keys = append(v.keys, hashString(k))
	}
	return v, p
}

// prepareText prepares free text (addresses, ranks when no part is set):
// folded case and spacing, no cross-script keys.
func prepareText(raw string) fval {
	n := normText(raw)
	if n == "" {
		return fval{}
	}
	return fval{s: n, t: n}
}

// normText folds case, apostrophes, dashes and spacing, and ё.
func normText(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range strings.TrimSpace(s) {
		switch {
		case r == '\'' || r == '’' || r == 'ʼ' || r == '`' || r == 'ʹ' || r == '‘':
			continue
		case r == '-' || r == '‐' || r == '–' || r == '—' || unicode.IsSpace(r) || r == ',' || r == '.':
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		r = unicode.ToLower(r)
		if r == 'ё' {
			r = 'е'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// nameSimilarity compares two prepared names: 1 for the same name in any
// script or form, 0.9 for an initial that fits, otherwise a string
// similarity of the skeletons.
func nameSimilarity(a, b *names.Prepared) float64 {
	return names.SimilarityPrepared(*a, *b)
}

// parseFullName splits a whole name into surname, given name and
// patronymic with names.Parse, and checks the result against patronymic
// endings: when Parse has put a patronymic-looking word in the surname or
// given name, the order rules below decide instead. An order still wrong
// is caught by the swapped level of the comparisons.
func parseFullName(full string) (sur, given, pat string) {
	fn := names.Parse(full)
	if !looksPatronymic(fn.Surname) && !looksPatronymic(fn.Given) && !strings.Contains(fn.Given, " ") {
		return fn.Surname, fn.Given, fn.Patronymic
	}
	before, after, comma := strings.Cut(full, ",")
	toks := strings.Fields(before + " " + after)
	if len(toks) == 0 {
		return "", "", ""
	}
	if comma && len(strings.Fields(before)) == 1 {
		rest := toks[1:]
		if len(rest) == 0 {
			return toks[0], "", ""
		}
		return toks[0], rest[0], strings.Join(rest[1:], " ")
	}
	switch {
	case len(toks) >= 3 && looksPatronymic(toks[2]):
		return toks[0], toks[1], strings.Join(toks[2:], " ")
	case len(toks) >= 3 && looksPatronymic(toks[1]):
		return strings.Join(toks[2:], " "), toks[0], toks[1]
	case len(toks) == 1:
		return toks[0], "", ""
	}
	return fn.Surname, fn.Given, fn.Patronymic
}

// looksPatronymic reports whether a word ends like a male or female
// patronymic in Cyrillic or a Latin rendering of one.
func looksPatronymic(s string) bool {
	if strings.Contains(s, " ") || len(s) < 6 {
		return false
	}
	l := strings.ToLower(s)
	for _, suf := range []string{"ович", "евич", "івна", "ївна", "овна", "евна", "ьич", "ilich", "ovych", "ovich", "ovitch", "ovitsch", "evych", "evich", "evitch", "evitsch", "ivna", "ovna", "evna", "ovytch", "owitsch", "ewitsch", "owich", "ewich", "ewych", "owych"} {
		if strings.HasSuffix(l, suf) {
			return true
		}
	}
	return false
}
