package locale

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
)

// DocLangs are the languages the printed documents of the Geneva
// Conventions' annexes (the capture card, GC III Annex IV B; the death
// notification, Annex IV D) come in: the user interface's three and
// French, the working language of the ICRC's Central Tracing Agency
// (GC III Art. 123), in which the Annex's own model card is printed
// beside the holding power's language.
var DocLangs = []string{"uk", "ru", "en", "fr"}

// ValidDoc reports whether lang is one of DocLangs.
func ValidDoc(lang string) bool { return slices.Contains(DocLangs, lang) }

// loadDocs reads documents/<lang>.json once: a flat object of a label's
// key and its text. The files are embedded: a broken one fails
// TestDocuments; a missing label prints as its key.
var loadDocs = sync.OnceValues(func() (map[string]map[string]string, error) {
	out := map[string]map[string]string{}
	for _, lang := range DocLangs {
		b, err := files.ReadFile("documents/" + lang + ".json")
		if err != nil {
			return out, fmt.Errorf("locale: %w", err)
		}
		var m map[string]string
		d := json.NewDecoder(bytes.NewReader(b))
		if err := d.Decode(&m); err != nil {
			return out, fmt.Errorf("locale: documents/%s.json: %w", lang, err)
		}
		out[lang] = m
	}
	return out, nil
})

// Doc returns the label key of a printed document in lang (one of
// DocLangs; English for any other), formatted with args. An unknown key
// shows as itself.
func Doc(lang, key string, args ...any) string {
	docs, _ := loadDocs()
	m, ok := docs[lang]
	if !ok {
		m = docs["en"]
	}
	s, ok := m[key]
	if !ok {
		return key
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}
