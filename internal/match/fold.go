package match

import (
	"strings"

	"github.com/handover-project/handover/internal/person"
)

// digitsOf returns the digits of s in order.
func digitsOf(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// unitPrefixes are the words written before a unit number ("в/ч А0224",
// "military unit A0224"), lower case, longest first. They are dropped.
var unitPrefixes = []string{
	"військова частина", "войсковая часть", "military unit", "в/ч", "в.ч.", "в.ч", "вч", "mu", "v/ch", "v/č", "w/ch",
}

// foldUnit folds a unit designation: known prefixes dropped, then foldCode.
func foldUnit(s string) string {
	l := strings.ToLower(strings.TrimSpace(s))
	for _, p := range unitPrefixes {
		if strings.HasPrefix(l, p) {
			l = strings.TrimSpace(l[len(p):])
			break
		}
	}
	return person.FoldCode(l)
}
