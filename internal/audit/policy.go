package audit

import (
	"strings"

	"github.com/handover-project/handover/internal/errs"
)

// Policy names the witnesses whose cosignatures make an event final
// (docs/design/log.md §7). By default: both parties' bureaus and the
// mediator.
type Policy struct {
	Required []string // witness key names
}

// ParsePolicy parses a --policy value: a comma-separated list of witness
// key names, "all" for every witness key in keys, or "none" for no
// requirement (inclusion only).
func ParsePolicy(s string, keys *Keys) (Policy, error) {
	s = strings.TrimSpace(s)
	switch s {
	case "none":
		return Policy{}, nil
	case "all", "":
		var p Policy
		for _, w := range keys.Witnesses {
			p.Required = append(p.Required, w.Name)
		}
		if len(p.Required) == 0 {
			return Policy{}, errs.E("audit.ParsePolicy", errs.Invalid,
				"policy \"all\" needs witness keys, and the keys file has only the log key")
		}
		return p, nil
	}
	var p Policy
	for _, name := range strings.Split(s, ",") {
		name = strings.TrimSpace(name)
		if _, ok := keys.Witness(name); !ok {
			return Policy{}, errs.Errorf("audit.ParsePolicy", errs.Invalid, "policy names witness %q, which is not in the keys file", name)
		}
		p.Required = append(p.Required, name)
	}
	return p, nil
}

// Missing returns the required witnesses that have not cosigned c.
func (p Policy) Missing(c SignedCheckpoint) []string {
	var out []string
	for _, name := range p.Required {
		if !c.CosignedBy(name) {
			out = append(out, name)
		}
	}
	return out
}
