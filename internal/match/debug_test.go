package match

import (
	"testing"

	"github.com/handover-project/handover/internal/names"
)

func TestDebugParse(t *testing.T) {
	for _, s := range []string{"Станислав Марченко Иванович", "Виктор, Андерев", "Viacheslav, Hlibovych Klymenko", "NAZAR BILNKO"} {
		a, b, c := parseFullName(s)
		t.Logf("%q → %+v | %q %q %q", s, names.Parse(s), a, b, c)
	}
	cfg := DefaultConfig()
	cfg.Validate()
	nf := findNameFields(&cfg)
	c := newComparer(&cfg)
	a := Record{ID: "a", Values: []string{"Марченко", "Станіслав", "Іванович", "23.01.1994", "", "А-811956", "", ""}}
	b := Record{ID: "b", Values: make([]string, 8), FullName: "Станислав Марченко Иванович"}
	pa := prepareRecord(&cfg, &nf, c.slot, c.nNames, &a, nil)
	pb := prepareRecord(&cfg, &nf, c.slot, c.nNames, &b, nil)
	out := make([]uint8, 8)
	c.compare(&a, &b, &pa, &pb, out, nil)
	t.Logf("%v %+v %+v", out, pa.v[0], pb.v[0])
}
