package match

// Prior m and u per comparison level, best level first, in the order of
// Comparison.Levels. They are what the engine believes before it has seen
// the data: m from how clerks' records of one person differ, u from how
// often two different persons agree by chance. Estimates from the data
// are blended with them (see priorStrengthM and priorStrengthU), so small
// lists get sensible weights and large lists get their own.
func priorMU(f *Field) (m, u []float64) {
	switch f.Compare {
	case CompareName:
		// exact, normalised, equivalent, similar, close, initial, swapped, different
		m = []float64{0.45, 0.15, 0.25, 0.05, 0.03, 0.01, 0.02, 0.04}
		switch f.Part {
		case "given", "patronymic":
			u = []float64{0.015, 0.005, 0.02, 0.002, 0.01, 0.02, 0.0002, 0.9278}
		default:
			u = []float64{0.0008, 0.0004, 0.001, 0.0005, 0.004, 0.01, 0.00002, 0.99328}
		}
	case CompareDate:
		// exact, partial, swapped, typo, year, different
		m = []float64{0.75, 0.12, 0.02, 0.05, 0.03, 0.03}
		u = []float64{0.00007, 0.002, 0.00001, 0.0006, 0.02, 0.97732}
	case CompareCode:
		// exact, digits, typo, different
		m = []float64{0.85, 0.08, 0.04, 0.03}
		u = []float64{0.00001, 0.00001, 0.0002, 0.99978}
	case CompareUnit:
		m = []float64{0.7, 0.1, 0.05, 0.15}
		u = []float64{0.01, 0.002, 0.01, 0.978}
	case CompareText:
		// exact, equivalent, similar, close, different
		m = []float64{0.55, 0.25, 0.07, 0.05, 0.08}
		u = []float64{0.02, 0.01, 0.01, 0.03, 0.93}
	case CompareExact:
		m = []float64{0.9, 0.1}
		u = []float64{0.1, 0.9}
	}
	return m, u
}

// priorStrengthM is the weight of the prior m, in candidate pairs: EM's
// expected counts of matches add to it.
const priorStrengthM = 30.0

// priorStrengthU is the weight of the prior u, in random pairs.
const priorStrengthU = 2000.0
