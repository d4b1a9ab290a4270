package names

import (
	"fmt"
)

// Functions that only the tests call: convenient forms of what the package
// does for its callers, kept out of the program.

// Similarity returns how alike two values of one name part are, from 0 to
// 1, across scripts: 1 for the same name in any script, scheme or
// Ukrainian/Russian form (Олександр, Александр, Oleksandr, Aleksandr,
// Alexander), 0.9 for a surname in its other gender's form, and otherwise
// the edit similarity of the skeletons (raised
// a third of the way towards their Jaro–Winkler similarity when that is
// higher). An initial scores 0.9 against a name it can
// abbreviate and 0 against one it cannot.
func Similarity(part Part, a, b string) float64 {
	pa, pb := Prepare(part, a), Prepare(part, b)
	return SimilarityPrepared(pa, pb)
}

// Equivalent reports whether a and b are the same name of part in other
// scripts, schemes or Ukrainian/Russian forms.
func Equivalent(part Part, a, b string) bool {
	pa, pb := Prepare(part, a), Prepare(part, b)
	_, l := comparePrepared(&pa, &pb)
	return l <= LevelEquivalent
}

// ComparePrepared is SimilarityPrepared with the level at which the two
// values agree (exact, equivalent, similar, initial, missing, different),
// for callers that weigh levels rather than scores. It does not allocate.
func ComparePrepared(a, b Prepared) (float64, Level) {
	return comparePrepared(&a, &b)
}

// Keys returns blocking keys for one value of part: short strings (up to
// six letters of the consonant skeleton; ASCII unless the value is in a
// script the skeleton keeps as it is, such as Chinese) such that every
// rendering of the same name shares at least one of them: Ukrainian or
// Russian Cyrillic, any Latin scheme (each reading of x, cz, ch has a key),
// the Ukrainian and Russian forms of a given name or patronymic, and the
// male and female forms of a surname. A value has one to four keys. Keys
// of different parts are not comparable; a caller that mixes parts should
// prefix them. An initial yields its letter.
func Keys(part Part, name string) []string {
	p := Prepare(part, name)
	return p.Keys()
}

// HasHomoglyphs reports whether a word of s mixes Latin look-alike letters
// into Cyrillic or the reverse, as happens when a name is typed on a
// keyboard switched to the wrong layout or is spoofed.
func HasHomoglyphs(s string) bool {
	inWord, cyr, lat := false, false, false
	for _, r := range s {
		if isWordRune(r) || (inWord && isApostrophe(r)) {
			inWord = true
			switch letterScript(r) {
			case ScriptCyrillic:
				cyr = true
			case ScriptLatin:
				lat = true
			}
			if cyr && lat {
				return true
			}
			continue
		}
		inWord, cyr, lat = false, false, false
	}
	return false
}

// compareEastAsian compares two names (their words) as Chinese or Korean
// names. ok is false unless both read as names of one culture. The score
// is 1 when family and given names agree syllable by syllable; otherwise it
// counts the agreeing share, with the family name half of it and the given
// name the other half.
func compareEastAsian(a, b []string) (score float64, ok bool) {
	score, _, ok = compareEastAsianShape(a, b)
	return score, ok
}

// String returns the lower-case English name of the script kind.
func (k ScriptKind) String() string {
	if int(k) < len(scriptNames) {
		return scriptNames[k]
	}
	return fmt.Sprintf("script(%d)", k)
}

// String returns the scheme's short name (icao, gost779b, bgnpcgn).
func (s RussianScheme) String() string {
	if int(s) < len(schemeNames) {
		return schemeNames[s]
	}
	return fmt.Sprintf("scheme(%d)", s)
}
