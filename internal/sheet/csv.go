package sheet

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
)

// csvSource reads rows of a CSV file decoded to UTF-8.
type csvSource struct {
	r        *csv.Reader
	n        int
	err      error
	name     string
	encoding string
	sep      rune
}

var encodings = map[string]struct {
	name string
	enc  encoding.Encoding
}{
	"utf-8": {"utf-8", nil}, "utf8": {"utf-8", nil},
	"cp1251": {"windows-1251", charmap.Windows1251}, "windows-1251": {"windows-1251", charmap.Windows1251}, "win1251": {"windows-1251", charmap.Windows1251},
	"koi8-r": {"koi8-r", charmap.KOI8R}, "koi8r": {"koi8-r", charmap.KOI8R},
	"koi8-u": {"koi8-u", charmap.KOI8U}, "koi8u": {"koi8-u", charmap.KOI8U},
}

// DecodeText returns data as UTF-8 text (data itself, less any BOM, when it
// is UTF-8 already) and the name of the encoding it was
// in: UTF-8 (with or without BOM), or Windows-1251 when the bytes are not
// UTF-8 and most of the non-ASCII bytes are Cyrillic letters in that code
// page. enc names the encoding instead of detecting it (utf-8, cp1251,
// koi8-r, koi8-u). Anything else is an errs.Invalid error.
func DecodeText(name string, data []byte, enc string) ([]byte, string, error) {
	if enc != "" {
		e, ok := encodings[strings.ToLower(strings.TrimSpace(enc))]
		if !ok {
			return nil, "", fileError(name, CodeEncoding, "encoding %q is not one we read: use utf-8, cp1251, koi8-r or koi8-u", enc)
		}
		if e.enc == nil {
			data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
			if !utf8.Valid(data) {
				return nil, "", fileError(name, CodeEncoding, "the file is not valid UTF-8 (at byte %d): is it Windows-1251? Try --encoding cp1251", invalidAt(data))
			}
			return data, e.name, nil
		}
		out, err := e.enc.NewDecoder().Bytes(data)
		if err != nil {
			return nil, "", fileError(name, CodeEncoding, "the file cannot be decoded as %s", e.name)
		}
		return out, e.name, nil
	}
	if bytes.HasPrefix(data, []byte("\xef\xbb\xbf")) {
		data = data[3:]
		if !utf8.Valid(data) {
			return nil, "", fileError(name, CodeEncoding, "the file starts with a UTF-8 mark but is not valid UTF-8 (at byte %d)", invalidAt(data))
		}
		return data, "utf-8 bom", nil
	}
	if bytes.HasPrefix(data, []byte("\xff\xfe")) || bytes.HasPrefix(data, []byte("\xfe\xff")) {
		return nil, "", fileError(name, CodeEncoding, "the file is UTF-16: save it as CSV UTF-8")
	}
	if utf8.Valid(data) {
		return data, "utf-8", nil
	}
	if looksCP1251(data) {
		out, _ := charmap.Windows1251.NewDecoder().Bytes(data)
		return out, "windows-1251", nil
	}
	return nil, "", fileError(name, CodeEncoding, "the file is neither UTF-8 nor recognisably Windows-1251 (first bad byte at %d): name the encoding (--encoding)", invalidAt(data))
}

// looksCP1251 reports whether most non-ASCII bytes are Windows-1251
// Cyrillic letters (0xC0–0xFF, and Ё ё Є є І і Ї ї Ґ ґ), as they are in
// Ukrainian or Russian text in that code page.
func looksCP1251(data []byte) bool {
	high, letters := 0, 0
	for _, b := range data {
		if b < 0x80 {
			continue
		}
		high++
		switch {
		case b >= 0xC0:
			letters++
		case b == 0xA8 || b == 0xB8 || b == 0xAA || b == 0xBA || b == 0xB2 || b == 0xB3 || b == 0xAF || b == 0xBF || b == 0xA5 || b == 0xB4:
			letters++
		}
	}
	return high > 0 && letters*10 >= high*9
}

func invalidAt(data []byte) int {
	for i := 0; i < len(data); {
		r, n := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return len(data)
}

// DetectSeparator chooses the CSV separator among ';', ',' and tab: the one
// that splits the most of the first lines into the same number (above one)
// of fields. Excel in Ukrainian and Russian locales writes ';'.
func DetectSeparator(text string) rune {
	lines := strings.SplitN(text, "\n", 51)
	if len(lines) > 50 {
		lines = lines[:50]
	}
	best, bestScore := ';', -1
	for _, sep := range []rune{';', '\t', ','} {
		counts := map[int]int{}
		for _, l := range lines {
			if n := countOutsideQuotes(l, sep); n > 0 {
				counts[n]++
			}
		}
		score := 0
		for n, freq := range counts {
			if s := freq*1000 + n; freq > 0 && s > score {
				score = s
			}
		}
		if score > bestScore {
			best, bestScore = sep, score
		}
	}
	return best
}

func countOutsideQuotes(line string, sep rune) int {
	n, quoted := 0, false
	for _, r := range line {
		switch {
		case r == '"':
			quoted = !quoted
		case r == sep && !quoted:
			n++
		}
	}
	return n
}

func openCSV(name string, data []byte, enc string) (*csvSource, error) {
	if bytes.IndexByte(data, 0) >= 0 {
		return nil, fileError(name, CodeNotSpreadsheet, "the file is binary, not a CSV text or an XLSX workbook")
	}
	text, encName, err := DecodeText(name, data, enc)
	if err != nil {
		return nil, err
	}
	sep := DetectSeparator(string(text[:min(len(text), 64<<10)]))
	r := csv.NewReader(bytes.NewReader(text))
	r.Comma = sep
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	return &csvSource{r: r, name: name, encoding: encName, sep: sep}, nil
}

func (c *csvSource) sepName() string {
	if c.sep == '\t' {
		return "tab"
	}
	return string(c.sep)
}

func (c *csvSource) Next() (int, []string, bool) {
	if c.err != nil {
		return 0, nil, false
	}
	rec, err := c.r.Read()
	if err == io.EOF {
		return 0, nil, false
	}
	c.n++
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			c.err = fileError(c.name, CodeCSV, "the CSV cannot be read at line %d: %v", pe.Line, pe.Err)
		} else {
			c.err = fileError(c.name, CodeCSV, "the CSV cannot be read at row %d: %v", c.n, err)
		}
		return 0, nil, false
	}
	return c.n, rec, true
}

func (c *csvSource) Err() error   { return c.err }
func (c *csvSource) Close() error { return nil }
