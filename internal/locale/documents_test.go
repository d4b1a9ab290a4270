package locale

import (
	"bytes"
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"
)

// TestDocuments: the printed documents' labels read, every key is in uk,
// ru, en and fr with the same arguments and none empty, and each file
// keeps its keys sorted.
func TestDocuments(t *testing.T) {
	docs, err := loadDocs()
	if err != nil {
		t.Fatal(err)
	}
	want := slices.Sorted(maps.Keys(docs["en"]))
	if len(want) < 40 {
		t.Fatalf("only %d labels: are the documents still read?", len(want))
	}
	for _, lang := range DocLangs {
		if got := slices.Sorted(maps.Keys(docs[lang])); !slices.Equal(got, want) {
			t.Errorf("%s.json has keys %v, en.json %v", lang, got, want)
		}
		for k, s := range docs[lang] {
			if strings.TrimSpace(s) == "" {
				t.Errorf("%s is empty in %s", k, lang)
			}
			if !maps.Equal(verbs(s), verbs(docs["en"][k])) {
				t.Errorf("%s: %s takes arguments %v, en %v", k, lang, verbs(s), verbs(docs["en"][k]))
			}
		}
		b, _ := files.ReadFile("documents/" + lang + ".json")
		d := json.NewDecoder(bytes.NewReader(b))
		var order []string
		d.Token()
		for d.More() {
			k, _ := d.Token()
			order = append(order, k.(string))
			d.Token()
		}
		if !slices.IsSorted(order) {
			t.Errorf("documents/%s.json: keys not sorted", lang)
		}
	}
	if got := Doc("fr", "card.f02"); got != "Nom" {
		t.Errorf(`Doc("fr", "card.f02") = %q`, got)
	}
	if got := Doc("de", "card.f02"); got != "Name" {
		t.Errorf(`Doc("de", "card.f02") = %q, want English`, got)
	}
	if got := Doc("uk", "no.such.label"); got != "no.such.label" {
		t.Errorf("an unknown label shows as %q", got)
	}
}
