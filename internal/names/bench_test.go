package names

import "testing"

var benchNames = []string{"Олександр Миколайович Ковальчук", "KOVALCHUK ALEKSANDR", "Zghurskyi", "Мар’яна Левицька-Коваль"}

func BenchmarkNormalize(b *testing.B) {
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		Normalize(benchNames[i%len(benchNames)])
	}
}

func BenchmarkKeys(b *testing.B) {
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		Keys(Surname, benchNames[i%len(benchNames)])
	}
}

func BenchmarkPrepare(b *testing.B) {
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		Prepare(Given, benchNames[i%len(benchNames)])
	}
}

func BenchmarkSimilarity(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		Similarity(Given, "Олександр", "Aleksandr")
	}
}

// BenchmarkSimilarityPrepared is the linkage hot path: two prepared values,
// neither equal nor in one group, so the edit distances run.
func BenchmarkSimilarityPrepared(b *testing.B) {
	pa, pb := Prepare(Surname, "Ковальчук"), Prepare(Surname, "Kovalczyk")
	b.ReportAllocs()
	for b.Loop() {
		SimilarityPrepared(pa, pb)
	}
}

// BenchmarkSimilarityPreparedGroup compares two names whose groups are
// searched member by member (Dimitry against Дмитро).
func BenchmarkSimilarityPreparedGroup(b *testing.B) {
	pa, pb := Prepare(Given, "Дмитро"), Prepare(Given, "Dimitry")
	b.ReportAllocs()
	for b.Loop() {
		SimilarityPrepared(pa, pb)
	}
}

func BenchmarkCompareFull(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		CompareFull("Олександр Миколайович Ковальчук", "KOVALCHUK ALEKSANDR")
	}
}

// BenchmarkSimilarityPreparedPlain compares two prepared surnames that have
// one reading each: the common case of the linkage hot path.
func BenchmarkSimilarityPreparedPlain(b *testing.B) {
	pa, pb := Prepare(Surname, "Ковальчук"), Prepare(Surname, "Kovalenko")
	b.ReportAllocs()
	for b.Loop() {
		SimilarityPrepared(pa, pb)
	}
}

// BenchmarkCompareFullWorld compares the pairs of the world development
// set (names of many cultures, scripts and writings) one after another and
// reports pairs compared per second.
func BenchmarkCompareFullWorld(b *testing.B) {
	pairs := readWorldCSV(b, "dev.csv")
	CompareFull(pairs[0].a, pairs[0].b) // build the tables outside the timing
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	for i := 0; b.Loop(); i++ {
		p := pairs[i%len(pairs)]
		CompareFull(p.a, p.b)
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "pairs/s")
}

// BenchmarkSimilarityPreparedWorld compares prepared given names and
// surnames of many cultures across scripts (the linkage hot path) and
// reports comparisons per second.
func BenchmarkSimilarityPreparedWorld(b *testing.B) {
	words := []string{"Magomed", "Мухаммад", "Abdulaziz", "Абдул-Азиз", "Rajapaksa", "Раджапакса", "Ovechkin", "Овечкин",
		"Nurmagomedov", "Нурмагомедов", "Sargsyan", "Саргсян", "García", "Гарсия", "Kovalchuk", "Ковальчук"}
	ps := make([]Prepared, len(words))
	for i, w := range words {
		ps[i] = Prepare(AnyPart, w)
	}
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	for i := 0; b.Loop(); i++ {
		SimilarityPrepared(ps[i%len(ps)], ps[(i*7+3)%len(ps)])
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "comparisons/s")
}
