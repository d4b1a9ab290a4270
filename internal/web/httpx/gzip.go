package httpx

import (
	"compress/gzip"
	"net/http"
	"strconv"
	"strings"
)

// AcceptsGzip reports whether the request's Accept-Encoding allows gzip
// (and does not refuse it with q=0).
func AcceptsGzip(r *http.Request) bool {
	for _, v := range r.Header.Values("Accept-Encoding") {
		for part := range strings.SplitSeq(v, ",") {
			coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
			if !strings.EqualFold(strings.TrimSpace(coding), "gzip") {
				continue
			}
			q, ok := strings.CutPrefix(strings.TrimSpace(params), "q=")
			if !ok {
				return true
			}
			f, err := strconv.ParseFloat(q, 64)
			return err == nil && f > 0
		}
	}
	return false
}

// WriteGzip writes b gzip-compressed with Content-Encoding: gzip; the
// caller has set the other headers.
func WriteGzip(w http.ResponseWriter, b []byte) error {
	w.Header().Set("Content-Encoding", "gzip")
	w.Header().Del("Content-Length")
	zw, err := gzip.NewWriterLevel(w, gzip.BestSpeed)
	if err != nil {
		return err
	}
	if _, err := zw.Write(b); err != nil {
		return nil // the client went away; nothing to render
	}
	zw.Close()
	return nil
}
