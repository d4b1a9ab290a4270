package names

import (
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// A skeleton is the ASCII form names are compared in. Every script and
// transliteration scheme maps into one small alphabet:
//
//	a e i o u   vowels; y, j, й, и, і, ї, ы all become i, and an i before
//	            another vowel (the glide of я/ю/є/ya/ia/ju…) is dropped
//	b d f k l m n p r s t v z   as written (w → v, ph → f, q → k, x → ks)
//	g           г ґ х and g h kh gh (Ukrainian г is h, Russian is g)
//	C           ц: ts tz c (before e i y)
//	Q           ч: ch tch tsch cz č ç
//	S           ш щ: sh sch shch shh sz š ś
//	Z           ж: zh ž ż
//
// Soft and hard signs, apostrophes and hyphens vanish, and runs of one
// letter collapse (nn → n), so Олександр, Oleksandr and Olexandr have the
// skeleton "oleksandr", and Григорій, Hryhorii, Grigoriy and Grigory all
// have "grigori".

// cyrSkel maps Cyrillic letters (lower case) to skeleton letters.
var cyrSkel = map[rune]string{
	'а': "a", 'б': "b", 'в': "v", 'г': "g", 'ґ': "g", 'д': "d", 'е': "e",
	'є': "ie", 'ё': "e", 'ж': "Z", 'з': "z", 'и': "i", 'і': "i", 'ї': "ii",
	'й': "i", 'к': "k", 'л': "l", 'м': "m", 'н': "n", 'о': "o", 'п': "p",
	'р': "r", 'с': "s", 'т': "t", 'у': "u", 'ф': "f", 'х': "g", 'ц': "C",
	'ч': "Q", 'ш': "S", 'щ': "S", 'ъ': "j", 'ы': "i", 'ь': "j", 'э': "e",
	'ю': "iu", 'я': "ia", 'ў': "u", 'ј': "i", 'љ': "l", 'њ': "n", 'ђ': "d",
	'ћ': "Q", 'џ': "Z", 'ѕ': "z",
	// Kazakh, Tatar, Bashkir and other letters of Russia's lists.
	'ә': "a", 'ғ': "g", 'қ': "k", 'ң': "n", 'ө': "o", 'ұ': "u", 'ү': "u",
	'һ': "g", 'ҙ': "z", 'ҫ': "s", 'ӊ': "n", 'җ': "Z", 'ӑ': "a", 'ӗ': "e",
	'ҳ': "g", 'ӯ': "u", 'ҷ': "Q", 'ӣ': "i",
	// Georgian (Mkhedruli), by the national system of 2002.
	'ა': "a", 'ბ': "b", 'გ': "g", 'დ': "d", 'ე': "e", 'ვ': "v", 'ზ': "z",
	'თ': "t", 'ი': "i", 'კ': "k", 'ლ': "l", 'მ': "m", 'ნ': "n", 'ო': "o",
	'პ': "p", 'ჟ': "Z", 'რ': "r", 'ს': "s", 'ტ': "t", 'უ': "u", 'ფ': "p",
	'ქ': "k", 'ღ': "g", 'ყ': "k", 'შ': "S", 'ჩ': "Q", 'ც': "C", 'ძ': "dz",
	'წ': "C", 'ჭ': "Q", 'ხ': "g", 'ჯ': "dZ", 'ჰ': "g",
	// Armenian.
	'ա': "a", 'բ': "b", 'գ': "g", 'դ': "d", 'ե': "e", 'զ': "z", 'է': "e",
	'ը': "e", 'թ': "t", 'ժ': "Z", 'ի': "i", 'լ': "l", 'խ': "g", 'ծ': "C",
	'կ': "k", 'հ': "g", 'ձ': "dz", 'ղ': "g", 'ճ': "Q", 'մ': "m", 'յ': "i",
	'ն': "n", 'շ': "S", 'ո': "o", 'չ': "Q", 'պ': "p", 'ջ': "dZ", 'ռ': "r",
	'ս': "s", 'վ': "v", 'տ': "t", 'ր': "r", 'ց': "C", 'ւ': "u", 'փ': "p",
	'ք': "k", 'օ': "o", 'ֆ': "f", 'և': "ev",
	// Arabic and Persian: consonants as usually romanised; alif, waw and
	// ya as the vowels a, u, i they mostly write; ayn and hamza as nothing.
	// Short vowels are not written, so Arabic compares with Latin mainly
	// through the consonants (see the vowel rule in compareOne).
	'ا': "a", 'أ': "a", 'إ': "i", 'آ': "a", 'ٱ': "a", 'ب': "b", 'ت': "t",
	'ث': "t", 'ج': "dZ", 'ح': "g", 'خ': "g", 'د': "d", 'ذ': "d", 'ر': "r",
	'ز': "z", 'س': "s", 'ش': "S", 'ص': "s", 'ض': "d", 'ط': "t", 'ظ': "z",
	'ع': "a", 'غ': "g", 'ف': "f", 'ق': "k", 'ك': "k", 'ل': "l", 'م': "m",
	'ن': "n", 'ه': "g", 'ة': "a", 'و': "u", 'ي': "i", 'ى': "a", 'ئ': "i",
	'ؤ': "u", 'ء': "", 'پ': "p", 'چ': "Q", 'ژ': "Z", 'گ': "g", 'ک': "k",
	'ی': "i", 'ٹ': "t", 'ڈ': "d", 'ڑ': "r", 'ھ': "", 'ں': "n", 'ے': "e", 'ہ': "g", 'ۃ': "a", 'ۀ': "e",
	// Hebrew, like Arabic, by its consonants.
	'א': "", 'ב': "b", 'ג': "g", 'ד': "d", 'ה': "g", 'ו': "u", 'ז': "z",
	'ח': "g", 'ט': "t", 'י': "i", 'כ': "k", 'ך': "k", 'ל': "l", 'מ': "m",
	'ם': "m", 'נ': "n", 'ן': "n", 'ס': "s", 'ע': "", 'פ': "p", 'ף': "f",
	'צ': "C", 'ץ': "C", 'ק': "k", 'ר': "r", 'ש': "S", 'ת': "t",
	// Greek, for the odd name written in it.
	'α': "a", 'β': "v", 'γ': "g", 'δ': "d", 'ε': "e", 'ζ': "z", 'η': "i",
	'θ': "t", 'ι': "i", 'κ': "k", 'λ': "l", 'μ': "m", 'ν': "n", 'ξ': "ks",
	'ο': "o", 'π': "p", 'ρ': "r", 'σ': "s", 'ς': "s", 'τ': "t", 'υ': "i",
	'φ': "f", 'χ': "g", 'ψ': "ps", 'ω': "o",
}

// latinSkel maps Latin letters with diacritics that carry a sound of their
// own; others lose their marks.
var latinSkel = map[rune]string{
	'č': "Q", 'ć': "Q", 'ç': "Q", 'š': "S", 'ś': "S", 'ŝ': "S", 'ş': "S",
	'ž': "Z", 'ż': "Z", 'ź': "z", 'ł': "l", 'ß': "s", 'đ': "d", 'ø': "o",
	'æ': "e", 'œ': "e", 'ı': "i", 'ư': "i", 'ừ': "i", 'ứ': "i", 'ử': "i", 'ữ': "i", 'ự': "i", // Vietnamese ư, Russian ы
}

// appendSkeleton appends the skeleton of the normalised text s to dst.
// The reading chooses how ambiguous Latin letter groups are read.
func appendSkeleton(dst []byte, s string, rd reading) []byte {
	s = stripMarks(s)
	start := len(dst)
	for i := 0; i < len(s); {
		c := s[i]
		if c == ' ' || c == '-' {
			// A word ends: squeeze it on its own, so that its first
			// letter is known.
			dst = squeeze(dst, start, rd)
			start = len(dst)
			i++
			continue
		}
		if c < utf8.RuneSelf {
			if c == 'h' && rd&readSilentH != 0 && len(dst) == start && i+1 < len(s) && isSkelVowel(s[i+1]) {
				i++ // the silent h of Hugo, Hassan
				continue
			}
			if c == 'd' && rd&readJDzh != 0 && i+1 < len(s) && s[i+1] == 'j' {
				i++ // dj is the j of дж already
				continue
			}
			out, n := latinDigraph(s[i:], rd)
			dst = append(dst, out...)
			i += n
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		if r == 'ο' && i < len(s) && strings.HasPrefix(s[i:], "υ") {
			dst = append(dst, 'u') // Greek ου
			i += len("υ")
			continue
		}
		if r == 'ո' && strings.HasPrefix(s[i:], "ւ") {
			dst = append(dst, 'u') // Armenian ու
			i += len("ւ")
			continue
		}
		if rd&readKMU != 0 && i < len(s) {
			// KMU writes сг as sh, кг as kh, сч as sch, шч as shch, which a
			// reader takes for ш, х, щ, щ.
			next, m := utf8.DecodeRuneInString(s[i:])
			switch {
			case (r == 'с' || r == 'ш') && (next == 'г' || next == 'ч'):
				dst = append(dst, 'S')
				i += m
				continue
			case r == 'к' && next == 'г':
				dst = append(dst, 'g')
				i += m
				continue
			}
		}
		if strings.HasPrefix(s[i:], "х") && strings.ContainsRune("бдтпкчг", r) {
			// бх, дх, тх, пх, кх, чх, гх write the aspirates of Indic and
			// Korean names (Бхандари, Пхеньян): the х is breath, not a sound
			// of its own. кх is g, as Latin kh is (Кхадка = Khadka).
			if r == 'к' {
				dst = append(dst, 'g')
			} else {
				dst = append(dst, cyrSkel[r]...)
			}
			i += len("х")
			continue
		}
		if r == 'т' && strings.HasPrefix(s[i:], "с") {
			dst = append(dst, 'C') // тс sounds, and is written, as ts
			i += len("с")
			continue
		}
		if r == 'т' && strings.HasPrefix(s[i:], "ч") {
			dst = append(dst, 'Q') // тч is written tch, which reads as ч
			i += len("ч")
			continue
		}
		if r >= 0xac00 && r <= 0xd7a3 {
			dst = appendHangul(dst, r)
			continue
		}
		if out, ok := cyrSkel[r]; ok {
			dst = append(dst, out...)
			continue
		}
		if out, ok := latinSkel[r]; ok {
			dst = append(dst, out...)
			continue
		}
		if letterScript(r) == ScriptOther {
			dst = utf8.AppendRune(dst, r) // kept as it is
		}
	}
	return squeeze(dst, start, rd)
}

// Korean syllables are romanised by their letters (Revised Romanization,
// with ㅈ ㅊ ㅉ as Q); values in Hangul are compared by coarse consonants,
// since Kim/Gim, Jong/Jeong/Chung, Lee/Yi all write one name.
var (
	hangulInitial = [...]string{"g", "g", "n", "d", "d", "r", "m", "b", "b", "s", "s", "", "Q", "Q", "Q", "k", "t", "p", "g"}
	hangulVowel   = [...]string{"a", "e", "ia", "ie", "o", "e", "io", "ie", "o", "ua", "ue", "oe", "io", "u", "uo", "ue", "ui", "iu", "u", "ui", "i"}
	hangulFinal   = [...]string{"", "k", "k", "ks", "n", "n", "n", "t", "l", "lk", "lm", "lp", "ls", "lt", "lp", "l", "m", "p", "ps", "t", "t", "ng", "t", "t", "k", "t", "p", "t"}
)

func appendHangul(dst []byte, r rune) []byte {
	i := int(r - 0xac00)
	dst = append(dst, hangulInitial[i/588]...)
	dst = append(dst, hangulVowel[i%588/28]...)
	return append(dst, hangulFinal[i%28]...)
}

// coarseConsonants appends the consonants of skeleton sk with the
// distinctions Korean romanisations do not keep merged: g k, d t, b p,
// l r, s S, and the affricates Q Z C dropped; an l or r at the start or
// before a consonant is dropped too (Lee, Rhee = 이; Park = 박).
func coarseConsonants(dst []byte, sk string) []byte {
	for i := 0; i < len(sk); i++ {
		c := sk[i]
		switch c {
		case 'a', 'e', 'i', 'o', 'u', 'Q', 'Z', 'C':
			continue
		case 'l', 'r':
			if i == 0 || i+1 < len(sk) && !isSkelVowel(sk[i+1]) {
				continue
			}
			c = 'r'
		case 'g':
			c = 'k'
		case 'd':
			c = 't'
		case 'b':
			c = 'p'
		case 'S':
			c = 's'
		}
		if n := len(dst); n > 0 && dst[n-1] == c {
			continue
		}
		dst = append(dst, c)
	}
	return dst
}

// stripMarks replaces letters with diacritics that carry no sound of their
// own in the skeleton (é, í, ά…) by their base letters, so that the letter
// groups around them read as in plain text (García → garcia, not gark-ia).
// Letters the skeleton maps themselves (й, ї, č, š…) are kept. It
// allocates only when it changes something.
func stripMarks(s string) string {
	i := 0
	for ; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			break
		}
	}
	if i == len(s) {
		return s
	}
	var b []byte
	for j, r := range s[i:] {
		if r < utf8.RuneSelf || r >= 'а' && r <= 'я' || hasSkel(r) || letterScript(r) == ScriptNone {
			if b != nil {
				b = utf8.AppendRune(b, r)
			}
			continue
		}
		d := norm.NFD.String(string(r))
		base, _ := utf8.DecodeRuneInString(d)
		if base == r || (base >= utf8.RuneSelf && !hasSkel(base)) {
			if b != nil {
				b = utf8.AppendRune(b, r)
			}
			continue
		}
		if b == nil {
			b = append(make([]byte, 0, len(s)), s[:i+j]...)
		}
		b = utf8.AppendRune(b, base)
	}
	if b == nil {
		return s
	}
	return string(b)
}

func hasSkel(r rune) bool {
	if _, ok := cyrSkel[r]; ok {
		return true
	}
	_, ok := latinSkel[r]
	return ok
}

// reading is a way to read the Latin letter groups that schemes use for
// different sounds.
type reading uint16

const (
	readCommon     reading = 0         // x = ks, cz = ч, ch = ч; ё after a consonant = e
	readGOST       reading = 1 << iota // GOST 7.79 B: x = х, cz = ц (Mixail, Czoj)
	readGerman                         // German and Polish ch = х (Chruschtschow, Chodorkowski)
	readYo                             // ьо, йо, yo, io after a consonant = o (Альона = Alona by KMU)
	readFrench                         // ou = у, ch = ш, a final e is silent (Poutine, Chaliapine)
	readKMU                            // Cyrillic сг, кг, сч, шч as their KMU spellings sh, kh, sch, shch read back
	readJDzh                           // Latin j as English, Arabic, Indic and African names write дж (Jomo, Jawaharlal, Obasanjo)
	readJKh                            // Latin j as Spanish writes х (Juan, Jiménez)
	readSilentH                        // a Latin h at the start of a word is silent (Hugo = Уго, Hassan = Асан)
	readVietnamese                     // Vietnamese tr = ч, d = з, gi = зи, x = с, nh = нь (Trọng = Чонг, Dũng = Зунг)
)

// readings returns the other readings that apply to the normalised text n:
// GOST B when it has x or cz; German when it has ch beside a mark of German
// or Polish spelling (sch, sz, rz, w); o for ё when it has ьо, йо, yo, io
// or jo (Russian-style spellings write ё as yo, but Ukrainian ьо is o).
func readings(n string) (rs [maxReadings]reading, k int) {
	add := func(r reading) {
		if k < maxReadings {
			rs[k] = r
			k++
		}
	}
	latin, other := false, false
	for i := 0; i < len(n); i++ {
		c := n[i]
		switch {
		case c >= utf8.RuneSelf:
			other = true
		case c >= 'a' && c <= 'z':
			latin = true
		}
	}
	if latin {
		if strings.Contains(n, "x") || strings.Contains(n, "cz") {
			add(readGOST)
		}
		if strings.Contains(n, "ch") && strings.Contains(strings.ReplaceAll(strings.ReplaceAll(n, "sch", ""), "tsch", ""), "ch") &&
			(strings.Contains(n, "sch") || strings.Contains(n, "sz") || strings.Contains(n, "rz") || strings.Contains(n, "w")) {
			add(readGerman)
		}
		if frenchLike(n, other) {
			add(readFrench)
		}
	}
	if other {
		for _, g := range [...]string{"сг", "кг", "сч", "шч"} {
			if strings.Contains(n, g) {
				add(readKMU)
				break
			}
		}
	}
	yo := [...]string{"ьо", "йо", "ъо", "yo", "io", "jo"}
	for i, g := range yo {
		if (i < 3 && other || i >= 3 && latin) && strings.Contains(n, g) {
			add(readYo)
			break
		}
	}
	if latin {
		if dzh, kh := foreignJ(n); dzh || kh {
			if dzh {
				add(readJDzh)
			}
			if kh {
				add(readJKh)
			}
		}
		if hStartsWord(n) {
			add(readSilentH)
		}
	}
	return rs, k
}

// foreignJ reports whether a Latin j of n may be the дж of English,
// Arabic, Indic and African names (a j before a vowel at the start of a
// word or after a consonant: Jomo, Obasanjo) or the х of Spanish ones
// (at the start of a word, or after e: Juan, Alejandro). Slavic spellings
// write й as j between vowels (Mykolajovych), which reads neither way.
func foreignJ(n string) (dzh, kh bool) {
	for i := 0; i+1 < len(n); i++ {
		if n[i] != 'j' || !isSkelVowel(n[i+1]) {
			continue
		}
		start := i == 0 || n[i-1] == ' ' || n[i-1] == '-'
		if start || !slavicJ(n) {
			dzh = true
		}
		if start || n[i-1] == 'e' {
			kh = true
		}
	}
	return dzh, kh
}

// slavicJ reports whether a Latin word is a Slavic spelling that writes й
// as j (Mykolajovych, Andrijivna, Zajac): a patronymic ending or a j after i
// or y.
func slavicJ(n string) bool {
	for i := 1; i < len(n); i++ {
		if n[i] == 'j' && (n[i-1] == 'i' || n[i-1] == 'y') && (i+1 == len(n) || !isSkelVowel(n[i+1])) {
			return true // Andrij, Serhij, Dmytrijvna
		}
	}
	return strings.Contains(n, "ovy") || strings.Contains(n, "evy") || strings.Contains(n, "ovi") || strings.Contains(n, "evi") ||
		strings.Contains(n, "ivn") || strings.Contains(n, "ovn")
}

// hStartsWord reports whether a word of n starts with a Latin h and a vowel.
func hStartsWord(n string) bool {
	for i := 0; i+1 < len(n); i++ {
		if n[i] == 'h' && (i == 0 || n[i-1] == ' ' || n[i-1] == '-') && isSkelVowel(n[i+1]) {
			return true
		}
	}
	return false
}

// frenchLike reports whether a Latin word may be a French spelling: it has
// ou, or it ends in a consonant and a silent e.
func frenchLike(n string, marks bool) bool {
	if strings.Contains(n, "ou") || marks && strings.ContainsAny(n, "éèêç") {
		return true
	}
	// A word of four letters or more ending in a consonant and e.
	start := 0
	for i := 0; i <= len(n); i++ {
		if i < len(n) && n[i] != ' ' && n[i] != '-' {
			continue
		}
		if w := n[start:i]; len(w) >= 4 && w[len(w)-1] == 'e' && w[len(w)-2] < utf8.RuneSelf &&
			!isSkelVowel(w[len(w)-2]) && w[len(w)-2] != 'y' {
			return true
		}
		start = i + 1
	}
	return false
}

// latinDigraph returns the skeleton of the Latin letter group at the start
// of s (lower case) and how many bytes it used.
func latinDigraph(s string, rd reading) (string, int) {
	at := func(i int) byte {
		if i < len(s) {
			return s[i]
		}
		return 0
	}
	has := func(p string) bool { return len(s) >= len(p) && s[:len(p)] == p }
	if rd&readVietnamese != 0 {
		switch {
		case has("tr"):
			return "Q", 2
		case has("nh"):
			return "n", 2
		case has("gi"):
			return "z", 1 // the i stays: Giáp = Зиап
		case s[0] == 'd':
			return "z", 1
		case s[0] == 'x':
			return "s", 1
		}
	}
	if rd&readFrench != 0 {
		switch {
		case has("ou") && len(s) > 2 && isSkelVowel(s[2]):
			return "v", 2 // Anouar = Anwar
		case has("ou"):
			return "u", 2
		case has("ch"):
			return "S", 2
		case s[0] == 'e' && (len(s) == 1 || s[1] == ' ' || s[1] == '-'):
			return "", 1 // the silent e of Poutine
		}
	}
	switch c := s[0]; c {
	case 'b', 'd':
		if at(1) == 'h' {
			return s[:1], 2 // the aspirates of Indic names: Bhandari, Gandhi
		}
		return s[:1], 1
	case 'a', 'e', 'i', 'o', 'u', 'f', 'l', 'm', 'n', 'r', 'v':
		return s[:1], 1
	case 'y':
		return "i", 1
	case 'j':
		n := 1
		if at(1) == 'h' {
			n = 2
		}
		switch {
		case rd&readJDzh != 0:
			return "dZ", n
		case rd&readJKh != 0:
			return "g", n
		}
		return "i", n
	case 'w':
		return "v", 1
	case 'q':
		return "k", 1
	case 'h':
		return "g", 1
	case 'x':
		if rd&readGOST != 0 {
			return "g", 1
		}
		return "ks", 1
	case 's':
		switch {
		case has("shch"):
			return "S", 4
		case has("sch"), has("shh"):
			return "S", 3
		case has("sh"), has("sz"):
			return "S", 2
		}
		return "s", 1
	case 'z':
		if at(1) == 'h' {
			return "Z", 2
		}
		return "z", 1
	case 'k':
		if at(1) == 'h' {
			return "g", 2
		}
		return "k", 1
	case 'g':
		if at(1) == 'h' {
			return "g", 2
		}
		return "g", 1
	case 'c':
		switch at(1) {
		case 'h':
			if rd&readGerman != 0 {
				return "g", 2
			}
			if at(2) == 'h' {
				return "Q", 3 // chh, an Indic aspirate
			}
			return "Q", 2
		case 'z':
			if rd&readGOST != 0 {
				return "C", 2
			}
			return "Q", 2
		case 'k':
			return "k", 2
		case 'e', 'i', 'y':
			return "C", 1
		}
		return "k", 1
	case 't':
		switch {
		case has("tsch"):
			return "Q", 4
		case has("tsh"):
			return "Q", 3 // French and African writings of ч: Tshisekedi
		case has("tch"):
			return "Q", 3
		case has("ts"), has("tz"):
			return "C", 2
		case has("th"):
			return "t", 2
		}
		return "t", 1
	case 'p':
		if at(1) == 'h' {
			return "f", 2
		}
		return "p", 1
	}
	return "", 1 // digits, punctuation, hyphens
}

func isSkelVowel(c byte) bool {
	return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u'
}

// squeeze collapses runs of one letter in the word dst[start:] and drops
// an i that stands before another vowel (the glide of я, ю, є, ya, iu…),
// in place. A j (a soft or hard sign) is a glide before a vowel and
// nothing before a consonant. At the start of a word the glide is kept, except before e:
// Яна is not Анна, but Yelena and Elena are one spelling of Елена.
func squeeze(dst []byte, start int, rd reading) []byte {
	w := start
	for r := start; r < len(dst); r++ {
		c := dst[r]
		if c == 'i' || c == 'j' {
			// Skip the glide: the next letter that is not i decides.
			n := r + 1
			for n < len(dst) && (dst[n] == 'i' || dst[n] == 'j') {
				n++
			}
			if n < len(dst) && isSkelVowel(dst[n]) && (r > start || dst[n] == 'e') {
				// ё after a consonant is written e, yo, io or jo, and
				// Ukrainian writes it ьо or йо: all become e.
				if dst[n] == 'o' && w > start && !isSkelVowel(dst[w-1]) && rd&readYo == 0 {
					dst[n] = 'e'
				}
				r = n - 1
				continue
			}
			if c == 'j' {
				continue // a soft or hard sign before a consonant
			}
		}
		if w > start && dst[w-1] == c {
			continue
		}
		dst[w] = c
		w++
	}
	return dst[:w]
}

// consonants appends the consonants of skeleton sk to dst: the coarse form
// blocking keys are made of. A skeleton with no consonant is kept whole.
func consonants(dst []byte, sk []byte) []byte {
	start := len(dst)
	for _, c := range sk {
		if isSkelVowel(c) {
			continue
		}
		if len(dst) > start && dst[len(dst)-1] == c {
			continue
		}
		dst = append(dst, c)
	}
	if len(dst) == start {
		dst = append(dst, sk...)
	}
	return dst
}

// foldGender rewrites the feminine endings of a surname skeleton to the
// masculine ones: -ska/-Cka → -ski/-Cki, -ova → -ov, -eva → -ev, -ina → -in.
// It reports whether it changed anything.
func foldGender(sk []byte) ([]byte, bool) {
	n := len(sk)
	if n < 4 || sk[n-1] != 'a' {
		return sk, false
	}
	switch string(sk[n-3 : n-1]) {
	case "sk", "Ck", "Sk", "zk":
		sk[n-1] = 'i'
		return sk, true
	case "ov", "ev", "in", "iv":
		return sk[:n-1], true
	}
	return sk, false
}
