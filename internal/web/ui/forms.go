package ui

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/handover-project/handover/internal/errs"
)

// readForm reads a posted form of at most limit bytes; a larger or
// malformed body is an Invalid error of op that says so.
func readForm(w http.ResponseWriter, r *http.Request, op string, limit int64) error {
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	if err := r.ParseForm(); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return errs.E(op, errs.Invalid, fmt.Sprintf("the form is larger than %d KiB", limit>>10))
		}
		return errs.E(op, errs.Invalid, "the form could not be read")
	}
	return nil
}
