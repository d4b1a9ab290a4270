package synth

import "strings"

// The name pools below are written by hand. Lists run roughly from the most
// to the least common, and draws are weighted that way (see zipf), so common
// surnames and given names repeat as they do in real registers. Russian forms
// of Ukrainian names follow the usual official correspondences (checked
// against the names-translator dictionaries); Ukrainian forms of Russian names
// follow the way Ukrainian clerks transcribe them.

// maleName is a male given name with the patronymics it gives, in Ukrainian
// and Russian. tag says who carries it: 'b' both peoples, 'u' mostly
// Ukrainians, 'r' mostly Russians (including non-Slavic names common among
// Russian servicemen).
type maleName struct {
	ua, uaPatM, uaPatF string
	ru, ruPatM, ruPatF string
	tag                byte
}

// maleNames is parsed from lines of "tag ua uaPatM uaPatF ru ruPatM ruPatF".
var maleNames = parseMale(`
b Олександр Олександрович Олександрівна Александр Александрович Александровна
b Сергій Сергійович Сергіївна Сергей Сергеевич Сергеевна
b Андрій Андрійович Андріївна Андрей Андреевич Андреевна
b Дмитро Дмитрович Дмитрівна Дмитрий Дмитриевич Дмитриевна
b Володимир Володимирович Володимирівна Владимир Владимирович Владимировна
b Микола Миколайович Миколаївна Николай Николаевич Николаевна
b Іван Іванович Іванівна Иван Иванович Ивановна
b Олексій Олексійович Олексіївна Алексей Алексеевич Алексеевна
b Юрій Юрійович Юріївна Юрий Юрьевич Юрьевна
b Віктор Вікторович Вікторівна Виктор Викторович Викторовна
b Максим Максимович Максимівна Максим Максимович Максимовна
b Євген Євгенович Євгенівна Евгений Евгеньевич Евгеньевна
b Олег Олегович Олегівна Олег Олегович Олеговна
b Ігор Ігорович Ігорівна Игорь Игоревич Игоревна
b Василь Васильович Василівна Василий Васильевич Васильевна
b Михайло Михайлович Михайлівна Михаил Михайлович Михайловна
b Віталій Віталійович Віталіївна Виталий Витальевич Витальевна
b Роман Романович Романівна Роман Романович Романовна
b Павло Павлович Павлівна Павел Павлович Павловна
b Анатолій Анатолійович Анатоліївна Анатолий Анатольевич Анатольевна
b Валерій Валерійович Валеріївна Валерий Валерьевич Валерьевна
b Артем Артемович Артемівна Артём Артёмович Артёмовна
b Денис Денисович Денисівна Денис Денисович Денисовна
b Петро Петрович Петрівна Пётр Петрович Петровна
u Богдан Богданович Богданівна Богдан Богданович Богдановна
b Владислав Владиславович Владиславівна Владислав Владиславович Владиславовна
b Вадим Вадимович Вадимівна Вадим Вадимович Вадимовна
b Руслан Русланович Русланівна Руслан Русланович Руслановна
u Ярослав Ярославович Ярославівна Ярослав Ярославович Ярославовна
u Тарас Тарасович Тарасівна Тарас Тарасович Тарасовна
b Григорій Григорович Григорівна Григорий Григорьевич Григорьевна
b Костянтин Костянтинович Костянтинівна Константин Константинович Константиновна
b Станіслав Станіславович Станіславівна Станислав Станиславович Станиславовна
b Леонід Леонідович Леонідівна Леонид Леонидович Леонидовна
b Геннадій Геннадійович Геннадіївна Геннадий Геннадьевич Геннадьевна
b Степан Степанович Степанівна Степан Степанович Степановна
b Федір Федорович Федорівна Фёдор Фёдорович Фёдоровна
b Кирило Кирилович Кирилівна Кирилл Кириллович Кирилловна
b Ілля Ілліч Іллівна Илья Ильич Ильинична
b Антон Антонович Антонівна Антон Антонович Антоновна
b Борис Борисович Борисівна Борис Борисович Борисовна
b Валентин Валентинович Валентинівна Валентин Валентинович Валентиновна
b В'ячеслав В'ячеславович В'ячеславівна Вячеслав Вячеславович Вячеславовна
b Едуард Едуардович Едуардівна Эдуард Эдуардович Эдуардовна
u Ростислав Ростиславович Ростиславівна Ростислав Ростиславович Ростиславовна
u Святослав Святославович Святославівна Святослав Святославович Святославовна
u Назар Назарович Назарівна Назар Назарович Назаровна
u Остап Остапович Остапівна Остап Остапович Остаповна
b Семен Семенович Семенівна Семён Семёнович Семёновна
b Тимофій Тимофійович Тимофіївна Тимофей Тимофеевич Тимофеевна
b Яків Якович Яківна Яков Яковлевич Яковлевна
b Захар Захарович Захарівна Захар Захарович Захаровна
b Арсеній Арсенійович Арсеніївна Арсений Арсеньевич Арсеньевна
b Данило Данилович Данилівна Данила Данилович Даниловна
b Матвій Матвійович Матвіївна Матвей Матвеевич Матвеевна
b Микита Микитович Микитівна Никита Никитич Никитична
b Георгій Георгійович Георгіївна Георгий Георгиевич Георгиевна
b Аркадій Аркадійович Аркадіївна Аркадий Аркадьевич Аркадьевна
u Мирослав Мирославович Мирославівна Мирослав Мирославович Мирославовна
u Орест Орестович Орестівна Орест Орестович Орестовна
b Родіон Родіонович Родіонівна Родион Родионович Родионовна
b Єгор Єгорович Єгорівна Егор Егорович Егоровна
b Пилип Пилипович Пилипівна Филипп Филиппович Филипповна
b Гліб Глібович Глібівна Глеб Глебович Глебовна
b Лев Львович Львівна Лев Львович Львовна
b Всеволод Всеволодович Всеволодівна Всеволод Всеволодович Всеволодовна
u Зиновій Зиновійович Зиновіївна Зиновий Зиновьевич Зиновьевна
u Любомир Любомирович Любомирівна Любомир Любомирович Любомировна
r Тимур Тимурович Тимурівна Тимур Тимурович Тимуровна
r Айдар Айдарович Айдарівна Айдар Айдарович Айдаровна
r Раміль Рамільович Рамілівна Рамиль Рамилевич Рамилевна
r Ринат Ринатович Ринатівна Ринат Ринатович Ринатовна
r Баїр Баїрович Баїрівна Баир Баирович Баировна
r Магомед Магомедович Магомедівна Магомед Магомедович Магомедовна
r Іслам Ісламович Ісламівна Ислам Исламович Исламовна
r Алдар Алдарович Алдарівна Алдар Алдарович Алдаровна
`)

// femaleName is a female given name in Ukrainian and Russian.
type femaleName struct{ ua, ru string }

// femaleNames is parsed from lines of "ua ru".
var femaleNames = parseFemale(`
Олена Елена
Наталія Наталья
Ірина Ирина
Ольга Ольга
Тетяна Татьяна
Юлія Юлия
Світлана Светлана
Оксана Оксана
Марія Мария
Анна Анна
Вікторія Виктория
Катерина Екатерина
Людмила Людмила
Галина Галина
Надія Надежда
Валентина Валентина
Лариса Лариса
Анастасія Анастасия
Дар'я Дарья
Ганна Анна
Христина Кристина
Яна Яна
Алла Алла
Інна Инна
Любов Любовь
Віра Вера
Софія София
Марина Марина
Олександра Александра
Ніна Нина
Раїса Раиса
Валерія Валерия
Аліна Алина
Євгенія Евгения
Зоя Зоя
`)

// surname is a masculine surname in both languages, with the feminine forms
// derived by feminine.
type surname struct {
	ua, ru, uaF, ruF string
}

// ukrainianSurnames are Ukrainian surnames. An entry "ua=ru" gives the
// Russian form where the rule in uaToRU gets it wrong; a trailing "!" marks a
// surname that does not change for women (Литвин, not Литвина).
var ukrainianSurnames = parseSurnames(`
Шевченко Коваленко Бондаренко Ткаченко Кравченко Ковальчук Олійник=Олейник Шевчук
Поліщук Бондар=Бондарь Ткачук Мельник Марченко Руденко Савченко Кравчук Бойко Лисенко=Лысенко
Петренко Мороз Коваль Клименко Павленко Гончаренко Карпенко Левченко Харченко
Білик=Билык Приходько Пономаренко Кузьменко Гнатюк Мельничук Романенко Сидоренко
Литвиненко Гаврилюк Кушнір Савчук Головко Лук'яненко Онищенко Степаненко
Тарасенко Костенко Яковенко Мартинюк=Мартынюк Борисенко Василенко Юрченко Зінченко
Остапенко Дмитренко Захарченко Мазур Панченко Іваненко Тимошенко Данилюк
Вакуленко Федоренко Хоменко Демченко Ярошенко Симоненко Радченко Нестеренко
Лозинський Вишневський Ковальський Савицький Заболотний=Заболотный Білоус=Белоус Гуменюк Швець
Микитюк Кириленко Мирошниченко Назаренко Ігнатенко Гриценко Прокопенко Сергієнко
Гордієнко Дяченко=Дьяченко Паламарчук Дорошенко Антоненко Ющенко Литвин! Кучер Рибак=Рыбак
Козак Сорока Гребенюк Волошин Кравець Ткач Гончар Пилипенко Жук Тимченко
Максименко Осадчий Осадчук Стасюк Кондратюк Яремчук Ярмоленко Процюк Бабич
Вдовиченко Горобець Дем'яненко Дем'янчук Зубко Коломієць Кузик
Максимчук Нечипорук Пасічник=Пасечник Присяжнюк Скиба Тищенко Федорчук
Хмара Чорний=Черный Шаповал Юрчук Яценко Іщенко Якименко Грищенко Семенюк Попович
Остапчук Мельниченко Вовк Зайченко Сірко=Сирко Білий=Белый Довгань Пащенко Тесленко
Шпак Кисіль=Кисель Гладкий Кобзар=Кобзарь Стецюк Климчук Лук'янчук Головатюк Вербицький
Андрієнко Гуцул Дзюба Лях Сухомлин! Гайовий=Гаевой Ярема Кочерга Колісник=Колесник
Гарасим'юк=Гарасимюк Король Чумак Швидкий=Швыдкий Щербак Щербина Ільченко Ігнатюк
Дудник Головань Глущенко Гнатенко Пшеничний=Пшеничный Середа Лисий=Лысый Кравцов
Ничипоренко Слюсар Ковтун Музика=Музыка Зозуля Бублик Кривенко
Білоконь=Белоконь Гребінь=Гребень Сидорчук Дячук Кушнірук=Кушнирук Мацюк Репетун
`)

// russianSurnames are Russian surnames, with ё where the name has it (a
// writer often drops it). An entry "ru=ua" gives the Ukrainian form where
// ruToUA gets it wrong.
var russianSurnames = parseSurnames(`
Иванов Смирнов Кузнецов Попов Васильев Петров Соколов Михайлов Новиков Фёдоров=Федоров
Морозов Волков Алексеев Лебедев Семёнов=Семенов Егоров Павлов Козлов Степанов Николаев
Орлов Андреев Макаров Никитин Захаров Зайцев Соловьёв Борисов Яковлев Григорьев
Романов Воробьёв Сергеев Кузьмин Фролов Александров Дмитриев Королёв Гусев Киселёв
Ильин=Ільїн Максимов Поляков Сорокин Виноградов Ковалёв Белов Медведев Антонов Тарасов
Жуков Баранов Филиппов Комаров Давыдов Беляев Герасимов Богданов Осипов Сидоров
Матвеев Титов Марков Миронов Крылов Куликов Карпов Власов Мельников Денисов
Гаврилов Тихонов Казаков Афанасьев Данилов Савельев Тимофеев Фомин Чернов Абрамов
Мартынов Ефимов Федотов Щербаков Назаров Калинин Исаев Чернышёв Быков Маслов
Родионов Коновалов Лазарев Воронин Климов Филатов Пономарёв Голубев Кудрявцев Прохоров
Наумов Потапов Журавлёв Овчинников Трофимов Леонов Соболев Ермаков Колесников Гончаров
Емельянов Никифоров Грачёв Котов Гришин Ефремов Архипов Громов Кириллов Малышев
Панов Моисеев Румянцев Акимов Кондратьев Бирюков Горбунов Анисимов Ерёмин Тихомиров
Галкин Лукьянов Михеев Скворцов Юдин Белоусов Нестеров Симонов Прокофьев Харитонов
Князев Цветков Левин Митрофанов Воронов Аксёнов Софронов Мальцев Логинов Горшков
Савин Краснов Майоров Демидов Елисеев Рыбаков Сафонов Плотников Дёмин Хохлов Жданов
Шестаков Кожевников Блинов Суханов Зуев Рябов Полупанов Лапин Третьяков Коротков
Цыренов Дашиев Бадмаев Доржиев Гаджиев Магомедов Алиев Хасанов Сафин Гарипов
Валиев Ооржак! Монгуш! Шарипов Исмаилов=Ісмаїлов Батуев Намсараев Абдуллаев
`)

func parseMale(s string) []maleName {
	var out []maleName
	for _, line := range strings.Split(strings.TrimSpace(s), "\n") {
		w := strings.Fields(line)
		if len(w) != 7 {
			panic("synth: bad male name line: " + line)
		}
		out = append(out, maleName{ua: w[1], uaPatM: w[2], uaPatF: w[3], ru: w[4], ruPatM: w[5], ruPatF: w[6], tag: w[0][0]})
	}
	return out
}

func parseFemale(s string) []femaleName {
	var out []femaleName
	for _, line := range strings.Split(strings.TrimSpace(s), "\n") {
		w := strings.Fields(line)
		if len(w) != 2 {
			panic("synth: bad female name line: " + line)
		}
		out = append(out, femaleName{ua: w[0], ru: w[1]})
	}
	return out
}

// parseSurnames splits a pool into its entries; buildSurnames reads them.
func parseSurnames(s string) []string { return strings.Fields(s) }

// Surname pools with both forms and feminine forms, built once.
var (
	uaSurnames = buildSurnames(ukrainianSurnames, true)
	ruSurnames = buildSurnames(russianSurnames, false)
)

func buildSurnames(words []string, ukrainian bool) []surname {
	out := make([]surname, 0, len(words))
	for _, w := range words {
		fixed := strings.HasSuffix(w, "!")
		w = strings.TrimSuffix(w, "!")
		native, other, _ := strings.Cut(w, "=")
		var s surname
		if ukrainian {
			s.ua, s.ru = native, other
			if s.ru == "" {
				s.ru = uaToRU(native)
			}
		} else {
			s.ru, s.ua = native, other
			if s.ua == "" {
				s.ua = ruToUA(native)
			}
		}
		s.uaF, s.ruF = s.ua, s.ru
		if !fixed {
			s.uaF = feminineUA(s.ua)
			s.ruF = feminineRU(s.ru)
		}
		out = append(out, s)
	}
	return out
}

// feminineUA gives the feminine form of a Ukrainian masculine surname.
func feminineUA(s string) string {
	switch {
	case strings.HasSuffix(s, "ький"), strings.HasSuffix(s, "ський"):
		return strings.TrimSuffix(s, "ий") + "а"
	case strings.HasSuffix(s, "ий"):
		return strings.TrimSuffix(s, "ий") + "а"
	case hasAnySuffix(s, "ов", "ев", "єв", "ьов", "йов", "ін", "їн"):
		return s + "а"
	case strings.HasSuffix(s, "ин") && !strings.HasSuffix(s, "лин"):
		return s + "а"
	}
	return s
}

// feminineRU gives the feminine form of a Russian masculine surname.
func feminineRU(s string) string {
	switch {
	case strings.HasSuffix(s, "ский"), strings.HasSuffix(s, "цкий"):
		return strings.TrimSuffix(s, "ий") + "ая"
	case hasAnySuffix(s, "кий", "гий", "хий", "жий", "чий", "ший", "щий"):
		return strings.TrimSuffix(s, "ий") + "ая"
	case strings.HasSuffix(s, "ый"), strings.HasSuffix(s, "ой"):
		return strings.TrimSuffix(strings.TrimSuffix(s, "ый"), "ой") + "ая"
	case hasAnySuffix(s, "ов", "ев", "ёв", "ин", "ын"):
		if strings.HasSuffix(s, "лин") {
			return s // Сухомлин, Литвин-like nouns
		}
		return s + "а"
	}
	return s
}

func hasAnySuffix(s string, suffixes ...string) bool {
	for _, x := range suffixes {
		if strings.HasSuffix(s, x) {
			return true
		}
	}
	return false
}

// uaToRU gives the usual Russian form of a Ukrainian surname: і and ї
// become и, є becomes е, ґ becomes г, the apostrophe a soft sign, and the
// adjectival endings -ський/-цький become -ский/-цкий.
func uaToRU(s string) string {
	var b strings.Builder
	rs := []rune(s)
	for i, r := range rs {
		next := rune(0)
		if i+1 < len(rs) {
			next = rs[i+1]
		}
		switch r {
		case 'і':
			b.WriteRune('и')
		case 'І':
			b.WriteRune('И')
		case 'ї':
			b.WriteRune('и')
		case 'Ї':
			b.WriteRune('И')
		case 'є':
			b.WriteRune('е')
		case 'Є':
			b.WriteRune('Е')
		case 'ґ':
			b.WriteRune('г')
		case 'Ґ':
			b.WriteRune('Г')
		case '\'', '’', 'ʼ':
			b.WriteRune('ь')
		case 'ь':
			// Ukrainian -ський, -цький lose the soft sign in Russian, and
			// so does a final -ць (Швець → Швец).
			if next == 'к' && i+2 < len(rs) && rs[i+2] == 'и' {
				continue
			}
			if next == 0 && i > 0 && rs[i-1] == 'ц' {
				continue
			}
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// ruToUA gives a Ukrainian clerk's transcription of a Russian surname:
// И becomes І at the start, и becomes і before a vowel and in a final -ин,
// ы becomes и, э becomes е, ё becomes ьо or йо, ъ an
// apostrophe, and е after a vowel or at the start becomes є.
func ruToUA(s string) string {
	var b strings.Builder
	rs := []rune(s)
	for i, r := range rs {
		prev := rune(0)
		if i > 0 {
			prev = rs[i-1]
		}
		switch r {
		case 'и':
			// і before a vowel and in a final -ин (Дмитрієв, Кузьмін),
			// but и inside the stem (Смирнов, Михайлов) and after
			// hushing consonants (Гришин).
			next := rune(0)
			if i+1 < len(rs) {
				next = rs[i+1]
			}
			finalIn := next == 'н' && i+2 == len(rs)
			if (isVowel(next) || finalIn) && !strings.ContainsRune("жчшщц", prev) {
				b.WriteRune('і')
			} else {
				b.WriteRune('и')
			}
		case 'И':
			b.WriteRune('І')
		case 'ы':
			b.WriteRune('и')
		case 'э':
			b.WriteRune('е')
		case 'Э':
			b.WriteRune('Е')
		case 'ъ':
			b.WriteRune('\'')
		case 'ё':
			switch {
			case prev == 'ь':
				// Соловьёв → Соловйов: the soft sign was already written.
				b.WriteString("о")
			case isVowel(prev):
				b.WriteString("йо")
			case prev == 'ж' || prev == 'ч' || prev == 'ш' || prev == 'щ':
				b.WriteString("о")
			default:
				b.WriteString("ьо")
			}
		case 'ь':
			if i+1 < len(rs) && rs[i+1] == 'ё' {
				b.WriteRune('й')
				continue
			}
			if i+1 < len(rs) && strings.ContainsRune("еюя", rs[i+1]) && !strings.ContainsRune("лнтдсзц", prev) {
				// Григорьев → Григор'єв, Лукьянов → Лук'янов; but Васильєв.
				b.WriteRune('\'')
				continue
			}
			b.WriteRune(r)
		case 'е':
			if isVowel(prev) || prev == 'ь' {
				b.WriteRune('є')
			} else {
				b.WriteRune('е')
			}
		case 'Е':
			b.WriteRune('Є')
		case 'Ё':
			b.WriteString("Йо")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func isVowel(r rune) bool {
	switch r {
	case 'а', 'е', 'ё', 'є', 'и', 'і', 'ї', 'о', 'у', 'ы', 'э', 'ю', 'я',
		'А', 'Е', 'Ё', 'Є', 'И', 'І', 'Ї', 'О', 'У', 'Ы', 'Э', 'Ю', 'Я':
		return true
	}
	return false
}
