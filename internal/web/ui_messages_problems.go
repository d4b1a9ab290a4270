package web

import (
	"github.com/handover-project/handover/internal/errs"
)

// fieldMessage is a field error in the user's language: its code's
// message with its arguments when the catalog has "problem.<code>", else
// the English message the error carries. TestProblemsTranslated fails for
// a code in the source without a message here.
func fieldMessage(c chrome, fe errs.FieldError) string {
	if fe.Code != "" {
		if _, ok := messages["problem."+fe.Code]; ok {
			args := make([]any, len(fe.Args))
			for i, a := range fe.Args {
				args[i] = a
			}
			return c.T("problem."+fe.Code, args...)
		}
	}
	return fe.Message
}

func init() {
	addMessages(map[string]msg{
		// person.Validate (person.Problems).
		"problem.kind_required":        {"Required: held or sought.", "Обов’язкове: утримувані чи розшукувані.", "Обязательно: удерживаемые или разыскиваемые."},
		"problem.bad_kind":             {"%q is not a register: use held or sought.", "«%s» — не реєстр: утримувані чи розшукувані.", "«%s» — не реестр: удерживаемые или разыскиваемые."},
		"problem.category_required":    {"Required: one of %s.", "Обов’язкове: одна з категорій %s.", "Обязательно: одна из категорий %s."},
		"problem.bad_category":         {"%q is not a category: use one of %s.", "«%s» — не категорія: одна з %s.", "«%s» — не категория: одна из %s."},
		"problem.bad_status":           {"%q is not a status.", "«%s» — не статус.", "«%s» — не статус."},
		"problem.bad_sex":              {"%q is not a sex: choose male or female, or leave it empty.", "«%s» — не стать: оберіть чоловіча чи жіноча або залиште порожнім.", "«%s» — не пол: выберите мужской или женский либо оставьте пустым."},
		"problem.surname_required":     {"Required, unless a full name is given or the identity is marked as not established.", "Обов’язкове, якщо не вказано повного імені й особу не позначено як невстановлену.", "Обязательно, если не указано полное имя и личность не отмечена как неустановленная."},
		"problem.marks_required":       {"Describe distinguishing marks when neither the identity nor a name is known.", "Опишіть особливі прикмети, коли не відомі ні особа, ні ім’я.", "Опишите особые приметы, когда не известны ни личность, ни имя."},
		"problem.too_long":             {"Too long: %s characters, at most %s.", "Задовго: символів — %s, дозволено щонайбільше %s.", "Слишком длинно: символов — %s, допускается не более %s."},
		"problem.not_utf8":             {"Not valid text (a broken encoding).", "Некоректний текст (пошкоджене кодування).", "Некорректный текст (повреждённая кодировка)."},
		"problem.control_char":         {"An invisible control character at position %s: type the text again.", "Невидимий керівний символ у позиції %s: введіть текст заново.", "Невидимый управляющий символ в позиции %s: введите текст заново."},
		"problem.too_many_latin":       {"Too many Latin spellings: %s, at most %s.", "Забагато латинських написань: %s, щонайбільше %s.", "Слишком много латинских написаний: %s, не более %s."},
		"problem.year_range":           {"Year %s is out of range.", "Рік %s поза допустимими межами.", "Год %s вне допустимых пределов."},
		"problem.no_month":             {"Month %s does not exist.", "Місяця %s не існує.", "Месяца %s не существует."},
		"problem.day_without_month":    {"A day without a month: give the month too.", "День без місяця: вкажіть і місяць.", "День без месяца: укажите и месяц."},
		"problem.no_day":               {"Day %s does not exist in %s.", "Дня %s немає в %s.", "Дня %s нет в %s."},
		"problem.future":               {"%s is in the future.", "%s — дата в майбутньому.", "%s — дата в будущем."},
		"problem.too_early":            {"%s is implausibly early (before 1900).", "%s — неправдоподібно рання дата (до 1900 року).", "%s — неправдоподобно ранняя дата (до 1900 года)."},
		"problem.capture_before_birth": {"%s is before the birth date %s.", "%s — раніше за дату народження %s.", "%s — раньше даты рождения %s."},
		"problem.code_char":            {"%q is not plausible: unexpected character %q.", "«%s» неправдоподібне: неочікуваний символ «%s».", "«%s» неправдоподобно: неожиданный символ «%s»."},
		"problem.code_no_digits":       {"%q is not plausible: a service number has digits.", "«%s» неправдоподібний: у військовому номері є цифри.", "«%s» неправдоподобен: в личном номере есть цифры."},
		"problem.code_too_short":       {"%q is not plausible: too short.", "«%s» неправдоподібний: закороткий.", "«%s» неправдоподобен: слишком короткий."},
		"problem.held_disappearance":   {"A held record has a capture date, not a disappearance.", "Запис про утримувану особу має дату полонення, а не зникнення.", "Запись об удерживаемом имеет дату пленения, а не исчезновения."},
		"problem.sought_capture":       {"A sought record carries capture details only with the status prisoner of war.", "Запис про розшукувану особу містить дані про полонення лише зі статусом «військовополонений».", "Запись о разыскиваемом содержит данные о пленении только со статусом «военнопленный»."},

		// The store.
		"problem.kind_change":            {"This record is %s and cannot become %s: create a new record instead.", "Цей запис — %s і не може стати %s: створіть новий запис.", "Эта запись — %s и не может стать %s: создайте новую запись."},
		"problem.not_own_record":         {"Record %s is not in %s's registers.", "Запису %s немає в реєстрах сторони %s.", "Записи %s нет в реестрах стороны %s."},
		"problem.wrong_register_offer":   {"Record %s is not a held person: an offer lists held persons.", "Запис %s — не утримувана особа: пропозиція містить утримуваних.", "Запись %s — не удерживаемый: предложение содержит удерживаемых."},
		"problem.wrong_register_request": {"Record %s is not a sought person: a request lists sought persons.", "Запис %s — не розшукувана особа: запит містить розшукуваних.", "Запись %s — не разыскиваемый: запрос содержит разыскиваемых."},
		"problem.bad_decision":           {"Confirm, reject or undo.", "Підтвердьте, відхиліть або скасуйте.", "Подтвердите, отклоните или отмените."},
		"problem.reason_required":        {"Required: say why.", "Обов’язкове: вкажіть причину.", "Обязательно: укажите причину."},
		"problem.reason_too_long":        {"Too long: at most %s characters.", "Задовго: щонайбільше %s символів.", "Слишком длинно: не более %s символов."},
		"problem.bad_login":              {"2–64 characters: lower-case letters, digits, '.', '_' or '-', starting with a letter or digit.", "2–64 символи: малі латинські літери, цифри, «.», «_» або «-», на початку літера чи цифра.", "2–64 символа: строчные латинские буквы, цифры, «.», «_» или «-», в начале буква или цифра."},
		"problem.bad_category_filter":    {"%q is not a category.", "«%s» — не категорія.", "«%s» — не категория."},
		"problem.bad_cursor":             {"Not a page this server gave: start from the first page.", "Цю сторінку видав не цей сервер: почніть із першої.", "Эту страницу выдал не этот сервер: начните с первой."},
		"problem.bad_limit":              {"Between 1 and 1000.", "Від 1 до 1000.", "От 1 до 1000."},
		"problem.search_too_long":        {"At most %s characters.", "Щонайбільше %s символів.", "Не более %s символов."},
		"problem.bad_stage_number":       {"A stage number is 1 or more.", "Номер етапу — 1 або більше.", "Номер этапа — 1 или больше."},
		"problem.bad_role":               {"%q is not a role.", "«%s» — не роль.", "«%s» — не роль."},
	})
}
