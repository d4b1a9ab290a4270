package httpx

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/handover-project/handover/internal/errs"
)

// PathInt reads the path value name as a positive number.
func PathInt(r *http.Request, name string) (int64, error) {
	v, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || v <= 0 {
		return 0, errs.E("web.pathInt", errs.Invalid, fmt.Sprintf("%s %q is not a positive number", name, r.PathValue(name)), errs.Coded{Code: "not_positive", Args: []string{r.PathValue(name)}})
	}
	return v, nil
}

// StagePath returns the exchange id and the stage number of a stage's path
// (/…/exchanges/{id}/stages/{n}/…).
func StagePath(r *http.Request) (id string, n int, err error) {
	n, err = StageNumber(r)
	return r.PathValue("id"), n, err
}

// StageNumber reads the stage number {n} of a path.
func StageNumber(r *http.Request) (int, error) {
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil || n < 1 {
		return 0, errs.E("web.stage", errs.Invalid, errs.FieldError{Field: "n", Message: "a stage number is 1 or more", Code: "bad_stage_number"})
	}
	return n, nil
}
