package match

// jaroWinkler returns the Jaro–Winkler similarity of a and b in 0..1, on
// runes, with the usual prefix scale 0.1 and prefix length up to 4. Both
// strings are expected to be normalised already.
func jaroWinkler(a, b string) float64 {
	if a == b {
		if a == "" {
			return 0
		}
		return 1
	}
	var ba, bb [48]rune
	ra := toRunes(a, ba[:0])
	rb := toRunes(b, bb[:0])
	return jaroWinklerRunes(ra, rb)
}

func toRunes(s string, buf []rune) []rune {
	for _, r := range s {
		buf = append(buf, r)
	}
	return buf
}

func jaroWinklerRunes(a, b []rune) float64 {
	la, lb := len(a), len(b)
	if la == 0 || lb == 0 {
		return 0
	}
	if la > lb {
		a, b = b, a
		la, lb = lb, la
	}
	window := lb/2 - 1
	if window < 0 {
		window = 0
	}
	// Flags on the stack for names; longer strings fall back to the heap.
	var fa, fb [64]bool
	var ma, mb []bool
	if lb <= 64 {
		ma, mb = fa[:la], fb[:lb]
	} else {
		ma, mb = make([]bool, la), make([]bool, lb)
	}
	matches := 0
	for i := 0; i < la; i++ {
		lo := max(0, i-window)
		hi := min(lb, i+window+1)
		for j := lo; j < hi; j++ {
			if !mb[j] && a[i] == b[j] {
				ma[i], mb[j] = true, true
				matches++
				break
			}
		}
	}
	if matches == 0 {
		return 0
	}
	trans := 0
	k := 0
	for i := 0; i < la; i++ {
		if !ma[i] {
			continue
		}
		for !mb[k] {
			k++
		}
		if a[i] != b[k] {
			trans++
		}
		k++
	}
	m := float64(matches)
	jaro := (m/float64(la) + m/float64(lb) + (m-float64(trans)/2)/m) / 3
	prefix := 0
	for i := 0; i < min(4, la); i++ {
		if a[i] != b[i] {
			break
		}
		prefix++
	}
	return jaro + float64(prefix)*0.1*(1-jaro)
}

// withinOneEdit reports whether a and b differ by at most one insertion,
// deletion, substitution or transposition of adjacent characters (bytes:
// callers pass folded ASCII).
func withinOneEdit(a, b string) bool {
	la, lb := len(a), len(b)
	if la > lb {
		a, b = b, a
		la, lb = lb, la
	}
	switch lb - la {
	case 0:
		i := 0
		for i < la && a[i] == b[i] {
			i++
		}
		if i == la {
			return true
		}
		// substitution
		if a[i+1:] == b[i+1:] {
			return true
		}
		// transposition
		return i+1 < la && a[i] == b[i+1] && a[i+1] == b[i] && a[i+2:] == b[i+2:]
	case 1:
		i := 0
		for i < la && a[i] == b[i] {
			i++
		}
		return a[i:] == b[i+1:]
	}
	return false
}
