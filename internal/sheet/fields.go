package sheet

import (
	"strings"

	"github.com/handover-project/handover/internal/person"
)

// valueKind says how a column's text becomes a field value.
type valueKind uint8

const (
	textValue valueKind = iota
	longText
	dateValue
	boolValue
	categoryValue
	statusValue
	sexValue
	latinValue
	nameLanguageValue
	withholdBasisValue
)

// column is one field of person.Fields a sheet column can hold: its JSON
// name, how its text is read, the headers people write for it (the first of
// each language is the one written on export) and its HXL hashtag.
type column struct {
	Field string
	Kind  valueKind
	UK    []string
	RU    []string
	EN    []string
	HXL   string
}

// columns lists every field of person.Fields a file may carry, in export
// order. Kind is not a column: the caller names the register.
var columns = []column{
	{"surname", textValue, []string{"Прізвище", "Прізвище (латиницею)"}, []string{"Фамилия"}, []string{"Surname", "Last name", "Family name"}, "#person+surname"},
	{"given_names", textValue, []string{"Ім'я", "Імена"}, []string{"Имя"}, []string{"Given names", "Given name", "First name", "Forename"}, "#person+given"},
	{"patronymic", textValue, []string{"По батькові", "По-батькові"}, []string{"Отчество"}, []string{"Patronymic", "Middle name", "Father's name"}, "#person+patronymic"},
	{"full_name", textValue, []string{"ПІБ", "П.І.Б.", "Прізвище, ім'я, по батькові", "Прізвище ім'я по батькові", "Прізвище, ім'я та по батькові", "Повне ім'я"},
		[]string{"ФИО", "Ф.И.О.", "Фамилия, имя, отчество", "Фамилия имя отчество", "Полное имя"}, []string{"Full name", "Name", "Person"}, "#person+name"},
	{"latin_names", latinValue, []string{"Латиницею", "Ім'я латиницею", "Транслітерація"}, []string{"Латиницей", "Имя латиницей", "Транслитерация"},
		[]string{"Latin spellings", "Latin names", "Name in Latin", "Transliteration"}, "#person+name+latin"},
	{"name_language", nameLanguageValue, []string{"Мова імені"}, []string{"Язык имени"}, []string{"Name language"}, "#person+name+language"},
	{"sex", sexValue, []string{"Стать"}, []string{"Пол"}, []string{"Sex", "Gender"}, "#person+sex"},
	{"birth_date", dateValue, []string{"Дата народження", "Рік народження", "Д.н.", "Дата нар."}, []string{"Дата рождения", "Год рождения", "Д.р.", "Дата рожд."},
		[]string{"Date of birth", "Birth date", "DOB", "Year of birth", "Born"}, "#date+birth"},
	{"birth_place", textValue, []string{"Місце народження"}, []string{"Место рождения"}, []string{"Place of birth", "Birth place", "Birthplace"}, "#loc+birth"},
	{"rank", textValue, []string{"Звання", "Військове звання"}, []string{"Звание", "Воинское звание"}, []string{"Rank", "Military rank"}, "#person+rank"},
	{"service_number", textValue, []string{"Особистий номер", "Особовий номер", "Номер жетона", "Жетон"}, []string{"Личный номер", "Номер жетона", "Жетон"},
		[]string{"Service number", "Personal number", "Military ID", "Service no"}, "#person+id+service"},
	{"unit", textValue, []string{"Військова частина", "В/ч", "Частина", "Підрозділ"}, []string{"Войсковая часть", "В/ч", "Часть", "Подразделение"},
		[]string{"Unit", "Military unit"}, "#org+unit"},
	{"power", textValue, []string{"Держава", "Держава, від якої залежить"}, []string{"Держава", "Государство"}, []string{"Power", "Power depended on"}, "#country+power"},
	{"citizenship", textValue, []string{"Громадянство"}, []string{"Гражданство"}, []string{"Citizenship", "Nationality"}, "#country+citizenship"},
	{"mother_maiden_name", textValue, []string{"Дівоче прізвище матері"}, []string{"Девичья фамилия матери"}, []string{"Mother's maiden name"}, "#person+mother+maiden"},
	{"category", categoryValue, []string{"Категорія"}, []string{"Категория"}, []string{"Category"}, "#category"},
	{"status", statusValue, []string{"Статус", "Правовий статус"}, []string{"Статус", "Правовой статус"}, []string{"Status", "Legal status"}, "#status+legal"},
	{"capture_date", dateValue, []string{"Дата полону", "Дата захоплення", "Дата взяття в полон"}, []string{"Дата пленения", "Дата захвата"}, []string{"Date of capture", "Capture date"}, "#date+capture"},
	{"capture_place", textValue, []string{"Місце полону", "Місце захоплення"}, []string{"Место пленения", "Место захвата"}, []string{"Place of capture", "Capture place"}, "#loc+capture"},
	{"disappearance_date", dateValue, []string{"Дата зникнення", "Дата зникнення безвісти"}, []string{"Дата исчезновения", "Дата пропажи"},
		[]string{"Date of disappearance", "Disappearance date", "Date missing"}, "#date+disappearance"},
	{"disappearance_circumstances", longText, []string{"Обставини зникнення", "Обставини"}, []string{"Обстоятельства исчезновения", "Обстоятельства"},
		[]string{"Circumstances of disappearance", "Circumstances"}, "#description+disappearance"},
	{"identity_not_established", boolValue, []string{"Особу не встановлено"}, []string{"Личность не установлена"}, []string{"Identity not established", "Unidentified"}, "#status+unidentified"},
	{"distinguishing_marks", longText, []string{"Особливі прикмети", "Прикмети"}, []string{"Особые приметы", "Приметы"}, []string{"Distinguishing marks", "Marks"}, "#description+marks"},
	{"detrimental", boolValue, []string{"Не передавати", "Передача шкідлива"}, []string{"Не передавать", "Передача вредна"}, []string{"Transmission detrimental", "Detrimental"}, "#status+detrimental"},
	{"detrimental_basis", withholdBasisValue, []string{"Підстава неповідомлення", "Підстава"}, []string{"Основание непередачи", "Основание"}, []string{"Withholding basis", "Detrimental basis"}, "#status+detrimental+basis"},
	{"detrimental_reason", longText, []string{"Причина неповідомлення"}, []string{"Причина непередачи"}, []string{"Withholding reason", "Detrimental reason"}, "#description+detrimental"},
	{"notes", longText, []string{"Примітки", "Примітка", "Коментар"}, []string{"Примечания", "Примечание", "Комментарий"}, []string{"Notes", "Note", "Comments", "Remarks"}, "#description+notes"},
	{"health", longText, []string{"Стан здоров'я", "Здоров'я"}, []string{"Состояние здоровья", "Здоровье"}, []string{"Health", "Health condition"}, "#status+health"},
	{"next_of_kin", longText, []string{"Найближчі родичі", "Родичі", "Контакти родичів"}, []string{"Ближайшие родственники", "Родственники"}, []string{"Next of kin", "Relatives"}, "#contact+kin"},
}

// seqHeaders are running-number columns ("№ з/п"): recognised and ignored,
// so that they do not fill every record's notes.
var seqHeaders = []string{"№", "№ з/п", "№ п/п", "з/п", "п/п", "No", "No.", "Nr", "#", "N"}

// fieldColumn returns the column of a field name, or nil.
func fieldColumn(field string) *column {
	for i := range columns {
		if columns[i].Field == field {
			return &columns[i]
		}
	}
	return nil
}

// headerIndex maps a normalised header to a field name ("" never), or to
// "-" for a running-number column.
var headerIndex = func() map[string]string {
	m := map[string]string{}
	for _, c := range columns {
		for _, set := range [][]string{c.UK, c.RU, c.EN} {
			for _, h := range set {
				if k := normHeader(h); k != "" {
					if _, dup := m[k]; !dup {
						m[k] = c.Field
					}
				}
			}
		}
	}
	for _, h := range seqHeaders {
		if k := normHeader(h); k != "" {
			m[k] = "-"
		}
	}
	// Common spellings that are not export headers.
	for k, v := range map[string]string{
		"фамилия и инициалы": "full_name", "прізвище та ініціали": "full_name", "прізвище і ініціали": "full_name",
		"фамилия имя": "full_name", "прізвище імя": "full_name", "name and surname": "full_name",
		"імя по батькові": "", "имя отчество": "",
		"дата і місце народження": "", "дата и место рождения": "",
		"вч": "unit", "в ч": "unit", "номер в ч": "unit",
		"особистий номер жетон": "service_number", "ос номер": "service_number", "личный номер жетон": "service_number",
		"рік нар": "birth_date", "год рожд": "birth_date", "дн": "birth_date", "др": "birth_date",
	} {
		if v != "" {
			m[normHeader(k)] = v
		}
	}
	return m
}()

// normHeader folds a header for lookup: lower case, ё as е, apostrophes
// dropped, text in brackets dropped, "№" as "no", every other mark as a
// space, spaces collapsed.
func normHeader(s string) string {
	s = strings.ToLower(s)
	var b strings.Builder
	depth := 0
	for _, r := range s {
		switch {
		case r == '(' || r == '[':
			depth++
			b.WriteByte(' ')
		case r == ')' || r == ']':
			if depth > 0 {
				depth--
			}
			b.WriteByte(' ')
		case depth > 0:
		case r == '\'' || r == '’' || r == 'ʼ' || r == '`' || r == '‘':
		case r == 'ё':
			b.WriteRune('е')
		case r == '№':
			b.WriteString(" no ")
		case isWordRune(r):
			b.WriteRune(r)
		default:
			b.WriteByte(' ')
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

func isWordRune(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r >= 0x400 && r <= 0x4ff
}

// Value vocabularies: code → words people write (lower case; the first of
// each language is written on export).
type vocab struct {
	code string
	uk   []string
	ru   []string
	en   []string
}

var categoryWords = []vocab{
	{string(person.Military), []string{"військовий", "військовослужбовець", "військовополонений"}, []string{"военный", "военнослужащий"}, []string{"military", "soldier"}},
	{string(person.Civilian), []string{"цивільний", "цивільна", "цивільна особа"}, []string{"гражданский", "гражданское лицо", "гражданская"}, []string{"civilian"}},
	{string(person.SeriouslyWoundedSick), []string{"тяжкопоранений або тяжкохворий", "тяжкопоранений", "тяжкохворий"}, []string{"тяжелораненый или тяжелобольной", "тяжелораненый", "тяжелобольной"},
		[]string{"seriously wounded or sick", "seriously wounded", "seriously sick", "seriously_wounded_sick"}},
	{string(person.RemainsCategory), []string{"останки", "тіло"}, []string{"останки", "тело"}, []string{"remains"}},
}

var statusWords = []vocab{
	{string(person.StatusPOW), []string{"військовополонений", "вп"}, []string{"военнопленный", "вп"}, []string{"prisoner of war", "pow"}},
	{string(person.StatusCivilianInternee), []string{"інтернований цивільний", "інтернований", "інтернована цивільна особа"}, []string{"интернированный гражданский", "интернированный", "интернированное гражданское лицо"}, []string{"civilian internee", "civilian_internee", "internee"}},
	{string(person.StatusDetainedCivilian), []string{"затриманий цивільний", "затриманий", "затримана цивільна особа"}, []string{"задержанный гражданский", "задержанный", "задержанное гражданское лицо"}, []string{"detained civilian", "detained_civilian", "detained"}},
	{string(person.StatusConvicted), []string{"засуджений"}, []string{"осужденный"}, []string{"convicted"}},
	{string(person.StatusDeceased), []string{"помер", "загинув", "померлий"}, []string{"умер", "погиб", "умерший"}, []string{"deceased", "dead"}},
	{string(person.StatusMissing), []string{"зник безвісти", "безвісти зниклий", "зниклий безвісти"}, []string{"пропал без вести", "без вести пропавший", "пропавший без вести"}, []string{"missing"}},
}

var sexWords = []vocab{
	{string(person.Male), []string{"чоловіча", "ч", "чол", "чоловік", "чоловіча стать"}, []string{"мужской", "м", "муж", "мужчина"}, []string{"male", "m", "man"}},
	{string(person.Female), []string{"жіноча", "ж", "жін", "жінка", "жіноча стать"}, []string{"женский", "ж", "жен", "женщина"}, []string{"female", "f", "w", "woman"}},
}

var nameLanguageWords = []vocab{
	{person.NameUkrainian, []string{"українська", "укр", "українською"}, []string{"украинский", "укр"}, []string{"ukrainian", "uk", "ua"}},
	{person.NameRussian, []string{"російська", "рос", "російською"}, []string{"русский", "рус"}, []string{"russian", "ru"}},
}

// withholdWords name the legal bases of withholding (person.WithholdBasis):
// GC IV Art. 137(2) for a civilian; a prisoner's own request, which a sheet
// may carry on export but an import may not set (only the neutral's
// interview does).
var withholdWords = []vocab{
	{string(person.WithholdCivilian), []string{"ЖК IV ст. 137(2)", "ЖК IV 137", "цивільна особа"}, []string{"ЖК IV ст. 137(2)", "ЖК IV 137", "гражданское лицо"}, []string{"GC IV Art. 137(2)", "gc4_art137_2", "GC IV 137", "civilian"}},
	{string(person.WithholdOwnRequest), []string{"на власне прохання", "власне прохання"}, []string{"по собственной просьбе", "собственная просьба"}, []string{"at his own request", "own_request", "own request"}},
}

var boolWords = []vocab{
	{"true", []string{"так"}, []string{"да"}, []string{"yes", "y", "true", "1", "+", "x", "✓", "✔"}},
	{"false", []string{"ні"}, []string{"нет"}, []string{"no", "n", "false", "0", "-"}},
}

// lookupWord finds the code of a value written in any language, or "".
func lookupWord(words []vocab, s string) string {
	k := normValue(s)
	for _, v := range words {
		if k == v.code || k == strings.ReplaceAll(v.code, "_", " ") {
			return v.code
		}
		for _, set := range [][]string{v.uk, v.ru, v.en} {
			for _, w := range set {
				if k == normValue(w) {
					return v.code
				}
			}
		}
	}
	return ""
}

// wordFor returns the export word for code in lang.
func wordFor(words []vocab, code, lang string) string {
	for _, v := range words {
		if v.code == code {
			switch lang {
			case "uk":
				return v.uk[0]
			case "ru":
				return v.ru[0]
			}
			return v.en[0]
		}
	}
	return code
}

func normValue(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	s = strings.ReplaceAll(s, "ё", "е")
	s = strings.TrimSuffix(s, ".")
	return strings.Join(strings.Fields(s), " ")
}
