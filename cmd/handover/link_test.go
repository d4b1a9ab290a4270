package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// runLinkCmd runs the handover command line in-process.
func runLinkCmd(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	m := NewMain()
	m.Stdin = strings.NewReader("")
	m.Stdout, m.Stderr = &out, &errb
	code = m.Run(context.Background(), args)
	return code, out.String(), errb.String()
}

func readLinkCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func writeLinkFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// linkPairF1 scores output rows (header first) against truth rows.
func linkPairF1(t *testing.T, got, truth [][]string) float64 {
	t.Helper()
	want := map[[2]string]bool{}
	for _, r := range truth[1:] {
		want[[2]string{r[0], r[1]}] = true
	}
	tp := 0
	for _, r := range got[1:] {
		if want[[2]string{r[0], r[1]}] {
			tp++
		}
	}
	if tp == 0 {
		return 0
	}
	p := float64(tp) / float64(len(got)-1)
	rc := float64(tp) / float64(len(want))
	return 2 * p * rc / (p + rc)
}

func TestLinkFEBRL(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "pairs.csv")
	data := "../../internal/match/testdata/febrl/"
	code, _, stderr := runLinkCmd(t, "link", data+"dataset4a.csv", data+"dataset4b.csv", "--config", "../../examples/link/febrl4.toml", "--out", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	rows := readLinkCSV(t, out)
	if got := strings.Join(rows[0], ","); got != "left_id,right_id,score" {
		t.Fatalf("header = %q", got)
	}
	truth := [][]string{{"left_id", "right_id"}}
	for i := 0; i < 5000; i++ {
		truth = append(truth, []string{"rec-" + strconv.Itoa(i) + "-org", "rec-" + strconv.Itoa(i) + "-dup-0"})
	}
	if f := linkPairF1(t, rows, truth); f < 0.99 {
		t.Errorf("FEBRL F1 = %.4f, want ≥ 0.99", f)
	}
	for _, r := range rows[1:] {
		s, err := strconv.ParseFloat(r[2], 64)
		if err != nil || s < 0.5 || s > 1 {
			t.Fatalf("score %q not a probability at or above the default threshold", r[2])
		}
	}
}

func TestGenPairsAndLink(t *testing.T) {
	dir := t.TempDir()
	l, r, tr := filepath.Join(dir, "l.csv"), filepath.Join(dir, "r.csv"), filepath.Join(dir, "t.csv")
	code, _, stderr := runLinkCmd(t, "gen", "pairs", "--n", "1500", "--out-left", l, "--out-right", r, "--truth", tr, "--seed", "11")
	if code != 0 {
		t.Fatalf("gen pairs: exit %d: %s", code, stderr)
	}
	out := filepath.Join(dir, "pairs.csv")
	code, _, stderr = runLinkCmd(t, "link", l, r, "--out", out, "--explain")
	if code != 0 {
		t.Fatalf("link: exit %d: %s", code, stderr)
	}
	rows := readLinkCSV(t, out)
	head := strings.Join(rows[0], ",")
	if !strings.HasPrefix(head, "left_id,right_id,score,weight,prior,surname_level,surname_weight,") {
		t.Fatalf("explain header = %q", head)
	}
	if f := linkPairF1(t, rows, readLinkCSV(t, tr)); f < 0.97 {
		t.Errorf("generated set F1 = %.4f, want ≥ 0.97", f)
	}
	// One-to-one.
	seenL, seenR := map[string]bool{}, map[string]bool{}
	for _, r := range rows[1:] {
		if seenL[r[0]] || seenR[r[1]] {
			t.Fatalf("pair %v is not one-to-one", r)
		}
		seenL[r[0]], seenR[r[1]] = true, true
	}
}

func TestLinkSmallCrossScript(t *testing.T) {
	dir := t.TempDir()
	left := writeLinkFile(t, dir, "sought.csv", "\ufeffid,surname,given_name,patronymic,birth_date,birth_place,service_number,unit,rank\n"+
		"a1,Ковальчук,Олександр,Миколайович,1998-05-12,Харків,А-123456,в/ч А0224,солдат\n"+
		"a2,Шевченко,Сергій,Петрович,1990-03-01,Київ,,,\n"+
		"a3,Шевченко,Сергій,Іванович,1985-07-21,Львів,,,\n")
	right := writeLinkFile(t, dir, "held.csv", "id,full_name,birth_date,birth_place,service_number,unit\n"+
		"b1,KOVALCHUK ALEKSANDR,12.05.1998,Kharkov,A123456,A0224\n"+
		"b2,Шевченко Сергей Иванович,21.07.1985,Львов,,\n"+
		"b3,Шевченко Сергей Петрович,1979-11-02,Одесса,,\n")
	out := filepath.Join(dir, "pairs.csv")
	code, _, stderr := runLinkCmd(t, "link", left, right, "--out", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	got := map[string]string{}
	for _, r := range readLinkCSV(t, out)[1:] {
		got[r[0]] = r[1]
	}
	if got["a1"] != "b1" || got["a3"] != "b2" {
		t.Errorf("pairs = %v, want a1→b1 and a3→b2", got)
	}
	if _, ok := got["a2"]; ok {
		t.Errorf("a2 (born 1990 in Kyiv) linked to %s: a namesake born 1979 in Odesa must stay apart", got["a2"])
	}
}

func TestLinkXLSX(t *testing.T) {
	dir := t.TempDir()
	f := excelize.NewFile()
	rows := [][]any{
		{"id", "surname", "given_name", "patronymic", "birth_date", "service_number"},
		{"x1", "Коваленко", "Андрій", "Іванович", 35927, "К-555111"}, // Excel serial for 1998-05-12
		{"x2", "Бондар", "Петро", "", "1975", ""},
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	xlsx := filepath.Join(dir, "left.xlsx")
	if err := f.SaveAs(xlsx); err != nil {
		t.Fatal(err)
	}
	right := writeLinkFile(t, dir, "right.csv", "id,surname,given_name,birth_date,service_number\n"+
		"y1,Kovalenko,Andrei,12.05.1998,K555111\n"+
		"y2,Bondar,Petro,1975-02-03,\n")
	out := filepath.Join(dir, "pairs.csv")
	code, _, stderr := runLinkCmd(t, "link", xlsx, right, "--out", out, "--explain")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	got := readLinkCSV(t, out)
	if len(got) < 2 || got[1][0] != "x1" || got[1][1] != "y1" {
		t.Fatalf("pairs = %v, want x1→y1 first", got)
	}
}

func TestLinkBadInput(t *testing.T) {
	dir := t.TempDir()
	good := writeLinkFile(t, dir, "good.csv", "id,surname\n1,Коваль\n")
	tests := []struct {
		name, content string
		want          []string // substrings of stderr
	}{
		{"noid.csv", "foo,bar\nКоваль,Іван\n", []string{"noid.csv", `no "id" column`}},
		{"emptyid.csv", "id,surname\n1,Коваль\n,Бондар\n", []string{"emptyid.csv", "row 3", "empty id"}},
		{"dupid.csv", "id,surname\n1,Коваль\n1,Бондар\n", []string{"dupid.csv", "row 3", "already used in row 2"}},
		{"ragged.csv", "id,surname\n1,Коваль\n2,Бондар,extra,more\n", []string{"ragged.csv", "row 3", "column 3"}},
		{"quote.csv", "id,surname\n1,\"Коваль\n", []string{"quote.csv", "row 2"}},
		{"empty.csv", "", []string{"empty.csv", "no header"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			bad := writeLinkFile(t, dir, tc.name, tc.content)
			code, _, stderr := runLinkCmd(t, "link", good, bad, "--out", filepath.Join(dir, "out.csv"))
			if code != 2 {
				t.Fatalf("exit %d, want 2 (stderr %q)", code, stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr %q does not mention %q", stderr, w)
				}
			}
		})
	}
	t.Run("missing file", func(t *testing.T) {
		code, _, stderr := runLinkCmd(t, "link", good, filepath.Join(dir, "nope.csv"), "--out", filepath.Join(dir, "out.csv"))
		if code != 2 || !strings.Contains(stderr, "nope.csv") {
			t.Fatalf("exit %d, stderr %q", code, stderr)
		}
	})
	t.Run("usage", func(t *testing.T) {
		if code, _, _ := runLinkCmd(t, "link", good); code != 2 {
			t.Fatalf("one file: exit %d, want 2", code)
		}
		if code, _, _ := runLinkCmd(t, "link", good, good); code != 2 {
			t.Fatalf("no --out: exit %d, want 2", code)
		}
	})
	t.Run("bad config", func(t *testing.T) {
		cfg := writeLinkFile(t, dir, "bad.toml", "[[field]]\nname = \"x\"\ncompare = \"nonsense\"\n")
		code, _, stderr := runLinkCmd(t, "link", good, good, "--config", cfg, "--out", filepath.Join(dir, "o.csv"))
		if code != 2 || !strings.Contains(stderr, "nonsense") {
			t.Fatalf("exit %d, stderr %q", code, stderr)
		}
	})
}

func TestLinkWindows1251(t *testing.T) {
	dir := t.TempDir()
	// "id,surname\n1,Коваль\n" in Windows-1251.
	cp := []byte("id,surname,given_name\n1,\xca\xee\xe2\xe0\xeb\xfc,\xb2\xe2\xe0\xed\n")
	p := filepath.Join(dir, "cp.csv")
	if err := os.WriteFile(p, cp, 0o644); err != nil {
		t.Fatal(err)
	}
	right := writeLinkFile(t, dir, "r.csv", "id,surname,given_name\nr1,Коваль,Іван\n")
	out := filepath.Join(dir, "o.csv")
	code, _, stderr := runLinkCmd(t, "link", p, right, "--out", out, "--threshold", "0")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	rows := readLinkCSV(t, out)
	if len(rows) != 2 || rows[1][0] != "1" || rows[1][1] != "r1" {
		t.Fatalf("rows = %v", rows)
	}
}

func TestDedupeFEBRL(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "clusters.csv")
	code, _, stderr := runLinkCmd(t, "dedupe", "../../internal/match/testdata/febrl/dataset1.csv", "--config", "../../examples/link/febrl4.toml", "--out", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	rows := readLinkCSV(t, out)
	if strings.Join(rows[0], ",") != "id,cluster_id,score" {
		t.Fatalf("header %v", rows[0])
	}
	cluster := map[string]string{}
	for _, r := range rows[1:] {
		cluster[r[0]] = r[1]
	}
	if len(cluster) != 1000 {
		t.Fatalf("%d records, want 1000", len(cluster))
	}
	tp, fp := 0, 0
	ids := make([]string, 0, len(cluster))
	for id := range cluster {
		ids = append(ids, id)
	}
	person := func(id string) string { return strings.SplitN(id, "-", 3)[1] }
	for i, a := range ids {
		for _, b := range ids[i+1:] {
			if cluster[a] == cluster[b] {
				if person(a) == person(b) {
					tp++
				} else {
					fp++
				}
			}
		}
	}
	p := float64(tp) / float64(tp+fp)
	r := float64(tp) / 500
	if f := 2 * p * r / (p + r); f < 0.95 {
		t.Errorf("dedupe pairwise F1 = %.4f (tp %d fp %d), want ≥ 0.95", f, tp, fp)
	}
}

func TestLinkHelp(t *testing.T) {
	for _, c := range [][]string{{"link", "--help"}, {"dedupe", "--help"}, {"gen", "pairs", "--help"}} {
		code, out, _ := runLinkCmd(t, c...)
		if code != 0 || !strings.Contains(out, "Example:") {
			t.Errorf("%v: exit %d, output %q", c, code, out)
		}
	}
}

// TestLinkRegisterFile: a register as 'handover import' reads it — ';'
// separated, one ФИО column, dates as 16.01.1987 — is read by link through
// the same sheet reader; the ids are the rows of the file.
func TestLinkRegisterFile(t *testing.T) {
	dir := t.TempDir()
	left := writeLinkFile(t, dir, "sought.csv", "\ufeffФИО;Дата рождения;Личный номер\n"+
		"Гуцул Павло Володимирович;16.01.1987;ЖТ-004474\n"+
		"Бондаренко Василь Васильович;21.04.1986;\n")
	right := writeLinkFile(t, dir, "held.csv", "id,full_name,birth_date,service_number\n"+
		"b1,Бондаренко Василий Васильевич,1986-04-21,\n"+
		"b2,Гуцул Павел Владимирович,16.01.1987,ЖТ004474\n")
	out := filepath.Join(dir, "pairs.csv")
	code, _, stderr := runLinkCmd(t, "link", left, right, "--out", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	got := map[string]string{}
	for _, r := range readLinkCSV(t, out)[1:] {
		got[r[0]] = r[1]
	}
	if got["2"] != "b2" || got["3"] != "b1" {
		t.Errorf("pairs %v, want row 2 → b2 and row 3 → b1", got)
	}
	// A register with a bad date is refused with its place.
	bad := writeLinkFile(t, dir, "bad.csv", "ФИО;Дата рождения\nГуцул Павло;31.02.1987\n")
	code, _, stderr = runLinkCmd(t, "link", bad, right, "--out", out)
	if code != 2 || !strings.Contains(stderr, "row 2") || !strings.Contains(stderr, "date_impossible") {
		t.Errorf("bad date: exit %d, %s", code, stderr)
	}
}
