package person

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/handover-project/handover/internal/errs"
)

var now = time.Date(2025, 5, 23, 12, 0, 0, 0, time.UTC)

func TestParseDate(t *testing.T) {
	tests := []struct {
		in, want, prec string
		bad            bool
	}{
		{"", "", "", false},
		{"1998", "1998", "year", false},
		{"1998-05", "1998-05", "month", false},
		{"1998-05-23", "1998-05-23", "day", false},
		{"2000-02-29", "2000-02-29", "day", false},
		{"1999-02-29", "", "", true},
		{"1998-13", "", "", true},
		{"1998-5-23", "", "", true},
		{"23.05.1998", "", "", true},
		{"98", "", "", true},
		{"1998-05-23-01", "", "", true},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			d, err := ParseDate(tc.in)
			if (err != nil) != tc.bad {
				t.Fatalf("ParseDate(%q) error = %v, want error %v", tc.in, err, tc.bad)
			}
			if tc.bad {
				return
			}
			if got := d.String(); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
			if got := d.Precision(); got != tc.prec {
				t.Errorf("precision got %q, want %q", got, tc.prec)
			}
		})
	}
}

func TestDateAgeAt(t *testing.T) {
	ref := time.Date(2025, 6, 2, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		birth string
		age   int
		known bool
	}{
		{"2007-06-02", 18, true}, // birthday on the reference date: 18 that day
		{"2007-06-03", 17, true}, // one day short
		{"2000-06-02", 25, true},
		{"1999-06-01", 26, true},
		{"2004-02-29", 21, true},
		{"2007", 0, false},
		{"2007-06", 0, false},
	}
	for _, tc := range tests {
		d, err := ParseDate(tc.birth)
		if err != nil {
			t.Fatal(err)
		}
		age, ok := d.AgeAt(ref)
		if age != tc.age || ok != tc.known {
			t.Errorf("%s: got %d,%v want %d,%v", tc.birth, age, ok, tc.age, tc.known)
		}
	}
}

func TestDateJSON(t *testing.T) {
	var f Fields
	if err := json.Unmarshal([]byte(`{"birth_date":"1998-05"}`), &f); err != nil {
		t.Fatal(err)
	}
	if f.BirthDate != (Date{1998, 5, 0}) {
		t.Errorf("got %+v", f.BirthDate)
	}
	if err := json.Unmarshal([]byte(`{"birth_date":"1998-02-30"}`), &f); err == nil {
		t.Error("want error for 1998-02-30")
	}
	if err := json.Unmarshal([]byte(`{"birth_date":19980523}`), &f); err == nil {
		t.Error("want error for a number")
	}
}

func valid() Fields {
	return Fields{Kind: Held, Category: Military, Surname: "Ковальчук", GivenNames: "Олександр", Patronymic: "Миколайович",
		BirthDate: Date{1998, 5, 23}, ServiceNumber: "А-123456", Unit: "в/ч А0224", Rank: "солдат"}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		edit   func(*Fields)
		fields []string // fields expected to be named, in order
	}{
		{"valid", func(*Fields) {}, nil},
		{"full name instead of surname", func(f *Fields) { f.Surname = ""; f.FullName = "Ковальчук Олександр" }, nil},
		{"no name", func(f *Fields) { f.Surname = "" }, []string{"surname"}},
		{"unknown identity needs marks", func(f *Fields) { f.Surname = ""; f.IdentityNotEstablished = true }, []string{"distinguishing_marks"}},
		{"unknown identity with marks", func(f *Fields) {
			f.Surname = ""
			f.IdentityNotEstablished = true
			f.DistinguishingMarks = "tattoo on left forearm"
		}, nil},
		{"bad kind and category", func(f *Fields) { f.Kind = "prisoner"; f.Category = "" }, []string{"kind", "category"}},
		{"future birth", func(f *Fields) { f.BirthDate = Date{2025, 5, 24} }, []string{"birth_date"}},
		{"today is fine", func(f *Fields) { f.CaptureDate = Date{2025, 5, 23} }, nil},
		{"future partial", func(f *Fields) { f.CaptureDate = Date{2025, 6, 0} }, []string{"capture_date"}},
		{"control char", func(f *Fields) { f.Surname = "Ков\x00альчук" }, []string{"surname"}},
		{"bidi override", func(f *Fields) { f.GivenNames = "Олек\u202eсандр" }, []string{"given_names"}},
		{"newline allowed in notes", func(f *Fields) { f.Notes = "line one\nline two" }, nil},
		{"too long", func(f *Fields) { f.Surname = strings.Repeat("я", MaxNameLen+1) }, []string{"surname"}},
		{"service number without digits", func(f *Fields) { f.ServiceNumber = "АБВГД" }, []string{"service_number"}},
		{"service number odd char", func(f *Fields) { f.ServiceNumber = "12<script>" }, []string{"service_number"}},
		{"held with disappearance", func(f *Fields) { f.DisappearanceDate = Date{2024, 1, 0} }, []string{"disappearance_date"}},
		{"capture before birth", func(f *Fields) { f.CaptureDate = Date{1990, 0, 0} }, []string{"capture_date"}},
		{"bad sex", func(f *Fields) { f.Sex = "m" }, []string{"sex"}},
		{"bad name language", func(f *Fields) { f.NameLanguage = "pl" }, []string{"name_language"}},
		{"no such day", func(f *Fields) { f.BirthDate = Date{1995, 2, 31} }, []string{"birth_date"}},
		{"year out of range", func(f *Fields) { f.BirthDate = Date{99, 0, 0} }, []string{"birth_date"}},
		{"too early", func(f *Fields) { f.BirthDate = Date{1890, 0, 0} }, []string{"birth_date"}},
		{"short service number", func(f *Fields) { f.ServiceNumber = "1" }, []string{"service_number"}},
		{"sought with capture", func(f *Fields) { f.Kind = Sought; f.CapturePlace = "Mariupol" }, []string{"capture_date"}},
		{"too many Latin spellings", func(f *Fields) { f.LatinNames = strings.Fields("a b c d e f g h i j k") }, []string{"latin_names"}},
		{"missing kind and category", func(f *Fields) { f.Kind = ""; f.Category = "" }, []string{"kind", "category"}},
		{"bad category and status", func(f *Fields) { f.Category = "soldier"; f.Status = "gone" }, []string{"category", "status"}},
		{"not UTF-8", func(f *Fields) { f.Rank = "\xff" }, []string{"rank"}},
		{"no such month", func(f *Fields) { f.BirthDate = Date{1990, 13, 0} }, []string{"birth_date"}},
		{"day without a month", func(f *Fields) { f.BirthDate = Date{1990, 0, 5} }, []string{"birth_date"}},
		// The flag carries its basis and reason; GC IV Art. 137(2) is a
		// civilian's basis, not a prisoner of war's (GC III Art. 122(3)).
		{"flag on a civilian", func(f *Fields) { withhold(f, Civilian, "", WithholdCivilian) }, nil},
		{"flag on a civilian internee", func(f *Fields) { withhold(f, Military, StatusCivilianInternee, WithholdCivilian) }, nil},
		{"flag on a detained civilian", func(f *Fields) { withhold(f, SeriouslyWoundedSick, StatusDetainedCivilian, WithholdCivilian) }, nil},
		{"flag at his own request", func(f *Fields) { withhold(f, Military, StatusPOW, WithholdOwnRequest) }, nil},
		{"civilian basis on a soldier", func(f *Fields) { withhold(f, Military, "", WithholdCivilian) }, []string{"detrimental"}},
		{"civilian basis on a POW", func(f *Fields) { withhold(f, Civilian, StatusPOW, WithholdCivilian) }, []string{"detrimental"}},
		{"civilian basis on a wounded soldier", func(f *Fields) { withhold(f, SeriouslyWoundedSick, StatusPOW, WithholdCivilian) }, []string{"detrimental"}},
		{"flag without basis or reason", func(f *Fields) { f.Category, f.Detrimental = Civilian, true }, []string{"detrimental_basis", "detrimental_reason"}},
		{"a soldier flagged without a basis", func(f *Fields) { f.Detrimental = true }, []string{"detrimental"}},
		{"his own request without a reason", func(f *Fields) {
			withhold(f, Military, StatusPOW, WithholdOwnRequest)
			f.DetrimentalReason = ""
		}, []string{"detrimental_reason"}},
		{"unknown basis", func(f *Fields) { withhold(f, Civilian, "", "gc3_art123") }, []string{"detrimental_basis"}},
		{"basis without the flag", func(f *Fields) {
			withhold(f, Civilian, "", WithholdCivilian)
			f.Detrimental = false
		}, []string{"detrimental"}},
		{"reason too long", func(f *Fields) {
			withhold(f, Civilian, "", WithholdCivilian)
			f.DetrimentalReason = strings.Repeat("я", MaxTextLen+1)
		}, []string{"detrimental_reason"}},
	}
	seen := map[string]bool{}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := valid()
			tc.edit(&f)
			f.Normalize()
			err := f.Validate(now)
			for _, fe := range errs.Fields(err) {
				seen[fe.Code] = true
			}
			if len(tc.fields) == 0 {
				if err != nil {
					t.Fatalf("got %v, want no error", err)
				}
				return
			}
			if !errs.Is(errs.Invalid, err) {
				t.Fatalf("got %v, want an Invalid error", err)
			}
			var got []string
			for _, fe := range errs.Fields(err) {
				got = append(got, fe.Field)
				if _, ok := Problems[fe.Code]; !ok {
					t.Errorf("%s: code %q is not in Problems", fe.Field, fe.Code)
				}
				if strings.Contains(fe.Message, "%!") {
					t.Errorf("%s: message %q has the wrong number of arguments", fe.Field, fe.Message)
				}
			}
			if strings.Join(got, ",") != strings.Join(tc.fields, ",") {
				t.Errorf("fields got %v, want %v (%v)", got, tc.fields, err)
			}
		})
	}
	for code := range Problems {
		if !seen[code] && !writeOnly[code] {
			t.Errorf("no case gives the problem %q", code)
		}
	}
}

func TestNormalize(t *testing.T) {
	f := Fields{Surname: "  Ковальчук\u00a0 ", GivenNames: "Андри\u0306й", Notes: "  a\n b  ", LatinNames: []string{" ", "Kovalchuk  Oleksandr"}}
	f.Normalize()
	if f.Surname != "Ковальчук" {
		t.Errorf("surname got %q, want %q", f.Surname, "Ковальчук")
	}
	if f.GivenNames != "Андрйй" { // и + combining breve composes to й under NFC
		t.Errorf("given got %q, want %q", f.GivenNames, "Андрйй")
	}
	if f.Notes != "a\n b" {
		t.Errorf("notes got %q, want %q", f.Notes, "a\n b")
	}
	if len(f.LatinNames) != 1 || f.LatinNames[0] != "Kovalchuk Oleksandr" {
		t.Errorf("latin got %q", f.LatinNames)
	}
}

func TestCheckMixedScript(t *testing.T) {
	f := Fields{Surname: "Kовальчук", GivenNames: "Олександр"} // Latin K
	ws := f.Check()
	if len(ws) != 1 || ws[0].Field != "surname" || ws[0].Code != "mixed_script" {
		t.Errorf("got %+v, want one mixed_script warning on surname", ws)
	}
	f.Surname = "Ковальчук"
	if ws := f.Check(); len(ws) != 0 {
		t.Errorf("got %+v, want none", ws)
	}
}

func FuzzValidate(f *testing.F) {
	f.Add(`{"kind":"held","category":"military","surname":"Ковальчук","birth_date":"1998-05-23"}`)
	f.Add(`{"kind":"sought","category":"civilian","full_name":"Шевченко Т.Г.","birth_date":"1998"}`)
	f.Add(`{"kind":"held","surname":"\u0000","birth_date":"9999-99-99"}`)
	f.Fuzz(func(t *testing.T, s string) {
		var fl Fields
		if err := json.Unmarshal([]byte(s), &fl); err != nil {
			return
		}
		fl.Normalize()
		err := fl.Validate(now)
		if err != nil && !errs.Is(errs.Invalid, err) {
			t.Fatalf("validation error of kind %v: %v", errs.KindOf(err), err)
		}
		fl.Check()
		if err == nil {
			// A valid record stays valid after a JSON round trip.
			b, _ := json.Marshal(fl)
			var again Fields
			if err := json.Unmarshal(b, &again); err != nil {
				t.Fatalf("round trip: %v", err)
			}
			again.Normalize()
			if err := again.Validate(now); err != nil {
				t.Fatalf("valid record invalid after round trip: %v", err)
			}
		}
	})
}

// writeOnly are the Problems that CheckWithholdWrite gives, not Validate.
var writeOnly = map[string]bool{"detrimental_own_request": true, "detrimental_own_request_kept": true}

func withhold(f *Fields, c Category, s Status, b WithholdBasis) {
	f.Category, f.Status, f.Detrimental, f.DetrimentalBasis, f.DetrimentalReason = c, s, true, b, "the family would be in danger"
}

// TestCheckWithholdWrite: a bureau's record write may keep a withholding at
// the person's own request as the interview set it, but not set it, change
// its reason or lift it; a civilian's flag it sets and lifts freely.
func TestCheckWithholdWrite(t *testing.T) {
	own, civ, none := valid(), valid(), valid()
	withhold(&own, Military, StatusPOW, WithholdOwnRequest)
	withhold(&civ, Civilian, "", WithholdCivilian)
	changed := own
	changed.DetrimentalReason = "another reason"
	edited := own
	edited.Unit = "в/ч А0225"
	civOwn := civ
	civOwn.DetrimentalBasis = WithholdOwnRequest
	for _, tc := range []struct {
		name       string
		prev, next *Fields
		code       string
	}{
		{"a new record at his own request", nil, &own, "detrimental_own_request"},
		{"set at his own request on a correction", &none, &own, "detrimental_own_request"},
		{"a civilian's basis turned into his own request", &civ, &civOwn, "detrimental_own_request"},
		{"lifted by the bureau", &own, &none, "detrimental_own_request_kept"},
		{"its reason changed", &own, &changed, "detrimental_own_request_kept"},
		{"turned into a civilian's basis", &civOwn, &civ, "detrimental_own_request_kept"},
		{"kept through an edit", &own, &edited, ""},
		{"a new civilian record flagged", nil, &civ, ""},
		{"a civilian flagged", &none, &civ, ""},
		{"a civilian's flag lifted", &civ, &none, ""},
		{"no flag", nil, &none, ""},
	} {
		err := CheckWithholdWrite(tc.prev, tc.next)
		fe := errs.Fields(err)
		if tc.code == "" {
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
			}
			continue
		}
		if !errs.Is(errs.Invalid, err) || len(fe) != 1 || fe[0].Code != tc.code || Problems[tc.code] == "" || fe[0].Message != Problems[tc.code] {
			t.Errorf("%s: %v %+v, want %s", tc.name, err, fe, tc.code)
		}
	}
}
