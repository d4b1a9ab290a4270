// Package names normalises, romanises and compares personal names written in
// Ukrainian or Russian Cyrillic and in any common Latin rendering of them,
// and names of other peoples in their own scripts and renderings: Chinese
// and Korean syllable by syllable (eastasia.go), Arabic, Persian and Urdu
// by coarse consonants, Devanagari and Sinhala by their own tables and
// other scripts by unidecode's (indic.go), with the structure of names
// from many cultures: titles, generations, articles, father's names, Abd
// names, placeholders (structure.go), and diminutives and nicknames.
//
// It is a pure domain package: values in, values out, no I/O, no clock. The
// only shared state is a set of read-only tables built once from embedded
// data (see data/README.md): Ukrainian↔Russian name forms from the MIT
// dictionary of names-translator, a short list of common given names and a
// short table of well-established English forms.
//
// Three layers build on one another:
//
//   - Normalize and Script clean input text;
//   - RomanizeUkrainian, RomanizeRussian and Latin render Cyrillic in Latin
//     by the official schemes, for display and for tests against the
//     schemes' published samples;
//   - Prepare (with Prepared.Keys and SimilarityPrepared), Parse and
//     CompareFull compare
//     names across scripts through a "skeleton": a short ASCII phonetic form
//     in which the differences between transliteration schemes (kh/h/g,
//     y/i/j, ks/x, ts/c/tz, shch/sch, ya/ia/ja, -skyi/-skiy/-sky…) collapse.
//
// See docs/design/names.md for the reasoning and the threshold.
package names
