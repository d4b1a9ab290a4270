package person

import (
	"reflect"
	"testing"
)

func TestIdentityChanges(t *testing.T) {
	base := Fields{Kind: Held, Category: Military, Surname: "Коваленко", GivenNames: "Олександр", ServiceNumber: "А-123456",
		BirthDate: Date{Year: 1998, Month: 5}, LatinNames: []string{"Kovalenko Oleksandr"}, Health: "good", Notes: "n"}
	tests := []struct {
		name   string
		change func(*Fields)
		want   []string
	}{
		{"nothing", func(*Fields) {}, nil},
		{"notes, health, next of kin, custody and the transmission flag", func(f *Fields) {
			f.Notes, f.Health, f.NextOfKin, f.CapturePlace, f.Detrimental = "other", "wounded", "mother", "Kharkiv", true
		}, nil},
		{"names and number", func(f *Fields) {
			f.Surname, f.GivenNames, f.ServiceNumber = "Шевченко", "Андрій", "А-999999"
		},
			[]string{"surname", "given_names", "service_number"}},
		{"a Latin spelling", func(f *Fields) { f.LatinNames = append(f.LatinNames, "Kowalenko") }, []string{"latin_names"}},
		{"category and birth date", func(f *Fields) { f.Category, f.BirthDate = Civilian, Date{Year: 1998, Month: 5, Day: 2} },
			[]string{"category", "birth_date"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			after := base
			after.LatinNames = append([]string(nil), base.LatinNames...)
			tc.change(&after)
			if got := IdentityChanges(&base, &after); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}
