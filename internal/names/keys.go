package names

import "strings"

// maxKeyLen bounds a blocking key: the first consonants of a name tell it
// apart well enough for blocking, and a short key survives a changed
// ending (-ський/-ska, -ов/-ова).
const maxKeyLen = 6

// Keys is the package-level Keys for a prepared value.
func (p Prepared) Keys() []string {
	if p.skel == "" {
		return nil
	}
	keys := make([]string, 0, 4)
	add := func(k string) {
		if k == "" || len(keys) == 4 {
			return
		}
		for _, have := range keys {
			if have == k {
				return
			}
		}
		keys = append(keys, k)
	}
	var buf [64]byte
	add(baseKey(buf[:0], p.fold))
	if p.group >= 0 {
		add(lookup().canon[p.group][:min(maxKeyLen, len(lookup().canon[p.group]))])
	}
	// The other readings of Latin x, cz, ch (GOST B, German).
	for _, a := range p.alt {
		if a != nil {
			add(baseKey(nil, a.fold))
			if a.group >= 0 {
				add(lookup().canon[a.group])
			}
		}
	}
	// Each part of a double name (Петренко-Коваль) also keys it.
	if strings.ContainsAny(p.norm, " -") {
		for _, w := range strings.FieldsFunc(p.norm, func(r rune) bool { return r == ' ' || r == '-' }) {
			sk := appendSkeleton(buf[:0], w, readCommon)
			add(baseKey(nil, string(sk)))
		}
	}
	return keys
}

// baseKey is the consonant key of skeleton sk, or the skeleton itself when
// it has fewer than three consonants (Юлія: "ula", not "l").
func baseKey(dst []byte, sk string) string {
	k := consonants(dst, []byte(sk))
	if len(k) < 3 {
		k = append(k[:0], sk...)
	}
	return cutKey(k)
}

func cutKey(k []byte) string {
	if len(k) > maxKeyLen {
		k = k[:maxKeyLen]
	}
	return string(k)
}
