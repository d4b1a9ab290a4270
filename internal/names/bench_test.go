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
