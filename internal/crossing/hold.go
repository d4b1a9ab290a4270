package crossing

import "sort"

// FlagCorrected is the kind of the flag on a person held back because the
// record changed after the agreement was signed (SidePlan.Holds): the
// person the parties signed for is not the record as it stands now, so
// the person does not count until an amendment takes in the new version.
const FlagCorrected = "record_corrected"

// held returns the reason a person of the stage is held back; empty when
// not held.
func (s *Stage) held(p *PersonStatus) string {
	if p.Unlisted {
		return ""
	}
	return s.plan.Sides[p.Side].Holds[p.RecordID]
}

// sortedKeys returns the keys of m in order.
func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
