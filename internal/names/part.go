package names

import "fmt"

// Part is one part of a personal name. The zero value, AnyPart, means the
// part is not known and the rules of every part apply.
type Part uint8

// Parts of a name.
const (
	AnyPart    Part = iota // not known
	Surname                // family name
	Given                  // given (first) name, or several
	Patronymic             // father's name (по батькові, отчество)
)

var partNames = [...]string{
	AnyPart:    "any",
	Surname:    "surname",
	Given:      "given",
	Patronymic: "patronymic",
}

// String returns the lower-case English name of the part.
func (p Part) String() string {
	if int(p) < len(partNames) {
		return partNames[p]
	}
	return fmt.Sprintf("part(%d)", p)
}
