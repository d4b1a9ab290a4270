package names

import (
	"bufio"
	"bytes"
	"embed"
	"encoding/csv"
	"io"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"
)

//go:embed data/ua2ru.csv data/given.txt data/english.txt data/arabic.txt data/diminutives.txt data/nicknames_en.csv data/pinyin.tsv data/korean.tsv data/surnames_east_asian.txt
var dataFS embed.FS

// tables are the read-only lookups built once from the embedded data.
type tables struct {
	group  map[string]int32   // skeleton → equivalence group
	canon  []string           // group → its blocking key (smallest consonant key)
	inits  []uint32           // group → initial classes of its members
	given  map[string]byte    // skeleton of a known given name → 'M' or 'F'
	sex    []byte             // group → 'M' or 'F' when it holds a known given name
	member [][]string         // group → the skeletons in it
	ich    map[string]bool    // skeletons of the short patronymics in -ич (Ильич, Кузьмич)
	nick   map[string][]int32 // skeleton of a diminutive or nickname → the full names it stands for
	own    map[string]int32   // skeleton of a full name that has diminutives → its id in nick
	zh, ko *eaCulture         // Chinese and Korean syllables (eastasia.go)
	groups int
}

var (
	tablesOnce sync.Once
	tab        *tables
)

// lookup returns the tables, building them on first use. The build is
// deterministic and the result is never changed afterwards.
func lookup() *tables {
	tablesOnce.Do(func() { tab = buildTables() })
	return tab
}

// unionFind joins skeletons into equivalence groups.
type unionFind struct {
	id     map[string]int32
	parent []int32
	names  []string
	inits  []uint32
}

func (u *unionFind) add(sk string, init uint32) int32 {
	if i, ok := u.id[sk]; ok {
		u.inits[i] |= init
		return i
	}
	i := int32(len(u.parent))
	u.id[sk] = i
	u.parent = append(u.parent, i)
	u.names = append(u.names, sk)
	u.inits = append(u.inits, init)
	return i
}

func (u *unionFind) find(i int32) int32 {
	for u.parent[i] != i {
		u.parent[i] = u.parent[u.parent[i]]
		i = u.parent[i]
	}
	return i
}

func (u *unionFind) union(a, b int32) {
	ra, rb := u.find(a), u.find(b)
	if ra != rb {
		u.parent[rb] = ra
	}
}

// joinForms puts the written forms of one name into one group. Forms whose
// skeletons coincide need no entry. With inits, the forms' first letters
// become initials of the whole group (О. for Александр); the dictionary
// passes it only for patronymics (М. for Николаевич), since its other rows
// would let a stray form (Гелена beside Олена) make any letter fit.
func (u *unionFind) joinForms(forms []string, inits bool) {
	first := int32(-1)
	for _, f := range forms {
		n := Normalize(f)
		var ic uint32
		if inits {
			ic = initialClasses(n)
		}
		// Every reading of the form belongs to the group: Альона is
		// alena as Russian ё and alona as KMU writes it.
		rs, k := readings(n)
		for _, rd := range append([]reading{readCommon}, rs[:k]...) {
			sk := string(appendSkeleton(nil, n, rd))
			if sk == "" {
				continue
			}
			i := u.add(sk, ic)
			if first < 0 {
				first = i
			} else {
				u.union(first, i)
			}
		}
	}
}

func buildTables() *tables {
	u := &unionFind{id: map[string]int32{}}
	t := &tables{given: map[string]byte{}, ich: map[string]bool{}}
	// Patronymics in -ич that the endings -ович, -евич do not catch.
	for _, p := range []string{"Ильич", "Ілліч", "Кузьмич", "Кузьміч", "Саввич", "Савич", "Лукич", "Лукіч", "Фомич", "Хомич", "Никитич", "Микитич"} {
		t.ich[string(appendSkeleton(nil, Normalize(p), readCommon))] = true
	}

	// Ukrainian → Russian forms (names-translator, MIT).
	f, err := dataFS.Open("data/ua2ru.csv")
	if err != nil {
		panic("names: embedded data missing: " + err.Error()) // a build error, not input
	}
	r := csv.NewReader(f)
	r.FieldsPerRecord = 3
	for line := 0; ; line++ {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			panic("names: embedded ua2ru.csv: " + err.Error())
		}
		if line == 0 {
			continue // header
		}
		uk := string(appendSkeleton(nil, Normalize(rec[0]), readCommon))
		ru := string(appendSkeleton(nil, Normalize(rec[1]), readCommon))
		if uk == ru || uk == "" || ru == "" {
			continue
		}
		u.joinForms(rec[:2], hasAnySuffix(uk, patronymicEndings) && hasAnySuffix(ru, patronymicEndings))
	}
	f.Close()

	// Given names (M/F) and their forms.
	eachLine("data/given.txt", func(fields []string) {
		sex := fields[0][0]
		u.joinForms(fields[1:], true)
		for _, g := range fields[1:] {
			sk := string(appendSkeleton(nil, Normalize(g), readCommon))
			t.given[sk] = sex
		}
	})
	// English forms.
	eachLine("data/english.txt", func(fields []string) { u.joinForms(fields, true) })
	// Arabic and Muslim names in their many writings.
	eachLine("data/arabic.txt", func(fields []string) { u.joinForms(fields, true) })

	// Number the groups and choose each one's key.
	t.group = make(map[string]int32, len(u.id))
	rootGroup := map[int32]int32{}
	for sk, i := range u.id {
		root := u.find(i)
		g, ok := rootGroup[root]
		if !ok {
			g = int32(len(t.canon))
			rootGroup[root] = g
			t.canon = append(t.canon, "")
			t.inits = append(t.inits, 0)
			t.sex = append(t.sex, 0)
			t.member = append(t.member, nil)
		}
		t.group[sk] = g
		t.member[g] = append(t.member[g], sk)
		key := baseKey(nil, sk)
		if c := t.canon[g]; c == "" || key < c {
			t.canon[g] = key
		}
		t.inits[g] |= u.inits[i]
		if s, ok := t.given[sk]; ok {
			t.sex[g] = s
		}
	}
	for _, m := range t.member {
		slices.Sort(m) // map order must not leak into results
	}
	t.groups = len(t.canon)
	t.buildNicknames()
	t.zh, t.ko = buildChinese(), buildKorean()
	return t
}

// buildNicknames reads the diminutives (data/diminutives.txt) and the
// English nicknames (data/nicknames_en.csv) into t.nick: a diminutive
// stands for its full name only, never for the other names that share it
// (Ron is Aaron and Ronald; Aaron is not Ronald).
func (t *tables) buildNicknames() {
	t.nick = map[string][]int32{}
	t.own = map[string]int32{}
	fresh := map[string]int32{}
	next := int32(t.groups)
	idOf := func(full string) int32 {
		sk := string(appendSkeleton(nil, Normalize(full), readCommon))
		if g, ok := t.group[sk]; ok {
			return g
		}
		if id, ok := fresh[sk]; ok {
			return id
		}
		fresh[sk] = next
		next++
		return fresh[sk]
	}
	link := func(name string, id int32) {
		sk := string(appendSkeleton(nil, Normalize(name), readCommon))
		if sk == "" || slices.Contains(t.nick[sk], id) {
			return
		}
		t.nick[sk] = append(t.nick[sk], id)
	}
	full := func(name string) int32 {
		id := idOf(name)
		t.own[string(appendSkeleton(nil, Normalize(name), readCommon))] = id
		return id
	}
	eachLine("data/diminutives.txt", func(fields []string) {
		id := full(strings.TrimSuffix(fields[0], ":"))
		for _, d := range fields[1:] {
			link(d, id)
		}
	})
	b, err := dataFS.ReadFile("data/nicknames_en.csv")
	if err != nil {
		panic("names: embedded data missing: " + err.Error())
	}
	r := csv.NewReader(bytes.NewReader(b))
	r.FieldsPerRecord = 3
	for line := 0; ; line++ {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			panic("names: embedded nicknames_en.csv: " + err.Error())
		}
		if line == 0 || rec[1] != "has_nickname" {
			continue
		}
		link(rec[2], full(rec[0]))
	}
}

// givenSexOf returns the sex of the known given name with skeleton sk, or
// 0 when sk is not a known given name.
func (t *tables) givenSexOf(sk string) byte {
	if s, ok := t.given[sk]; ok {
		return s
	}
	if g, ok := t.group[sk]; ok {
		return t.sex[g]
	}
	return 0
}

// eachLine calls fn with the space-separated fields of every line of an
// embedded text file that is neither blank nor a comment.
func eachLine(name string, fn func([]string)) {
	b, err := dataFS.ReadFile(name)
	if err != nil {
		panic("names: embedded data missing: " + err.Error())
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		fn(strings.Fields(line))
	}
}

// initialClasses returns the bit set of skeleton letters a name written
// as normalised n may be abbreviated to: the first sound, and for a glide
// (я, ю, є, ya, iu…) also the vowel after it.
func initialClasses(n string) uint32 {
	var buf [8]byte
	sk := rawFirst(buf[:0], n)
	var m uint32
	if len(sk) > 0 {
		m |= classBit(sk[0])
		if sk[0] == 'i' && len(sk) > 1 && isSkelVowel(sk[1]) {
			m |= classBit(sk[1])
		}
	}
	return m
}

// rawFirst appends the unsqueezed skeleton of the start of s.
func rawFirst(dst []byte, s string) []byte {
	for i := 0; i < len(s) && len(dst) < 2; {
		if s[i] < 0x80 {
			out, n := latinDigraph(s[i:], readCommon)
			dst = append(dst, out...)
			i += n
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		if out, ok := cyrSkel[r]; ok {
			dst = append(dst, out...)
		} else if out, ok := latinSkel[r]; ok {
			dst = append(dst, out...)
		} else {
			dst = appendSkeleton(dst, string(r), readCommon)
		}
	}
	return dst
}

// classBit maps a skeleton letter to one bit.
func classBit(c byte) uint32 {
	switch {
	case c >= 'a' && c <= 'z':
		return 1 << (c - 'a')
	case c == 'C':
		return 1 << 26
	case c == 'Q':
		return 1 << 27
	case c == 'S':
		return 1 << 28
	case c == 'Z':
		return 1 << 29
	}
	return 1 << 30
}
