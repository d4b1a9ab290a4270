package match

// What only the tests call, kept out of the program.

// initialM gives EM a starting point: agreement likely, disagreement rare.
func initialM(levels int) []float64 {
	m := make([]float64, levels)
	rest := 0.3
	m[0] = 0.7
	for l := 1; l < levels-1; l++ {
		m[l] = rest / 2
		rest /= 2
	}
	m[levels-1] = rest
	return m
}
