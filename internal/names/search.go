package names

import (
	"strings"
	"unicode"
)

// Forms for a search index. A register search files each word of a name
// under its normalised spelling and its skeleton, and looks a typed word up
// as a prefix of either: Latin, Ukrainian and Russian spellings of a name
// meet in the skeleton (Petrenko, Петренко; Kovalchuk, Ковальчук), and a
// known given name or patronymic also meets its other forms (Oleksandr,
// Олександр, Александр) through the dictionary groups.

// IndexForms returns the skeletons under which a search index files one
// normalised word of a name (see Normalize): its skeleton and those of its
// other readings (Latin x, cz, ch…). A word with anything but letters and
// hyphens (a digit, a sign) has none: the skeleton drops such characters,
// so Шевченко1 would be filed as Шевченко.
func IndexForms(word string) []string {
	if !lettersOnly(word) {
		return nil
	}
	p := Prepare(AnyPart, word)
	if p.skel == "" {
		return nil
	}
	out := []string{p.skel}
	for _, a := range p.alt {
		if a != nil && a.skel != "" {
			out = appendNew(out, a.skel)
		}
	}
	return out
}

// QueryForms returns the skeletons to look up, each as a prefix of the
// filed ones, for one normalised word typed into a search: IndexForms of
// the word; when it is a known name, the skeletons of every form in its
// dictionary group (Олександр → aleksandr, oleksandr…); and when it ends
// in a Latin letter that may begin a digraph (c of ch, s of sh, z of zh, k
// of kh, t of ts, y or i of a glide), the forms of the word without that
// letter, so that a name typed half-way (Kovalc…) still finds Ковальчук.
func QueryForms(word string) []string {
	// TypedForms are the word's own forms; the dictionary groups of the
	// word and of its readings come on top.
	out := TypedForms(word)
	if out == nil {
		return nil
	}
	p := Prepare(AnyPart, word)
	t := lookup()
	for _, q := range append([]*Prepared{&p}, p.alt[:]...) {
		if q != nil && q.group >= 0 {
			for _, m := range t.member[q.group] {
				out = appendNew(out, m)
			}
		}
	}
	return out
}

func lettersOnly(word string) bool {
	if word == "" {
		return false
	}
	for _, r := range word {
		if r != '-' && !unicode.IsLetter(r) && !unicode.Is(unicode.Mn, r) {
			return false
		}
	}
	return true
}

func appendNew(out []string, s string) []string {
	if s == "" {
		return out
	}
	for _, have := range out {
		if have == s {
			return out
		}
	}
	return append(out, s)
}

// TypedForms is QueryForms without the dictionary groups: the skeletons a
// client looks up, as prefixes, when the index it searches files every
// word under the forms of its group already (FiledForms). The officer's
// offline kit is such an index, and its script (a port of this function,
// checked against it by a shared fixture) computes these in the browser.
func TypedForms(word string) []string {
	out := IndexForms(word)
	if out == nil {
		return nil
	}
	if n := len(word); n >= 3 && strings.IndexByte("cszktgyij", word[n-1]) >= 0 {
		if s := Prepare(AnyPart, word[:n-1]).skel; s != "" {
			out = appendNew(out, s)
		}
	}
	return out
}

// FiledForms returns IndexForms of a normalised word and, when it (or one
// of its readings) is a known name, the skeletons of every form of its
// dictionary group (Олександр → oleksandr, aleksandr…): what an index
// looked up with TypedForms files the word under, so that the client
// needs no dictionary.
func FiledForms(word string) []string {
	if !lettersOnly(word) {
		return nil
	}
	p := Prepare(AnyPart, word)
	if p.skel == "" {
		return nil
	}
	out := []string{p.skel}
	t := lookup()
	for _, q := range append([]*Prepared{&p}, p.alt[:]...) {
		if q == nil {
			continue
		}
		out = appendNew(out, q.skel)
		if q.group >= 0 {
			for _, m := range t.member[q.group] {
				out = appendNew(out, m)
			}
		}
	}
	return out
}

// SkeletonLetters returns the letters the skeleton maps one by one (of
// Cyrillic, Georgian, Armenian, Arabic, Hebrew, Greek, and the Latin
// letters with marks that carry a sound), each with its skeleton: the
// table a port of the skeleton reads instead of copying it.
func SkeletonLetters() map[string]string {
	out := make(map[string]string, len(cyrSkel)+len(latinSkel))
	for r, s := range cyrSkel {
		out[string(r)] = s
	}
	for r, s := range latinSkel {
		out[string(r)] = s
	}
	return out
}
