package sheet

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"

	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/person"
)

func TestHeaders(t *testing.T) {
	tests := []struct{ header, field string }{
		{"Прізвище", "surname"}, {"ПРІЗВИЩЕ", "surname"}, {"  прізвище ", "surname"}, {"Фамилия", "surname"}, {"Surname", "surname"}, {"Last Name", "surname"},
		{"Ім'я", "given_names"}, {"Ім’я", "given_names"}, {"Імʼя", "given_names"}, {"Имя", "given_names"}, {"First name", "given_names"},
		{"По батькові", "patronymic"}, {"По-батькові", "patronymic"}, {"Отчество", "patronymic"},
		{"ПІБ", "full_name"}, {"П.І.Б.", "full_name"}, {"ФИО", "full_name"}, {"Ф.И.О.", "full_name"}, {"Full name", "full_name"},
		{"Прізвище, ім'я, по батькові", "full_name"}, {"Фамилия, имя, отчество", "full_name"},
		{"Дата народження", "birth_date"}, {"Дата рождения", "birth_date"}, {"Дата народження (дд.мм.рррр)", "birth_date"}, {"Date of birth", "birth_date"}, {"Рік народження", "birth_date"},
		{"В/ч", "unit"}, {"в/ч", "unit"}, {"В / Ч", "unit"}, {"Військова частина", "unit"}, {"Войсковая часть", "unit"},
		{"Звання", "rank"}, {"Звание", "rank"}, {"Військове звання", "rank"},
		{"Особистий номер", "service_number"}, {"Личный номер", "service_number"}, {"Service number", "service_number"},
		{"Стать", "sex"}, {"Пол", "sex"}, {"Категорія", "category"}, {"Статус", "status"}, {"Громадянство", "citizenship"},
		{"Дата полону", "capture_date"}, {"Дата пленения", "capture_date"}, {"Місце полону", "capture_place"},
		{"Дата зникнення", "disappearance_date"}, {"Обставини зникнення", "disappearance_circumstances"},
		{"Особливі прикмети", "distinguishing_marks"}, {"Примітки", "notes"}, {"Примечание", "notes"},
		{"Стан здоров'я", "health"}, {"Найближчі родичі", "next_of_kin"}, {"Місце народження", "birth_place"},
		{"Дівоче прізвище матері", "mother_maiden_name"}, {"Держава", "power"}, {"Особу не встановлено", "identity_not_established"},
		{"Не передавати", "detrimental"}, {"Латиницею", "latin_names"},
		{"№", "-"}, {"№ з/п", "-"}, {"№ п/п", "-"},
		{"Позивний", ""}, {"", ""},
	}
	for _, tc := range tests {
		if got := headerIndex[normHeader(tc.header)]; got != tc.field {
			t.Errorf("header %q read as %q, want %q", tc.header, got, tc.field)
		}
	}
	// Every field of the vocabulary has a header in each language and a tag.
	for _, c := range columns {
		if len(c.UK) == 0 || len(c.RU) == 0 || len(c.EN) == 0 || hxlField(c.HXL) != c.Field {
			t.Errorf("column %s: headers or HXL tag missing (%q → %q)", c.Field, c.HXL, hxlField(c.HXL))
		}
		for _, lang := range Languages {
			if f := headerIndex[normHeader(Header(c.Field, lang))]; f != c.Field {
				t.Errorf("export header %q (%s) reads back as %q", Header(c.Field, lang), lang, f)
			}
		}
	}
}

func TestHXL(t *testing.T) {
	for tag, want := range map[string]string{
		"#person+name": "full_name", "#person +name +latin": "latin_names", "#date+birth": "birth_date", "#person+surname": "surname",
		"#org+unit": "unit", "#date+birth+approx": "birth_date", "#person": "", "#adm1": "",
	} {
		if got := hxlField(tag); got != want {
			t.Errorf("hxlField(%q) = %q, want %q", tag, got, want)
		}
	}
	// Headers the vocabulary does not know, but a HXL row that names them.
	csv := "Хто;Коли народився;Частина\n#person+name;#date+birth;#org+unit\nШевченко Тарас Григорович;09.03.1994;А0224\n"
	f, err := Read(context.Background(), "h.csv", []byte(csv), Options{Kind: person.Held, Category: person.Military, Now: testNow})
	if err != nil || len(f.Report.Problems) > 0 {
		t.Fatalf("%v %+v", err, f.Report.Problems)
	}
	got := f.Rows[0].Fields
	if got.Surname != "Шевченко" || got.Patronymic != "Григорович" || got.BirthDate.String() != "1994-03-09" || got.Unit != "А0224" || f.Report.HXLRow != 2 {
		t.Errorf("got %+v", got)
	}
}

func TestEncodings(t *testing.T) {
	text := "Прізвище;Ім'я;Дата народження;Категорія\r\nЇжакевич;Євген;1990;військовий\r\nҐудзь;Іра;1991;цивільний\r\n"
	cp, _ := charmap.Windows1251.NewEncoder().String(text)
	koi, _ := charmap.KOI8U.NewEncoder().String(text)
	tests := []struct {
		name, data, enc, want string
		sep                   string
	}{
		{"utf-8", text, "", "utf-8", ";"},
		{"utf-8 bom", "\ufeff" + text, "", "utf-8 bom", ";"},
		{"cp1251 detected", cp, "", "windows-1251", ";"},
		{"cp1251 named", cp, "cp1251", "windows-1251", ";"},
		{"koi8-u named", koi, "koi8-u", "koi8-u", ";"},
		{"comma", strings.ReplaceAll(text, ";", ","), "", "utf-8", ","},
		{"tab", strings.ReplaceAll(text, ";", "\t"), "", "utf-8", "tab"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, err := Read(context.Background(), "e.csv", []byte(tc.data), Options{Kind: person.Held, Encoding: tc.enc, Now: testNow})
			if err != nil {
				t.Fatal(err)
			}
			if f.Report.Encoding != tc.want || f.Report.Separator != tc.sep || len(f.Rows) != 2 {
				t.Fatalf("encoding %q separator %q rows %d problems %+v", f.Report.Encoding, f.Report.Separator, len(f.Rows), f.Report.Problems)
			}
			if f.Rows[0].Fields.Surname != "Їжакевич" || f.Rows[1].Fields.Surname != "Ґудзь" {
				t.Errorf("names %q %q", f.Rows[0].Fields.Surname, f.Rows[1].Fields.Surname)
			}
		})
	}
	// Bytes that are neither: refused with a clear message.
	_, err := Read(context.Background(), "x.csv", []byte("Прізвище\n\x81\x82\x83abc\x90\n"), Options{Kind: person.Held})
	if !errs.Is(errs.Invalid, err) || !strings.Contains(err.Error(), "encoding_unknown") {
		t.Errorf("unknown bytes: %v", err)
	}
	_, err = Read(context.Background(), "x.csv", []byte("a\x00b"), Options{Kind: person.Held})
	if !errs.Is(errs.Invalid, err) || !strings.Contains(err.Error(), "not_a_spreadsheet") {
		t.Errorf("binary: %v", err)
	}
}

func TestSplitAndNotes(t *testing.T) {
	csv := "ФИО,Дата рождения,Позывной,Примечание,,\nИванов Иван Иванович,1990,Лис,ранен,x,\nПетренко П.П.,1991,,,,\n"
	f, err := Read(context.Background(), "s.csv", []byte(csv), Options{Kind: person.Held, Category: person.Military, Now: testNow})
	if err != nil || len(f.Report.Problems) > 0 {
		t.Fatalf("%v %+v", err, f.Report.Problems)
	}
	a, b := f.Rows[0].Fields, f.Rows[1].Fields
	if a.Surname != "Иванов" || a.GivenNames != "Иван" || a.Patronymic != "Иванович" || a.Notes != "ранен\nПозывной: Лис\ncolumn E: x" {
		t.Errorf("row 2: %+v", a)
	}
	if b.Surname != "Петренко" || b.GivenNames != "П." || b.Patronymic != "П." {
		t.Errorf("row 3: %+v", b)
	}
}

func TestMapping(t *testing.T) {
	m, err := ParseMapping([]byte(`
header_row = 2
[columns]
"Хто це" = "full_name"
"Код" = "ignore"
[letters]
c = "birth_date"
[defaults]
category = "цивільний"
power = "Україна"
`))
	if err != nil {
		t.Fatal(err)
	}
	csv := "Прізвище;Рік народження;Щось;Код\nХто це;Не це;Коли;Код\nШевченко Тарас;1999;1994;7\n"
	f, err := Read(context.Background(), "m.csv", []byte(csv), Options{Kind: person.Sought, Mapping: m, Now: testNow})
	if err != nil || len(f.Report.Problems) > 0 {
		t.Fatalf("%v %+v", err, f.Report.Problems)
	}
	got := f.Rows[0].Fields
	if got.Surname != "Шевченко" || got.GivenNames != "Тарас" || got.BirthDate.Year != 1994 || got.Category != person.Civilian || got.Power != "Україна" || got.Notes != "Не це: 1999" {
		t.Errorf("got %+v", got)
	}
	for _, bad := range []string{`[columns]` + "\n" + `"x" = "surnames"`, `nonsense = 1`, `[defaults]` + "\ncategory = \"pilot\"", `[letters]` + "\n" + `"1" = "surname"`, `header_row = "two"`} {
		if _, err := ParseMapping([]byte(bad)); !errs.Is(errs.Invalid, err) || !strings.Contains(err.Error(), "mapping_invalid") {
			t.Errorf("ParseMapping(%q) = %v, want mapping_invalid", bad, err)
		}
	}
}

func TestLimits(t *testing.T) {
	big := "Прізвище,Категорія\n" + strings.Repeat("Шевченко,military\n", 50)
	tests := []struct {
		name string
		data []byte
		lim  Limits
		code string
	}{
		{"file size", []byte(big), Limits{MaxFileBytes: 100}, CodeFileTooLarge},
		{"rows", []byte(big), Limits{MaxRows: 10}, CodeTooManyRows},
		{"rows after the header scan", []byte(big), Limits{MaxRows: 45}, CodeTooManyRows},
	}
	for _, tc := range tests {
		_, err := Read(context.Background(), "l.csv", tc.data, Options{Kind: person.Held, Limits: tc.lim})
		if !errs.Is(errs.Invalid, err) || !strings.Contains(err.Error(), tc.code) {
			t.Errorf("%s: got %v, want %s", tc.name, err, tc.code)
		}
	}
	f, err := Read(context.Background(), "l.csv", []byte("Прізвище,Примітки,Категорія\nШевченко,"+strings.Repeat("я", 50)+",military\n"), Options{Kind: person.Held, Limits: Limits{MaxCellChars: 20}})
	if err != nil || len(f.Report.Problems) != 1 || f.Report.Problems[0].Code != CodeCellTooLong || f.Report.Problems[0].Column != "B (Примітки)" {
		t.Errorf("cell: %v %+v", err, f.Report.Problems)
	}
	// An XLSX that unpacks to more than the limit.
	var buf bytes.Buffer
	w, _ := NewWriter(&buf, "xlsx", "uk")
	for range 200 {
		w.Write(&person.Record{Fields: awkward()[3]})
	}
	w.Close()
	_, err = Read(context.Background(), "u.xlsx", buf.Bytes(), Options{Kind: person.Held, Limits: Limits{MaxUnzipBytes: 20000}})
	if !errs.Is(errs.Invalid, err) || !strings.Contains(err.Error(), CodeUnzipTooLarge) {
		t.Errorf("unzip: %v", err)
	}
	// Broken or foreign files: clear errors, never a panic.
	for name, data := range map[string][]byte{
		"cut.xlsx": buf.Bytes()[:len(buf.Bytes())/2], "old.xls": {0xD0, 0xCF, 0x11, 0xE0, 1, 2}, "empty.csv": {},
		"no header.csv": []byte("a,b\n1,2\n"), "zip.xlsx": []byte("PK\x03\x04garbage"),
	} {
		_, err := Read(context.Background(), name, data, Options{Kind: person.Held})
		if !errs.Is(errs.Invalid, err) || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: got %v, want an invalid error naming the file", name, err)
		}
	}
}

func TestNeutralise(t *testing.T) {
	for _, s := range []string{"=1+2", "+380", "-", "@SUM(A1)", "\tx", "'=x", "'", "''", "Вʼюн", "'Ali", ""} {
		n := Neutralise(s)
		if n != "" && strings.ContainsRune("=+-@\t\r", rune(n[0])) {
			t.Errorf("Neutralise(%q) = %q starts with a formula character", s, n)
		}
		if got := unneutralise(n); got != s {
			t.Errorf("unneutralise(Neutralise(%q)) = %q", s, got)
		}
	}
}

func FuzzReadCSV(f *testing.F) {
	f.Add([]byte("Прізвище;Ім'я;Дата народження\nШевченко;Тарас;09.03.1994\n"))
	f.Add([]byte("title\n\nПІБ\n\"Шевченко, Т.Г.\"\n"))
	f.Add([]byte("\xcf\xf0\xb3\xe7\xe2\xe8\xf9\xe5;\xc4\xe0\xf2\xe0\n\xd8\xe5\xe2;1990\n"))
	f.Add([]byte("a\tb\n#person+name\t#date+birth\nx\t35938\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Read(context.Background(), "f.csv", data, Options{Kind: person.Held, Category: person.Military, Now: testNow, Limits: Limits{MaxRows: 1000}})
		if err != nil {
			if !errs.Is(errs.Invalid, err) {
				t.Fatalf("error of kind %v: %v", errs.KindOf(err), err)
			}
			return
		}
		for _, row := range file.Rows {
			if err := row.Fields.Validate(testNow); err != nil {
				t.Fatalf("row %d passed but is invalid: %v", row.Row, err)
			}
		}
		for _, p := range file.Report.Problems {
			if p.Code == "" || p.Reason == "" || p.Row == 0 {
				t.Fatalf("problem without code, reason or row: %+v", p)
			}
		}
	})
}

func FuzzHeader(f *testing.F) {
	f.Add("Прізвище", "#person+surname")
	f.Add("Дата народження (дд.мм.рррр)", "#date+birth")
	f.Add("№ з/п", "")
	f.Add("В/ч", "#org+unit+x")
	f.Fuzz(func(t *testing.T, header, tag string) {
		k := normHeader(header)
		if normHeader(k) != k {
			t.Fatalf("normHeader not idempotent: %q → %q → %q", header, k, normHeader(k))
		}
		if field := headerIndex[k]; field != "" && field != "-" && fieldColumn(field) == nil {
			t.Fatalf("header %q maps to unknown field %q", header, field)
		}
		if field := hxlField(tag); field != "" && fieldColumn(field) == nil {
			t.Fatalf("tag %q maps to unknown field %q", tag, field)
		}
		isHXLRow([]string{header, tag})
	})
}
