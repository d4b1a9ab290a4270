package names

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// The structure of a name beyond its words: titles and honorifics that
// count neither way, generational suffixes (Jr., II, молодший) that tell a
// father from his son, Arabic articles written joined or apart (al-Assad,
// аль-Асад, الأسد), the markers of a father's name (bin, ibn, ben, бин;
// the Turkic oglu, оглы, uly, kyzy, кызы after it), Arabic theophoric names
// written in one, two or three words (Abdelaziz, Abdul Aziz, Abd al-Aziz,
// Абдул-Азиз), and placeholders that stand for no name (N.N., невідомий).

// titles are honorifics, ranks and forms of address that are not part of a
// name. Words that are also given names or surnames (Major, Sultan, Khan,
// Don) are not listed.
var titles = map[string]bool{
	"mr": true, "mrs": true, "ms": true, "miss": true, "mx": true, "dr": true, "prof": true, "sir": true,
	"dame": true, "lord": true, "lady": true, "rev": true, "hon": true, "gen": true, "general": true,
	"col": true, "colonel": true, "maj": true, "capt": true, "captain": true, "lt": true, "sgt": true,
	"president": true, "king": true, "queen": true, "prince": true, "princess": true, "emir": true,
	"sheikh": true, "shaikh": true, "sheik": true, "shaykh": true, "mahatma": true, "ayatollah": true,
	"ayatullah": true, "grand": true, "imam": true, "mullah": true, "mulla": true, "maulana": true,
	"pandit": true, "sayyid": true, "syed": true, "haji": true, "hajji": true, "hadji": true,
	"madame": true, "mme": true, "mlle": true, "monsieur": true, "herr": true, "frau": true,
	"señor": true, "senor": true, "señora": true, "senora": true,
	"пані": true, "господин": true, "госпожа": true, "гр": true, "громадянин": true,
	"гражданин": true, "доктор": true, "д-р": true, "проф": true, "професор": true, "профессор": true,
	"генерал": true, "полковник": true, "президент": true, "король": true, "королева": true,
	"принц": true, "шейх": true, "шейх-": true, "имам": true, "імам": true, "мулла": true,
	"аятолла": true, "аятола": true, "мадам": true, "месье": true, "махатма": true,
	"ملا": true, "شيخ": true, "الشيخ": true, "الملك": true, "الأمير": true, "سيد": true,
}

// generations are suffixes that tell a father from his son of the same
// name; two names that both have one must have the same.
var generations = map[string]string{
	"jr": "jr", "junior": "jr", "jnr": "jr", "младший": "jr", "молодший": "jr", "мл": "jr",
	"sr": "sr", "senior": "sr", "snr": "sr", "старший": "sr", "ст": "sr",
	"ii": "ii", "iii": "iii", "iv": "iv", "2nd": "ii", "3rd": "iii",
	"الثاني": "ii", "الثالث": "iii",
}

// articles are the Arabic article in the spellings written apart from the
// name (al Assad, el Sisi, аль Асад); spellings joined by a hyphen
// (al-, el-, ul-, ad-, ar-, as-, az-, ash-, at-, an-, аль-, ас-…) are in
// articlePrefixes.
var articles = map[string]bool{"al": true, "el": true, "ul": true, "аль": true, "ал": true, "эль": true, "ель": true, "ال": true, "آل": true}

var articlePrefixes = []string{
	"al-", "el-", "ul-", "ad-", "ed-", "ud-", "ar-", "er-", "ur-", "as-", "es-", "us-", "az-", "ez-", "uz-",
	"ash-", "esh-", "ush-", "at-", "et-", "an-", "en-", "un-", "ath-", "adh-",
	"аль-", "ал-", "эль-", "ель-", "ас-", "аз-", "ад-", "ар-", "ат-", "аш-", "ан-", "уд-", "ад-", "уль-", "ул-",
}

// fatherMarkers say that the next word is the father's name (bin Salman,
// ibn Abdulaziz, бен Заид, wa Mulumba).
var fatherMarkers = map[string]bool{
	"bin": true, "ibn": true, "ben": true, "bint": true, "binti": true, "bte": true, "wa": true,
	"бин": true, "ибн": true, "бен": true, "бінт": true, "бинт": true, "ібн": true,
	"بن": true, "ابن": true, "بنت": true,
}

// sonMarkers follow a father's name in Turkic patronymics (Алирза оглы,
// Heydar oglu, Кемелұлы as one word is caught by its ending).
var sonMarkers = map[string]bool{
	"oglu": true, "ogly": true, "ogli": true, "oğlu": true, "uly": true, "uulu": true, "kyzy": true,
	"qizi": true, "gizi": true, "kizi": true, "qızı": true, "оглы": true, "огли": true, "оглу": true,
	"улы": true, "уулу": true, "кызы": true, "гызы": true, "кизи": true, "ұлы": true, "қызы": true,
}

// placeholders stand for a name nobody knows; a name made only of them is
// no name.
var placeholders = map[string]bool{
	"nn": true, "n.n": true, "n.n.": true, "n/a": true, "na": false, "unknown": true, "unk": true,
	"fnu": true, "lnu": true, "xxx": true, "noname": true, "anonymous": true,
	"невідомий": true, "невідома": true, "невідомо": true, "невстановлений": true, "невстановлена": true,
	"неизвестный": true, "неизвестная": true, "неизвестно": true, "неустановленный": true,
	"неустановленная": true, "не": true, "встановлено": true, "установлено": true, "установлен": true,
	"нн": true, "н.н": true, "н.н.": true, "х": false,
}

// theophoric are the spellings of Abd (servant of), written joined to the
// name after it or apart: Abdelaziz, Abdul Aziz, Abd al-Aziz, Абдул-Азиз.
var theophoric = []string{"abdul", "abdel", "abdal", "abdol", "abdur", "abdus", "abduz", "abdun", "abdu", "abd",
	"абдул", "абдель", "абдаль", "абдал", "абдур", "абдус", "абду", "абд", "عبد"}

// nameShape is what the structure pass learns about a name.
type nameShape struct {
	generation  string       // jr, sr, ii… or ""
	placeholder bool         // the name is only placeholders
	father      map[int]bool // indexes of words that are a father's name
	clan        map[int]bool // indexes of words after a separate article (Al Saud)
}

// foldDigits writes the digits clerks type for look-alike letters (0 for
// O, 1 for I, 3 for З) as those letters, in a word that has letters.
func foldDigits(w string) string {
	digit := false
	for i := 0; i < len(w); i++ {
		if c := w[i]; c == '0' || c == '1' || c == '3' || c == '4' {
			digit = true
			break
		}
	}
	if !digit || letterCount(w) == 0 {
		return w
	}
	cyr := Script(w) == ScriptCyrillic
	upper := !hasLower(w)
	var b strings.Builder
	for _, r := range w {
		switch r {
		case '0':
			r = 'o'
			if cyr {
				r = 'о'
			}
		case '1':
			r = 'i'
			if cyr {
				r = 'і'
			}
		case '3':
			if !cyr {
				b.WriteRune(r)
				continue
			}
			r = 'з'
		case '4':
			if !cyr {
				b.WriteRune(r)
				continue
			}
			r = 'ч'
		}
		if upper {
			r = unicode.ToUpper(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// lowerWord is a word folded for the lookups of this file.
func lowerWord(w string) string {
	return strings.TrimRight(strings.ToLower(w), ".,")
}

// shapeWords applies the structure pass to the words of a name (comma is
// the index of the first word after a comma, or -1). It returns the words
// left and what it learnt.
func shapeWords(words []string, comma int) ([]string, int, nameShape) {
	var sh nameShape
	var out []string
	newComma := comma
	drop := func(i int) {
		if comma >= 0 && i < comma {
			newComma--
		}
	}
	lower := make([]string, len(words))
	allPlaceholders := len(words) > 0
	for i, w := range words {
		lower[i] = lowerWord(w)
		if !placeholders[lower[i]] && !placeholders[strings.ToLower(w)] {
			allPlaceholders = false
		}
	}
	if allPlaceholders {
		sh.placeholder = true
		return nil, -1, sh
	}
	fatherNext := false
	for i := 0; i < len(words); i++ {
		w := words[i]
		lw := lower[i]
		switch {
		case titles[lw] && len(words) > 1 && (i == 0 || !articles[lower[i-1]]):
			drop(i)
			continue
		case generations[lw] != "" && i > 0:
			sh.generation = generations[lw]
			drop(i)
			continue
		case placeholders[lw]:
			drop(i)
			continue
		case articles[lw] && i+1 < len(words):
			if sh.clan == nil {
				sh.clan = map[int]bool{}
			}
			sh.clan[len(out)] = true
			drop(i)
			continue
		case fatherMarkers[lw] && i > 0 && i+1 < len(words):
			fatherNext = true
			drop(i)
			continue
		case sonMarkers[lw] && len(out) > 0:
			// The word before is the father's name.
			if sh.father == nil {
				sh.father = map[int]bool{}
			}
			sh.father[len(out)-1] = true
			drop(i)
			continue
		}
		// A generational suffix joined by a hyphen: Буш-молодший.
		if k := strings.LastIndexByte(w, '-'); k > 0 {
			if g := generations[lowerWord(w[k+1:])]; g != "" {
				sh.generation = g
				w = w[:k]
				lw = lowerWord(w)
			}
		}
		if w2 := stripArticle(w); len(w2) != len(w) {
			w, lw = w2, lowerWord(w2)
		}
		// Abd and the name after it are one name.
		if pre, ok := theophoricPrefix(lw); ok {
			rest := w[len(pre):]
			rest = strings.TrimLeft(rest, "-")
			if letterCount(rest) == 0 && i+1 < len(words) {
				if articles[lower[i+1]] && i+2 < len(words) {
					drop(i)
					i++
				}
				rest = stripArticle(words[i+1])
				drop(i)
				i++
			}
			w = joinTheophoric(w[:len(theophoricHead(pre))], pre, rest)
			lw = lowerWord(w)
		}
		// ad-Din, ud-din, el-Din after a name belong to it (Zine el-Din = Zinedine).
		if len(out) > 0 && isDin(lw) {
			out[len(out)-1] += strings.ToLower(w)
			drop(i)
			continue
		}
		if fatherNext {
			if sh.father == nil {
				sh.father = map[int]bool{}
			}
			sh.father[len(out)] = true
			fatherNext = false
		}
		out = append(out, w)
	}
	if len(out) == 0 {
		return words, comma, nameShape{}
	}
	if newComma <= 0 || newComma >= len(out) {
		newComma = -1
	}
	return out, newComma, sh
}

// stripArticle cuts a hyphenated Arabic article (al-Assad, ас-Сиси) or the
// article joined in Arabic script (الأسد) off a word.
func stripArticle(w string) string {
	if strings.IndexByte(w, '-') < 0 {
		if strings.HasPrefix(w, "ال") && utf8.RuneCountInString(w) > 4 {
			return w[len("ال"):]
		}
		return w
	}
	lw := strings.ToLower(w)
	for _, p := range articlePrefixes {
		if strings.HasPrefix(lw, p) && letterCount(lw) > letterCount(p)+1 {
			return w[len(p):]
		}
	}
	if strings.HasPrefix(w, "ال") && utf8.RuneCountInString(w) > 4 {
		return w[len("ال"):]
	}
	return w
}

func theophoricPrefix(lw string) (string, bool) {
	if !strings.HasPrefix(lw, "abd") && !strings.HasPrefix(lw, "абд") && !strings.HasPrefix(lw, "عبد") {
		return "", false
	}
	for _, p := range theophoric {
		if strings.HasPrefix(lw, p) {
			rest := lw[len(p):]
			rest = strings.TrimLeft(rest, "-")
			// Abdul alone, or Abdul followed by the name; not Abdi, Abduh.
			if rest == "" || letterCount(rest) >= 2 {
				return p, true
			}
		}
	}
	return "", false
}

// joinTheophoric writes Abd and the name after it as one word: abd, then
// the name, with the sun letter an article assimilated to (Abdur Rahman,
// Абдурахман: r) kept once and the article's l dropped (Abdul Aziz =
// Abd al-Aziz = Abdelaziz).
func joinTheophoric(abd, pre, rest string) string {
	lr := strings.ToLower(rest)
	consonant := ""
	if n := len(pre); n > 3 {
		// the letter after abd and its vowel: the article's consonant
		tail := []rune(pre)
		c := tail[len(tail)-1]
		if !strings.ContainsRune("aeiouаеиоуыэ", c) && c != 'l' && c != 'л' && c != 'ь' {
			consonant = string(c)
		}
	}
	if consonant != "" && !strings.HasPrefix(lr, consonant) {
		return abd + consonant + rest
	}
	return abd + rest
}

func isDin(lw string) bool {
	switch lw {
	case "din", "dine", "deen", "dinn", "дин", "ad-din", "ud-din", "el-din", "ed-din", "uddin", "eddine", "uddeen", "دين", "الدين":
		return true
	}
	return false
}

// theophoricHead is the Abd of a theophoric prefix: its first three letters.
func theophoricHead(pre string) string {
	n := 0
	for i := range pre {
		if n == 3 {
			return pre[:i]
		}
		n++
	}
	return pre
}
