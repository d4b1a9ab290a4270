package sheet

import (
	"testing"

	"github.com/handover-project/handover/internal/person"
)

func TestParseDate(t *testing.T) {
	tests := []struct {
		in, want, code string
	}{
		{"", "", ""},
		{"23.05.1998", "1998-05-23", ""},
		{"3.5.1998", "1998-05-03", ""},
		{"23/05/1998", "1998-05-23", ""},
		{"23-05-1998", "1998-05-23", ""},
		{"1998-05-23", "1998-05-23", ""},
		{"1998.05.23", "1998-05-23", ""},
		{"1998-05-23 00:00:00", "1998-05-23", ""},
		{"1998", "1998", ""},
		{"1998 р.", "1998", ""},
		{"1998 г.", "1998", ""},
		{"1998 року", "1998", ""},
		{"05.1998", "1998-05", ""},
		{"5/1998", "1998-05", ""},
		{"1998-05", "1998-05", ""},
		{"00.05.1998", "1998-05", ""},
		{"00.00.1998", "1998", ""},
		{"35938", "1998-05-23", ""},
		{"35938.0", "1998-05-23", ""},
		{"35938.75", "1998-05-23", ""},
		{"23 травня 1998", "1998-05-23", ""},
		{"23 травня 1998 р.", "1998-05-23", ""},
		{"23 мая 1998", "1998-05-23", ""},
		{"23 мая 1998 г.", "1998-05-23", ""},
		{"23 May 1998", "1998-05-23", ""},
		{"May 23, 1998", "1998-05-23", ""},
		{"May 1998", "1998-05", ""},
		{"травень 1998", "1998-05", ""},
		{"Сентябрь 2001", "2001-09", ""},
		{"1 вересня 2001", "2001-09-01", ""},
		{"29.02.2000", "2000-02-29", ""},
		// Refused, not guessed.
		{"29.02.1999", "", CodeDateImpossible},
		{"31.04.1998", "", CodeDateImpossible},
		{"23.13.1998", "", CodeDateImpossible},
		{"05/23/1998", "", CodeDateAmbiguous},
		{"23.05.98", "", CodeDateTwoDigitYear},
		{"05.98", "", CodeDateTwoDigitYear},
		{"23 травня", "", CodeDateTwoDigitYear},
		{"~1998", "", CodeDateFormat},
		{"1998?", "", CodeDateFormat},
		{"близько 1998", "", CodeDateFormat},
		{"вчора", "", CodeDateFormat},
		{"23 травня 1998 травня", "", CodeDateFormat},
		{"98", "", CodeDateFormat},
		{"1234567", "", CodeDateFormat},
		{"23..1998", "", CodeDateFormat},
		{"1998-05-23-01", "", CodeDateFormat},
		{"0.5.1998", "1998-05", ""},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			d, err := ParseDate(tc.in)
			if tc.code != "" {
				de, ok := err.(*DateError)
				if !ok || de.Code != tc.code {
					t.Fatalf("ParseDate(%q) = %v, %v; want error %s", tc.in, d, err, tc.code)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseDate(%q): %v", tc.in, err)
			}
			if got := d.String(); got != tc.want {
				t.Errorf("ParseDate(%q) got %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"23.05.1998", "05/23/1998", "1998", "35938.5", "23 травня 1998 р.", "00.00.0000", "May 23, 1998", "9999-99-99"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDate(s)
		if err != nil {
			if _, ok := err.(*DateError); !ok {
				t.Fatalf("ParseDate(%q): error of type %T", s, err)
			}
			return
		}
		if d.IsZero() {
			return
		}
		// A date we accept is real and survives its canonical form.
		again, err := ParseDate(d.String())
		if err != nil || again != d {
			t.Fatalf("ParseDate(%q) = %v, but its canonical form reads as %v, %v", s, d, again, err)
		}
	})
}

// TestDateCodesAreTheParsers: the sheet's date codes are those of the one
// date parser, person.ReadDate.
func TestDateCodesAreTheParsers(t *testing.T) {
	for _, c := range [][2]string{{CodeDateFormat, person.DateFormat}, {CodeDateAmbiguous, person.DateAmbiguous},
		{CodeDateTwoDigitYear, person.DateTwoDigitYear}, {CodeDateImpossible, person.DateImpossible}} {
		if c[0] != c[1] {
			t.Errorf("sheet code %q, parser code %q", c[0], c[1])
		}
	}
}
