package web

import (
	"strings"

	"github.com/handover-project/handover/internal/crossing"
)

// Messages of what was signed is what crosses (a person as frozen in the
// agreement, held back when the record changed after signing) and of
// withheld persons at the crossing (docs/design/crossing.md).

func init() {
	addMessages(map[string]msg{
		"flag." + crossing.FlagCorrected: {"record corrected after signing", "запис виправлено після підписання", "запись исправлена после подписания"},
		"stage.corrected": {"Record corrected after signing (%s): shown as signed; does not count until an amendment of the agreement is signed.",
			"Запис виправлено після підписання (%s): показано як підписано; не зараховується, доки не підписано зміну угоди.",
			"Запись исправлена после подписания (%s): показана как подписано; не засчитывается, пока не подписано изменение соглашения."},
		"stage.undisclosed": {"fields not disclosed", "поля не розкрито", "поля не раскрыты"},
		"stage.assigned":    {"as signed: record version %d", "як підписано: версія запису %d", "как подписано: версия записи %d"},
		"stage.amendedin":   {"as amended in agreement version %d", "як змінено у версії угоди %d", "как изменено в версии соглашения %d"},
		"stage.withheld": {"Withheld by the releasing party (transmission detrimental, GC III Art. 123): check the person with its officer and the mediator's observer.",
			"Приховано стороною, що звільняє (передання шкідливе, ЖК III ст. 123): перевірте особу з її офіцером і спостерігачем посередника.",
			"Скрыто освобождающей стороной (передача вредна, ЖК III ст. 123): проверьте лицо с её офицером и наблюдателем посредника."},
		"stage.held": {"Held back (record corrected after signing): %d. They count once an amendment of the agreement is signed, or a reserve crosses in their place.",
			"Утримано (запис виправлено після підписання): %d. Зараховуються, щойно підписано зміну угоди або замість них перейде резерв.",
			"Задержано (запись исправлена после подписания): %d. Засчитываются, как только подписано изменение соглашения или вместо них перейдёт резерв."},
		"stage.amendments": {"Persons as frozen by the amendments: agreement version %s.", "Особи як зафіксовано змінами: версія угоди %s.", "Лица как зафиксировано изменениями: версия соглашения %s."},
		"stages.held":      {"Held back", "Утримано", "Задержано"},

		"problem.commitment_mismatch": {"Record %s does not match the commitment agreement version %s holds: the database was changed. Run the log audit.",
			"Запис %s не відповідає зобов’язанню (commitment) у версії угоди %s: базу даних змінено. Запустіть аудит журналу.",
			"Запись %s не соответствует обязательству (commitment) в версии соглашения %s: база данных изменена. Запустите аудит журнала."},
		"problem.hold_not_listed": {"%s is not on %s's list or reserves.", "%s немає в списку чи резерві сторони %s.", "%s нет в списке или резерве стороны %s."},
	})
}

// changedFields names the identity fields of a hold reason or a Changed
// list in the user's language.
func (c chrome) changedFields(fields []string) string {
	out := make([]string, 0, len(fields))
	for _, f := range fields {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		key := "field." + f
		if f == "undisclosed" {
			key = "stage.undisclosed"
		}
		out = append(out, c.T(key))
	}
	return strings.Join(out, ", ")
}
