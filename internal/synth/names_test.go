package synth

import "testing"

func TestTranscription(t *testing.T) {
	tests := []struct {
		name string
		f    func(string) string
		in   string
		want string
	}{
		{"uaToRU", uaToRU, "Лозинський", "Лозинский"},
		{"uaToRU", uaToRU, "Савицький", "Савицкий"},
		{"uaToRU", uaToRU, "Швець", "Швец"},
		{"uaToRU", uaToRU, "Лук'яненко", "Лукьяненко"},
		{"uaToRU", uaToRU, "Коломієць", "Коломиец"},
		{"uaToRU", uaToRU, "Ковальчук", "Ковальчук"},
		{"uaToRU", uaToRU, "Сергієнко", "Сергиенко"},
		{"ruToUA", ruToUA, "Соловьёв", "Соловйов"},
		{"ruToUA", ruToUA, "Григорьев", "Григор'єв"},
		{"ruToUA", ruToUA, "Васильев", "Васильєв"},
		{"ruToUA", ruToUA, "Иванов", "Іванов"},
		{"ruToUA", ruToUA, "Смирнов", "Смирнов"},
		{"ruToUA", ruToUA, "Кузьмин", "Кузьмін"},
		{"ruToUA", ruToUA, "Гришин", "Гришин"},
		{"ruToUA", ruToUA, "Дмитриев", "Дмитрієв"},
		{"ruToUA", ruToUA, "Королёв", "Корольов"},
		{"ruToUA", ruToUA, "Быков", "Биков"},
		{"ruToUA", ruToUA, "Лукьянов", "Лук'янов"},
		{"feminineUA", feminineUA, "Лозинський", "Лозинська"},
		{"feminineUA", feminineUA, "Іванов", "Іванова"},
		{"feminineUA", feminineUA, "Соловйов", "Соловйова"},
		{"feminineUA", feminineUA, "Кузьмін", "Кузьміна"},
		{"feminineUA", feminineUA, "Осадчий", "Осадча"},
		{"feminineUA", feminineUA, "Шевченко", "Шевченко"},
		{"feminineUA", feminineUA, "Ковальчук", "Ковальчук"},
		{"feminineRU", feminineRU, "Лозинский", "Лозинская"},
		{"feminineRU", feminineRU, "Осадчий", "Осадчая"},
		{"feminineRU", feminineRU, "Белый", "Белая"},
		{"feminineRU", feminineRU, "Соловьёв", "Соловьёва"},
		{"feminineRU", feminineRU, "Никитин", "Никитина"},
		{"feminineRU", feminineRU, "Кравчук", "Кравчук"},
	}
	for _, tc := range tests {
		t.Run(tc.name+"/"+tc.in, func(t *testing.T) {
			if got := tc.f(tc.in); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestSurnameOverrides(t *testing.T) {
	want := map[string]string{
		"Олійник": "Олейник", "Білий": "Белый", "Рибак": "Рыбак", "Бондар": "Бондарь",
		"Лисенко": "Лысенко", "Чорний": "Черный", "Литвин": "Литвин",
	}
	for _, s := range uaSurnames {
		if w, ok := want[s.ua]; ok && s.ru != w {
			t.Errorf("%s: got %q, want %q", s.ua, s.ru, w)
		}
		if s.ua == "Литвин" && s.uaF != "Литвин" {
			t.Errorf("Литвин: feminine %q, want unchanged", s.uaF)
		}
	}
}

func TestPools(t *testing.T) {
	if n := len(uaSurnames); n < 150 {
		t.Errorf("%d Ukrainian surnames, want at least 150", n)
	}
	if n := len(ruSurnames); n < 150 {
		t.Errorf("%d Russian surnames, want at least 150", n)
	}
	if n := len(maleNames); n < 60 {
		t.Errorf("%d male given names, want at least 60", n)
	}
	seen := map[string]bool{}
	for _, s := range append(append([]surname(nil), uaSurnames...), ruSurnames...) {
		if seen[s.ua+"/"+s.ru] {
			t.Errorf("duplicate surname %s/%s", s.ua, s.ru)
		}
		seen[s.ua+"/"+s.ru] = true
	}
}

func TestTransliterate(t *testing.T) {
	tests := []struct {
		in      string
		ua, old bool
		want    string
	}{
		{"Ковальчук Олександр", true, false, "Kovalchuk Oleksandr"},
		{"Юрій Гаврилюк", true, false, "Yurii Havryliuk"},
		{"Євген Згурський", true, false, "Yevhen Zghurskyi"},
		{"Їжакевич Ярослав", true, false, "Yizhakevych Yaroslav"},
		{"Лук'яненко", true, false, "Lukianenko"},
		{"ШЕВЧЕНКО ТАРАС", true, false, "SHEVCHENKO TARAS"},
		{"Щербак", true, false, "Shcherbak"},
		{"Сергій Андрійович Гаврилюк", true, true, "Serhiy Andriyovych Havrylyuk"},
		{"Юрій Миколайович", true, true, "Yuriy Mykolayovych"},
		{"Александр Ковальчук", false, false, "Aleksandr Kovalchuk"},
		{"Юрий Соловьёв", false, false, "Iurii Solovev"},
		{"Юрий Соловьёв", false, true, "Yuriy Solovyov"},
		{"Дарья Яковлева", false, false, "Daria Iakovleva"},
	}
	for _, tc := range tests {
		if got := transliterate(tc.in, tc.ua, tc.old); got != tc.want {
			t.Errorf("transliterate(%q, ua=%v, old=%v): got %q, want %q", tc.in, tc.ua, tc.old, got, tc.want)
		}
	}
}
