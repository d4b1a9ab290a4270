package crossing

// What only the tests call, kept out of the program.

// Compute is the parity engine as one pure function: it replays events
// onto plan under rule and reports. It fails when the plan is invalid or an
// event would be refused.
func Compute(plan Plan, rule Rule, events []Event) (Report, error) {
	s, err := Replay(plan, rule, events)
	if err != nil {
		return Report{}, err
	}
	return s.Report(), nil
}
