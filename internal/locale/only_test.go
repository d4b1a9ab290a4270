package locale

import "slices"

// What only the tests call, kept out of the program.

// Keys returns every message key, sorted.
func Keys() []string {
	ks := make([]string, 0, len(load().langs[Default].Messages))
	for k := range load().langs[Default].Messages {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// Categories returns the plural categories an integer count takes in
// lang: the forms a counted noun needs.
func Categories(lang string) []string {
	if lang == "uk" || lang == "ru" {
		return []string{"one", "few", "many"}
	}
	return []string{"one", "other"}
}
