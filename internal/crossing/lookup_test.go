package crossing

import (
	"testing"

	"github.com/handover-project/handover/internal/person"
)

func TestLookupIndex(t *testing.T) {
	ix := NewLookupIndex(map[string]person.Fields{
		"r-1": {Surname: "Коваленко", GivenNames: "Олександр", Patronymic: "Іванович", ServiceNumber: "Р-123456"},
		"r-2": {Surname: "Коваленко", GivenNames: "Петро"},
		"r-3": {FullName: "Шевченко Андрій", LatinNames: []string{"Shevchenko Andrii"}},
		"r-4": {},
	})
	top := func(q string) Found {
		t.Helper()
		got := ix.Find(q, 0)
		if len(got) == 0 {
			t.Fatalf("Find(%q) found nobody", q)
		}
		return got[0]
	}
	// A service number in either script, folded to one.
	for _, q := range []string{"Р-123456", "P-123456", "p123456"} {
		if f := top(q); f.RecordID != "r-1" || f.Why != FoundByServiceNumber || f.Score != 1 {
			t.Errorf("Find(%q) = %+v, want r-1 by service number", q, f)
		}
	}
	// A record id, even of a person with no name.
	if f := top("r-4"); f.RecordID != "r-4" || f.Why != FoundByRecordID {
		t.Errorf("Find(r-4) = %+v", f)
	}
	// A name in Latin letters finds the Cyrillic record; both words narrow
	// the common surname to one person.
	if f := top("Kovalenko Petro"); f.RecordID != "r-2" || f.Why != FoundByName {
		t.Errorf("Find(Kovalenko Petro) = %+v, want r-2 by name", f)
	}
	if got := ix.Find("Kovalenko", 0); len(got) != 2 {
		t.Errorf("Find(Kovalenko) = %+v, want both Kovalenkos", got)
	}
	if got := ix.Find("Kovalenko", 1); len(got) != 1 {
		t.Errorf("Find(Kovalenko, 1) = %+v, want one", got)
	}
	// The full name's words and the Latin spelling are searched too.
	if f := top("Shevchenko"); f.RecordID != "r-3" {
		t.Errorf("Find(Shevchenko) = %+v, want r-3", f)
	}
	if got := ix.Find("Zzyzx", 0); len(got) != 0 {
		t.Errorf("Find(Zzyzx) = %+v, want none", got)
	}
	// The keys a store files a person under meet the keys of a query word.
	keys := LookupKeys(&person.Fields{Surname: "Коваленко"})
	shared := false
	for _, q := range QueryKeys("Kovalenko")[0] {
		for _, k := range keys[0] {
			shared = shared || q == k
		}
	}
	if !shared {
		t.Errorf("LookupKeys(Коваленко) %v and QueryKeys(Kovalenko) %v share no surname key", keys[0], QueryKeys("Kovalenko")[0])
	}
}
