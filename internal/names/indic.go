package names

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gosimple/unidecode"
)

// Letters of scripts the skeleton does not map itself are written in
// Latin before a name is compared: Devanagari (Hindi, Nepali, Marathi)
// and Sinhala by the tables below, which follow ISO 15919 without its
// marks and read the inherent vowel as the languages do; any other script
// (Bengali, Gurmukhi, Tamil, Thai, Ethiopic, Japanese kana, Mongolian…)
// by unidecode's tables. Han characters are left for the Chinese syllable
// comparison (eastasia.go), and the scripts the skeleton maps (Cyrillic,
// Greek, Georgian, Armenian, Arabic, Hebrew, Hangul) are left as they are.

// abugida is the table of one Indic script.
type abugida struct {
	lo, hi     rune
	consonants map[rune]string
	vowels     map[rune]string // independent vowels
	signs      map[rune]string // dependent vowel signs
	virama     rune
	nasal      map[rune]string // anusvara, candrabindu, visarga
	ignore     map[rune]bool   // nukta, ZWJ
	schwaDrop  bool            // Hindi and Nepali drop the inherent vowel at the end and between syllables
}

var devanagari = &abugida{
	lo: 0x900, hi: 0x97f, virama: '्', schwaDrop: true,
	consonants: map[rune]string{
		'क': "k", 'ख': "kh", 'ग': "g", 'घ': "gh", 'ङ': "n", 'च': "ch", 'छ': "chh", 'ज': "j", 'झ': "jh", 'ञ': "n",
		'ट': "t", 'ठ': "th", 'ड': "d", 'ढ': "dh", 'ण': "n", 'त': "t", 'थ': "th", 'द': "d", 'ध': "dh", 'न': "n",
		'प': "p", 'फ': "ph", 'ब': "b", 'भ': "bh", 'म': "m", 'य': "y", 'र': "r", 'ल': "l", 'व': "v", 'श': "sh",
		'ष': "sh", 'स': "s", 'ह': "h", 'ळ': "l",
		'\u0958': "q", '\u0959': "kh", '\u095a': "gh", '\u095b': "z", '\u095c': "r", '\u095d': "rh", '\u095e': "f", '\u095f': "y",
	},
	vowels: map[rune]string{
		'अ': "a", 'आ': "a", 'इ': "i", 'ई': "i", 'उ': "u", 'ऊ': "u", 'ऋ': "ri", 'ए': "e", 'ऐ': "ai", 'ओ': "o",
		'औ': "au", 'ऑ': "o", 'ऍ': "e",
	},
	signs: map[rune]string{
		'ा': "a", 'ि': "i", 'ी': "i", 'ु': "u", 'ू': "u", 'ृ': "ri", 'े': "e", 'ै': "ai", 'ो': "o", 'ौ': "au",
		'ॉ': "o", 'ॅ': "e",
	},
	nasal:  map[rune]string{'ं': "n", 'ँ': "n", 'ः': "h"},
	ignore: map[rune]bool{'़': true, '\u200d': true, '\u200c': true},
}

var sinhala = &abugida{
	lo: 0xd80, hi: 0xdff, virama: '්',
	consonants: map[rune]string{
		'ක': "k", 'ඛ': "kh", 'ග': "g", 'ඝ': "gh", 'ඞ': "n", 'ඟ': "ng", 'ච': "ch", 'ඡ': "chh", 'ජ': "j", 'ඣ': "jh",
		'ඤ': "ny", 'ඥ': "gn", 'ඦ': "nj", 'ට': "t", 'ඨ': "th", 'ඩ': "d", 'ඪ': "dh", 'ණ': "n", 'ඬ': "nd", 'ත': "t",
		'ථ': "th", 'ද': "d", 'ධ': "dh", 'න': "n", 'ඳ': "nd", 'ප': "p", 'ඵ': "ph", 'බ': "b", 'භ': "bh", 'ම': "m",
		'ඹ': "mb", 'ය': "y", 'ර': "r", 'ල': "l", 'ව': "v", 'ශ': "sh", 'ෂ': "s", 'ස': "s", 'හ': "h", 'ළ': "l",
		'ෆ': "f",
	},
	vowels: map[rune]string{
		'අ': "a", 'ආ': "a", 'ඇ': "e", 'ඈ': "e", 'ඉ': "i", 'ඊ': "i", 'උ': "u", 'ඌ': "u", 'ඍ': "ri", 'එ': "e",
		'ඒ': "e", 'ඓ': "ai", 'ඔ': "o", 'ඕ': "o", 'ඖ': "au",
	},
	signs: map[rune]string{
		'ා': "a", 'ැ': "e", 'ෑ': "e", 'ි': "i", 'ී': "i", 'ු': "u", 'ූ': "u", 'ෘ': "ri", 'ෙ': "e", 'ේ': "e",
		'ෛ': "ai", 'ො': "o", 'ෝ': "o", 'ෞ': "au", 'ෲ': "ri",
	},
	nasal:  map[rune]string{'ං': "n", 'ඃ': "h"},
	ignore: map[rune]bool{'\u200d': true, '\u200c': true},
}

// akshara is one consonant (or cluster) with its vowel, or a vowel.
type akshara struct {
	cons     string // consonants, "" for an independent vowel
	cluster  bool   // more than one consonant
	vowel    string
	inherent bool // the vowel is the inherent a, which may be silent
	tail     string
}

// transliterate writes one word of script ab in Latin.
func (ab *abugida) transliterate(word []rune) string {
	var syl []akshara
	pendingCons := ""
	nCons := 0
	joinNext := false // a virama joins the next consonant to this one
	flush := func() {
		if pendingCons != "" {
			syl = append(syl, akshara{cons: pendingCons, cluster: nCons > 1, vowel: "a", inherent: true})
			pendingCons, nCons = "", 0
		}
	}
	nextIsConsonant := func(i int) bool {
		for ; i < len(word); i++ {
			if !ab.ignore[word[i]] {
				return ab.consonants[word[i]] != ""
			}
		}
		return false
	}
	for i := 0; i < len(word); i++ {
		r := word[i]
		switch {
		case ab.ignore[r]:
		case ab.consonants[r] != "":
			if pendingCons != "" && !joinNext {
				flush()
			}
			joinNext = false
			pendingCons += ab.consonants[r]
			nCons++
		case r == ab.virama:
			joinNext = true
			if !nextIsConsonant(i + 1) {
				syl = append(syl, akshara{cons: pendingCons, cluster: nCons > 1})
				pendingCons, nCons, joinNext = "", 0, false
			}
		case ab.signs[r] != "":
			syl = append(syl, akshara{cons: pendingCons, cluster: nCons > 1, vowel: ab.signs[r]})
			pendingCons, nCons, joinNext = "", 0, false
		case ab.vowels[r] != "":
			flush()
			syl = append(syl, akshara{vowel: ab.vowels[r]})
		case ab.nasal[r] != "":
			flush()
			if len(syl) > 0 {
				syl[len(syl)-1].tail += ab.nasal[r]
			}
		}
	}
	flush()
	if ab.schwaDrop && len(syl) > 1 {
		// The last inherent a is silent unless the word ends in a
		// cluster closing on r, y or v (Narendra, Aditya).
		last := &syl[len(syl)-1]
		if last.inherent && last.tail == "" {
			c := last.cons
			keep := last.cluster && (strings.HasSuffix(c, "r") || strings.HasSuffix(c, "y") || strings.HasSuffix(c, "v"))
			if !keep {
				last.vowel = ""
			}
		}
		// Between syllables, an inherent a after a vowel and before a
		// consonant with a vowel is silent (Karamchand, Jawaharlal).
		for i := 1; i+1 < len(syl); i++ {
			s := &syl[i]
			if s.inherent && s.cons != "" && s.tail == "" && syl[i-1].vowel != "" && syl[i+1].cons != "" && syl[i+1].vowel != "" {
				s.vowel = ""
			}
		}
	}
	var b strings.Builder
	for _, s := range syl {
		b.WriteString(s.cons)
		b.WriteString(s.vowel)
		b.WriteString(s.tail)
	}
	return b.String()
}

func (ab *abugida) has(r rune) bool { return r >= ab.lo && r <= ab.hi }

// needsLatin reports whether s has a letter of a script that romanizeOther
// writes in Latin.
func needsLatin(s string) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			continue
		}
		if c >= 0xd0 && c <= 0xd3 && i+1 < len(s) {
			i += 2 // Cyrillic, the common case
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		if otherScript(r) {
			return true
		}
	}
	return false
}

// otherScript reports whether r is a letter (or mark) of a script the
// skeleton does not map: anything but Latin, Cyrillic, Greek, Georgian,
// Armenian, Arabic, Hebrew, Hangul and Han.
func otherScript(r rune) bool {
	switch {
	case r < 0x370:
		return false
	case r < 0x800: // Greek, Cyrillic, Armenian, Hebrew, Arabic, Syriac, Thaana
		return r >= 0x700 && r < 0x750 || r >= 0x780 && r < 0x7c0
	case r >= 0x10a0 && r <= 0x10ff, r >= 0x1c90 && r <= 0x1cbf: // Georgian
		return false
	case r >= 0xac00 && r <= 0xd7a3, r >= 0x1100 && r <= 0x11ff, r >= 0x3130 && r <= 0x318f: // Hangul
		return false
	case isHan(r):
		return false
	case r >= 0x1e00 && r <= 0x1eff, r >= 0x2000 && r <= 0x2bff, r >= 0xfb50 && r <= 0xfeff: // Latin extended, punctuation, Arabic forms
		return false
	case r == 0x200d || r == 0x200c:
		return false
	}
	return unicode.IsLetter(r) || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Mc, r)
}

// romanizeOther writes the letters of s that belong to scripts the
// skeleton does not map in Latin, word by word, and leaves the rest as it
// is. It allocates only when it changes something.
func romanizeOther(s string) string {
	if !needsLatin(s) {
		return s
	}
	var b strings.Builder
	rs := []rune(s)
	for i := 0; i < len(rs); {
		r := rs[i]
		if !otherScript(r) {
			b.WriteRune(r)
			i++
			continue
		}
		j := i
		for j < len(rs) && (otherScript(rs[j]) || rs[j] == 0x200d || rs[j] == 0x200c) {
			j++
		}
		word := rs[i:j]
		switch {
		case devanagari.has(r):
			b.WriteString(devanagari.transliterate(word))
		case sinhala.has(r):
			b.WriteString(sinhala.transliterate(word))
		default:
			b.WriteString(strings.Map(func(r rune) rune {
				if r == '`' || r == '\'' || r == '[' || r == ']' || r == '?' || r == ':' {
					return -1
				}
				return r
			}, unidecode.Unidecode(string(word))))
		}
		i = j
	}
	return b.String()
}

// hanReadings returns the Mandarin reading of a Han character in Hanyu
// Pinyin without tones (by unidecode's tables), or none.
func hanReadings(r rune) []string {
	s := strings.ToLower(strings.TrimSpace(unidecode.Unidecode(string(r))))
	if s == "" || strings.ContainsAny(s, " [?") {
		return nil
	}
	return []string{s}
}
