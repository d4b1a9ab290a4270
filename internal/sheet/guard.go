package sheet

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
)

// Bounds inside an XLSX workbook, beyond Limits. Each is far above what a
// register needs and far below what would exhaust the server: excelize's
// streaming reader holds a whole text, tag or row in memory at once, and
// unpacks every part other than a worksheet or the shared strings into
// memory whole.
const (
	maxParts          = 10_000    // parts of the zip
	maxTokenBytes     = 256 << 10 // a text or a tag, between two '<': a cell of 4,000 characters, escaped, is under 30 KB
	maxRowBytes       = 8 << 20   // a worksheet row, from <row> to </row>
	maxRowCells       = 16_384    // cells in a row: XLSX's own column limit (XFD)
	maxOtherPartBytes = 32 << 20  // a part other than a worksheet or the shared strings: styles, workbook, drawings, images
	stringsPerRow     = 16        // shared strings per row of Limits.MaxRows
)

// guardXLSX reads every part of the workbook in data before excelize
// does, as excelize will, and refuses the workbook at the first bound it
// passes: the bytes a part really unpacks to, counted as they are read
// (the sizes the zip declares are checked first, to refuse early, and are
// not trusted beyond that), the total of them, and inside the worksheets
// and the shared strings the texts, tags and rows that a reader holds at
// once. It checks ctx between chunks, so that a client who leaves, or the
// import's time limit, stops it. It returns the bytes it unpacked.
//
// excelize then unpacks the same bytes again: archive/zip checks every
// part against its size and CRC-32, so it reads exactly what passed here.
func guardXLSX(ctx context.Context, name string, data []byte, lim Limits) (int64, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return 0, fileError(name, CodeNotSpreadsheet, "the file is not a readable XLSX workbook")
	}
	if len(zr.File) > maxParts {
		return 0, fileError(name, CodeUnzipTooLarge, "the workbook has %d parts, more than the limit of %d", len(zr.File), maxParts)
	}
	var declared uint64
	for _, f := range zr.File {
		if max := partLimit(f.Name, lim); f.UncompressedSize64 > uint64(max) {
			return 0, partTooLarge(name, f.Name, max)
		}
		if declared += f.UncompressedSize64; declared > uint64(lim.MaxUnzipBytes) {
			return 0, fileError(name, CodeUnzipTooLarge, "the workbook unpacks to more than %d bytes", lim.MaxUnzipBytes)
		}
	}
	buf := make([]byte, 64<<10)
	var total int64
	for _, f := range zr.File {
		if err := ctx.Err(); err != nil {
			return total, Stopped(name, lim, err)
		}
		if strings.HasSuffix(f.Name, "/") {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return total, fileError(name, CodeNotSpreadsheet, "part %s of the workbook cannot be unpacked", f.Name)
		}
		err = guardPart(ctx, name, f.Name, rc, buf, lim, &total)
		rc.Close()
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// guardPart reads one part, counting its bytes into *total.
func guardPart(ctx context.Context, file, part string, r io.Reader, buf []byte, lim Limits, total *int64) error {
	max := partLimit(part, lim)
	var sc *xmlScan
	switch partKind(part) {
	case worksheetPart:
		sc = &xmlScan{file: file, part: part, sheet: true}
	case stringsPart:
		sc = &xmlScan{file: file, part: part, maxStrings: stringsPerRow * lim.MaxRows}
	}
	var n int64
	for {
		k, err := r.Read(buf)
		n += int64(k)
		*total += int64(k)
		if n > max {
			return partTooLarge(file, part, max)
		}
		if *total > lim.MaxUnzipBytes {
			return fileError(file, CodeUnzipTooLarge, "the workbook unpacks to more than %d bytes", lim.MaxUnzipBytes)
		}
		if sc != nil {
			if err := sc.scan(buf[:k]); err != nil {
				return err
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fileError(file, CodeNotSpreadsheet, "part %s of the workbook is damaged: it does not unpack to the size and checksum it declares", part)
		}
		if err := ctx.Err(); err != nil {
			return Stopped(file, lim, err)
		}
	}
}

type partKindOf int

const (
	otherPart partKindOf = iota
	worksheetPart
	stringsPart
)

// partKind tells the parts apart as excelize does: it streams worksheets
// and the shared strings (from a temporary file when they are large) and
// reads every other part into memory.
func partKind(part string) partKindOf {
	p := strings.ToLower(strings.ReplaceAll(part, "\\", "/"))
	switch {
	case p == "xl/sharedstrings.xml":
		return stringsPart
	case strings.HasPrefix(p, "xl/worksheets/sheet"):
		return worksheetPart
	}
	return otherPart
}

func partLimit(part string, lim Limits) int64 {
	if partKind(part) == otherPart {
		return min(maxOtherPartBytes, lim.MaxUnzipBytes)
	}
	return lim.MaxUnzipBytes
}

func partTooLarge(file, part string, max int64) error {
	return fileError(file, CodeUnzipTooLarge, "part %s of the workbook unpacks to more than %d bytes", part, max)
}

// xmlScan bounds, while a worksheet or the shared strings stream past,
// what an XML reader holds at once: the bytes between two '<' (a text or
// a tag), a comment, CDATA section or processing instruction whole, and in
// a worksheet the bytes and the cells of a row; in the shared strings,
// their number. It keeps its state between chunks.
type xmlScan struct {
	file, part string
	sheet      bool // a worksheet; else the shared strings
	maxStrings int

	off    int64 // bytes scanned
	lastLT int64 // offset of the last '<'

	// After a '<': the tag's name is being read.
	naming, first, end bool
	bang               bool // after "<!": telling a comment from CDATA
	name               []byte
	// Inside a comment, CDATA section or processing instruction: the
	// terminator sought and how much of it has been seen.
	term    string
	matched int

	inRow           bool
	rowStart        int64
	rows, cells, si int
}

func (s *xmlScan) scan(p []byte) error {
	base := s.off
	s.off += int64(len(p))
	i := 0
	for i < len(p) {
		switch {
		case s.term != "":
			for i < len(p) && s.term != "" {
				c := p[i]
				i++
				switch {
				case c == s.term[s.matched]:
					if s.matched++; s.matched == len(s.term) {
						s.term, s.matched = "", 0
					}
				case c == s.term[0] && s.matched >= 2 && s.term[1] == s.term[0]:
					// "--->" or "]]]>": the last two still open the terminator.
					s.matched = 2
				case c == s.term[0]:
					s.matched = 1
				default:
					s.matched = 0
				}
			}
			if base+int64(i)-s.lastLT > maxTokenBytes {
				return s.tooLong()
			}
		case s.naming:
			c := p[i]
			i++
			if err := s.nameByte(c); err != nil {
				return err
			}
		default:
			j := bytes.IndexByte(p[i:], '<')
			if j < 0 {
				i = len(p)
				if s.off-s.lastLT > maxTokenBytes {
					return s.tooLong()
				}
				break
			}
			at := base + int64(i+j)
			if at-s.lastLT > maxTokenBytes {
				return s.tooLong()
			}
			if s.inRow && at-s.rowStart > maxRowBytes {
				return fileError(s.file, CodeRowTooLarge, "row %d of %s holds more than %d bytes", s.rows, s.part, maxRowBytes)
			}
			s.lastLT = at
			i += j + 1
			s.naming, s.first, s.end, s.bang, s.name = true, true, false, false, s.name[:0]
		}
	}
	if s.inRow && s.off-s.rowStart > maxRowBytes {
		return fileError(s.file, CodeRowTooLarge, "row %d of %s holds more than %d bytes", s.rows, s.part, maxRowBytes)
	}
	return nil
}

// nameByte reads one byte after a '<': the tag's name, or what tells a
// comment, CDATA section or processing instruction.
func (s *xmlScan) nameByte(c byte) error {
	if s.first {
		s.first = false
		switch c {
		case '/':
			s.end = true
			return nil
		case '?':
			s.naming, s.term = false, "?>"
			return nil
		case '!':
			s.bang = true
			return nil
		}
	}
	if s.bang {
		s.name = append(s.name, c)
		switch string(s.name) {
		case "--":
			s.naming, s.term = false, "-->"
		case "[CDATA[":
			s.naming, s.term = false, "]]>"
		default:
			if !strings.HasPrefix("--", string(s.name)) && !strings.HasPrefix("[CDATA[", string(s.name)) {
				return fileError(s.file, CodeNotSpreadsheet, "%s holds a document type declaration, which no workbook has", s.part)
			}
		}
		return nil
	}
	switch c {
	case ' ', '\t', '\r', '\n', '/', '>':
		s.naming = false
		return s.tag(string(s.name))
	case ':':
		s.name = s.name[:0] // a prefix: the local name follows
	default:
		if len(s.name) < 16 {
			s.name = append(s.name, c)
		}
	}
	return nil
}

// tag counts a start or end tag by its local name.
func (s *xmlScan) tag(local string) error {
	switch {
	case s.sheet && local == "row":
		if s.end {
			s.inRow = false
			return nil
		}
		s.rows++
		s.inRow, s.rowStart, s.cells = true, s.lastLT, 0
	case s.sheet && local == "c" && !s.end && s.inRow:
		if s.cells++; s.cells > maxRowCells {
			return fileError(s.file, CodeRowTooLarge, "row %d of %s holds more than %d cells", s.rows, s.part, maxRowCells)
		}
	case !s.sheet && local == "si" && !s.end:
		if s.si++; s.si > s.maxStrings {
			return fileError(s.file, CodeUnzipTooLarge, "%s holds more than %d shared strings", s.part, s.maxStrings)
		}
	}
	return nil
}

func (s *xmlScan) tooLong() error {
	where := ""
	if s.sheet && s.inRow {
		where = fmt.Sprintf("row %d of ", s.rows)
	}
	return fileError(s.file, CodeCellTooLong, "%s%s holds a text or tag of more than %d bytes", where, s.part, maxTokenBytes)
}
