package web

import (
	"strings"

	"github.com/handover-project/handover/internal/errs"
)

// refusalText says why the domain or the store refused, in the user's
// language: each field error of err through fieldMessage; or, when err has
// none, its message (in English: an error without fields carries no code).
func refusalText(c chrome, err error) string {
	fes := errs.Fields(err)
	if len(fes) == 0 {
		return errs.Message(err)
	}
	parts := make([]string, len(fes))
	for i, fe := range fes {
		parts[i] = fieldMessage(c, fe)
	}
	return strings.Join(parts, " ")
}

// The refusals of the domain (internal/crossing, internal/exchange,
// internal/audit) and of the store, by their field error codes: a page
// shows them through fieldMessage in the user's language. The codes of
// person.Validate and the first store codes are in ui_messages_problems.go.
func init() {
	addMessages(map[string]msg{
		// Shared by several checks.
		"problem.required":          {"Required.", "Обов’язкове.", "Обязательно."},
		"problem.negative":          {"Must not be negative.", "Не може бути від’ємним.", "Не может быть отрицательным."},
		"problem.bad_id":            {"Must be 1–64 letters, digits, '-', '_', '.' or ':'.", "1–64 символи: літери, цифри, «-», «_», «.» або «:».", "1–64 символа: буквы, цифры, «-», «_», «.» или «:»."},
		"problem.one_line":          {"One line without control characters.", "Один рядок без керівних символів.", "Одна строка без управляющих символов."},
		"problem.one_line_required": {"Required: one line without control characters.", "Обов’язкове: один рядок без керівних символів.", "Обязательно: одна строка без управляющих символов."},
		"problem.not_party":         {"%q is not a party.", "«%s» — не сторона.", "«%s» — не сторона."},
		"problem.bad_blocker":       {"Must be pending prosecution, serving a sentence or empty.", "Має бути: кримінальне провадження, відбування покарання або порожньо.", "Должно быть: уголовное преследование, отбывание наказания или пусто."},

		// exchange.Exchange.Validate.
		"problem.party_not_mediator": {"Must be a party code, not %q.", "Має бути код сторони, а не «%s».", "Должен быть код стороны, а не «%s»."},
		"problem.same_parties":       {"An exchange is between two different parties.", "Обмін відбувається між двома різними сторонами.", "Обмен происходит между двумя разными сторонами."},
		"problem.crossing_required":  {"At least one crossing point is required.", "Потрібен принаймні один пункт пропуску.", "Нужен хотя бы один пункт пропуска."},
		"problem.listed_twice":       {"%q is listed twice.", "«%s» вказано двічі.", "«%s» указан дважды."},
		"problem.before_from":        {"Is before the start date.", "Раніше за дату початку.", "Раньше даты начала."},

		// exchange.ListVersion.Validate.
		"problem.bad_list_kind":           {"Must be offer or request.", "Має бути пропозиція або запит.", "Должно быть предложение или запрос."},
		"problem.first_version":           {"The first version is 1, not %s.", "Перша версія — 1, а не %s.", "Первая версия — 1, а не %s."},
		"problem.other_list_version":      {"The previous version belongs to another list.", "Попередня версія належить іншому списку.", "Предыдущая версия относится к другому списку."},
		"problem.next_version":            {"Must be %s, following version %s.", "Має бути %s — після версії %s.", "Должна быть %s — после версии %s."},
		"problem.item_twice":              {"%s is already items[%s].", "%s уже є в списку (items[%s]).", "%s уже есть в списке (items[%s])."},
		"problem.bad_list_category":       {"Must be military, civilian or seriously wounded or sick.", "Має бути: військовий, цивільний або тяжкопоранений чи тяжкохворий.", "Должно быть: военный, гражданский либо тяжелораненый или тяжелобольной."},
		"problem.held_record_request":     {"Only a request names the other side's held record, as a valid id.", "Лише запит називає запис утримуваної особи іншої сторони, і це має бути правильний ідентифікатор.", "Только запрос называет запись удерживаемого другой стороной, и это должен быть правильный идентификатор."},
		"problem.struck_not_removed":      {"%s was not on version %s or is still listed.", "%s не було у версії %s або цю особу досі внесено до списку.", "%s не было в версии %s или этот человек всё ещё в списке."},
		"problem.strike_reason_required":  {"Required: say why the person was struck.", "Обов’язкове: вкажіть, чому особу вилучено.", "Обязательно: укажите, почему человек исключён."},
		"problem.removed_no_reason":       {"%s was on version %s: give a reason for removing it.", "%s був у версії %s: вкажіть причину вилучення.", "%s был в версии %s: укажите причину исключения."},
		"problem.changed_reason_required": {"Required: the item changed since version %s.", "Обов’язкове: запис змінився після версії %s.", "Обязательно: запись изменилась после версии %s."},
		"problem.first_removes_nothing":   {"The first version removes nothing.", "Перша версія нічого не вилучає.", "Первая версия ничего не исключает."},

		// exchange responses to a list.
		"problem.bad_answer":             {"Must be one of: accept, reject, query, not held, not found, refuses exchange, ineligible.", "Має бути одна з відповідей: прийняти, відхилити, уточнити, не утримується, не знайдено, відмовляється від обміну, не відповідає умовам.", "Должен быть один из ответов: принять, отклонить, уточнить, не содержится, не найден, отказывается от обмена, не соответствует условиям."},
		"problem.not_held_request":       {"“Not held” answers a request: the offering party holds the persons it offers.", "«Не утримується» — відповідь на запит: сторона, що пропонує, утримує осіб, яких пропонує.", "«Не содержится» — ответ на запрос: предлагающая сторона удерживает лиц, которых предлагает."},
		"problem.answer_reason_required": {"Required: every answer gives a reason.", "Обов’язкове: кожна відповідь має причину.", "Обязательно: каждый ответ содержит причину."},
		"problem.rule_unknown":           {"An ineligible answer names a rule of the terms; %q is none.", "Відповідь «не відповідає умовам» називає правило умов; «%s» таким не є.", "Ответ «не соответствует условиям» называет правило условий; «%s» им не является."},
		"problem.rule_only_ineligible":   {"Only an ineligible answer names a rule.", "Правило називає лише відповідь «не відповідає умовам».", "Правило называет только ответ «не соответствует условиям»."},
		"problem.blocker_with_reject":    {"A release blocker goes with a reject or ineligible answer.", "Перешкода до звільнення можлива лише з відповіддю «відхилити» або «не відповідає умовам».", "Препятствие к освобождению возможно только с ответом «отклонить» или «не соответствует условиям»."},

		// exchange.StagePlan.Validate.
		"problem.not_agreed":        {"%s is not on %s's agreed list (accepted by the other side).", "%s немає в погодженому списку сторони %s (прийнятому іншою стороною).", "%s нет в согласованном списке стороны %s (принятом другой стороной)."},
		"problem.other_party_list":  {"%s is on %s's list, not %s's.", "%s у списку сторони %s, а не %s.", "%s в списке стороны %s, а не %s."},
		"problem.already_placed":    {"%s is already in %s.", "%s уже є в %s.", "%s уже есть в %s."},
		"problem.stage_required":    {"At least one stage is required.", "Потрібен принаймні один етап.", "Нужен хотя бы один этап."},
		"problem.stage_number":      {"Must be %s: stages are numbered 1, 2, … in order.", "Має бути %s: етапи нумеруються 1, 2, … по порядку.", "Должен быть %s: этапы нумеруются 1, 2, … по порядку."},
		"problem.window_required":   {"A stage needs a window: start and end.", "Етапу потрібне вікно: початок і кінець.", "Этапу нужно окно: начало и конец."},
		"problem.end_before_start":  {"Is before the start.", "Раніше за початок.", "Раньше начала."},
		"problem.not_crossing":      {"%q is not a crossing point of the exchange.", "«%s» — не пункт пропуску цього обміну.", "«%s» — не пункт пропуска этого обмена."},
		"problem.stage_sides":       {"Must have one side for %s, then one for %s.", "Має бути одна сторона для %s, потім одна для %s.", "Должна быть одна сторона для %s, затем одна для %s."},
		"problem.bad_count":         {"%s=%s is not a count of a category.", "%s=%s — не кількість за категорією.", "%s=%s — не количество по категории."},
		"problem.planned_mismatch":  {"Planned %s but the persons make %s.", "Заплановано %s, але осіб — %s.", "Запланировано %s, но лиц — %s."},
		"problem.n_for_n":           {"N for N: %s releases %s but %s releases %s.", "N на N: %s звільняє %s, а %s — %s.", "N на N: %s освобождает %s, а %s — %s."},
		"problem.two_reserves":      {"%s has two reserve lists.", "Сторона %s має два резервні списки.", "У стороны %s два резервных списка."},
		"problem.unstaged":          {"%s of %s's agreed persons are in no stage and not on the reserve list (first: %s).", "Погоджених осіб сторони %[2]s, яких немає ні в етапі, ні в резервному списку: %[1]s (перша: %[3]s).", "Согласованных лиц стороны %[2]s, которых нет ни в этапе, ни в резервном списке: %[1]s (первое: %[3]s)."},
		"problem.total_mismatch":    {"%s releases %s in its stages; the terms say %s.", "%s звільняє на своїх етапах %s; за умовами — %s.", "%s освобождает на своих этапах %s; по условиям — %s."},
		"problem.category_mismatch": {"%s releases %s %s in its stages; the terms say %s.", "%s звільняє на своїх етапах %s (категорія %s); за умовами — %s.", "%s освобождает на своих этапах %s (категория %s); по условиям — %s."},
		"problem.below_floor":       {"%s releases %s in its stages; the terms say at least %s.", "%s звільняє на своїх етапах %s; за умовами — щонайменше %s.", "%s освобождает на своих этапах %s; по условиям — не менее %s."},
		"problem.above_ceiling":     {"%s releases %s in its stages; the terms say at most %s.", "%s звільняє на своїх етапах %s; за умовами — щонайбільше %s.", "%s освобождает на своих этапах %s; по условиям — не более %s."},

		// exchange.Terms.Validate, Evidence.Validate and CheckBreach.
		"problem.floor_numeric":           {"A floor or ceiling belongs to category terms; numeric terms fix the total.", "Мінімум і максимум належать до умов за категоріями; кількісні умови фіксують загальну кількість.", "Минимум и максимум относятся к условиям по категориям; количественные условия фиксируют общее число."},
		"problem.total_category":          {"Category terms have no total; use floor and ceiling.", "Умови за категоріями не мають загальної кількості; задайте мінімум і максимум.", "У условий по категориям нет общего числа; задайте минимум и максимум."},
		"problem.bad_terms_kind":          {"Must be numeric or category terms.", "Умови мають бути кількісні або за категоріями.", "Условия должны быть количественными или по категориям."},
		"problem.ceiling_below_floor":     {"Is below the floor %s.", "Менше за мінімум %s.", "Меньше минимума %s."},
		"problem.rule_required":           {"At least one rule is required: a category without a rule is not part of the exchange.", "Потрібне принаймні одне правило: категорія без правила не бере участі в обміні.", "Нужно хотя бы одно правило: категория без правила не участвует в обмене."},
		"problem.used_twice":              {"%q is used twice.", "«%s» використано двічі.", "«%s» использован дважды."},
		"problem.bad_rule_category":       {"Must be military, civilian or seriously wounded or sick (remains follow their own flow).", "Має бути: військовий, цивільний або тяжкопоранений чи тяжкохворий (тіла загиблих передаються окремо).", "Должно быть: военный, гражданский либо тяжелораненый или тяжелобольной (тела погибших передаются отдельно)."},
		"problem.count_category":          {"Category terms fix no count per category; use all for all, floor and ceiling.", "Умови за категоріями не фіксують кількості для категорії; використайте «всіх на всіх», мінімум і максимум.", "Условия по категориям не фиксируют количество для категории; используйте «всех на всех», минимум и максимум."},
		"problem.all_for_all_category":    {"Belongs to category terms.", "Належить до умов за категоріями.", "Относится к условиям по категориям."},
		"problem.age_range":               {"Ages must lie between 0 and 150.", "Вік має бути від 0 до 150.", "Возраст должен быть от 0 до 150."},
		"problem.max_below_min":           {"Is below the minimum age %s.", "Менше за мінімальний вік %s.", "Меньше минимального возраста %s."},
		"problem.bad_commission_decision": {"Must be A, B or NC.", "Має бути A, B або NC.", "Должно быть A, B или NC."},
		"problem.bad_tier":                {"Must be 1, 2 or 3 (Art. 110(1)).", "Має бути 1, 2 або 3 (ст. 110(1)).", "Должно быть 1, 2 или 3 (ст. 110(1))."},
		"problem.bad_commission_tier":     {"Must be 1, 2 or 3 (Art. 110(1)), or absent.", "Має бути 1, 2 або 3 (ст. 110(1)) чи бути відсутнім.", "Должно быть 1, 2 или 3 (ст. 110(1)) либо отсутствовать."},
		"problem.decisions_sws":           {"Commission decisions and tiers apply to the seriously wounded or sick only.", "Рішення комісії та ступені стосуються лише тяжкопоранених і тяжкохворих.", "Решения комиссии и степени относятся только к тяжелораненым и тяжелобольным."},
		"problem.numeric_total":           {"Numeric terms need a total or a count per category.", "Кількісним умовам потрібна загальна кількість або кількість для кожної категорії.", "Количественным условиям нужно общее число или количество для каждой категории."},
		"problem.counts_exceed":           {"The counts per category (%s) exceed the total %s.", "Кількості за категоріями (%s) перевищують загальну кількість %s.", "Количества по категориям (%s) превышают общее число %s."},
		"problem.counts_short":            {"The counts per category (%s) fall short of the total %s and no category takes the rest.", "Кількості за категоріями (%s) менші за загальну кількість %s, і жодна категорія не бере решту.", "Количества по категориям (%s) меньше общего числа %s, и ни одна категория не берёт остаток."},
		"problem.count_each":              {"Without a total every rule needs a count.", "Без загальної кількості кожному правилу потрібна кількість.", "Без общего числа каждому правилу нужно количество."},
		"problem.category_rule":           {"Category terms need an all-for-all rule or a floor.", "Умовам за категоріями потрібне правило «всіх на всіх» або мінімум.", "Условиям по категориям нужно правило «всех на всех» или минимум."},
		"problem.reference_required":      {"Required: an age band is computed at a stated reference date.", "Обов’язкове: вік обчислюється на вказану дату відліку.", "Обязательно: возраст вычисляется на указанную дату отсчёта."},
		"problem.condition_text":          {"Required: one line of at most %s characters without control characters.", "Обов’язкове: один рядок до %s символів без керівних символів.", "Обязательно: одна строка до %s символов без управляющих символов."},
		"problem.bad_consent_kind":        {"Must be given, withdrawn or refused.", "Має бути: надано, відкликано або відмовлено.", "Должно быть: дано, отозвано или отказано."},
		"problem.consent_order":           {"Before the event it follows: consent events are recorded in date order.", "Раніше за попередню подію: події згоди записуються в порядку дат.", "Раньше предыдущего события: события согласия записываются в порядке дат."},
		"problem.no_condition":            {"No condition %q in the terms.", "В умовах немає пункту «%s».", "В условиях нет пункта «%s»."},
		"problem.breach_party":            {"Required: a breach is a party's claim.", "Обов’язкове: про порушення заявляє сторона.", "Обязательно: о нарушении заявляет сторона."},

		"problem.list_changed":       {"Another version of this list was submitted meanwhile: read it and submit again.", "Тим часом подано іншу версію цього списку: перегляньте її та подайте ще раз.", "Тем временем подана другая версия этого списка: просмотрите её и подайте ещё раз."},
		"problem.list_superseded":    {"Version %s of %s's %s list was superseded: answer the current version.", "Версію %s списку сторони %s (%s) замінено новою: відповідайте на поточну.", "Версия %s списка стороны %s (%s) заменена новой: отвечайте на текущую."},
		"problem.list_not_submitted": {"Version %s of %s's %s list is not submitted.", "Версію %s списку сторони %s (%s) не подано.", "Версия %s списка стороны %s (%s) не подана."},
		"problem.answer_version":     {"The answer is for version %s but the list is at version %s.", "Відповідь стосується версії %s, а список уже у версії %s.", "Ответ относится к версии %s, а список уже в версии %s."},
		"problem.not_on_list":        {"%s is not on version %s of %s's %s list.", "%s немає у версії %s списку сторони %s (%s).", "%s нет в версии %s списка стороны %s (%s)."},

		// The agreement, its signatures and signer keys.
		"problem.not_signature_line":       {"Not a signature line (“— <key name> <base64>”).", "Це не рядок підпису («— <назва ключа> <base64>»).", "Это не строка подписи («— <имя ключа> <base64>»)."},
		"problem.key_not_party":            {"Key %s is registered for %s, which is not a party to exchange %s.", "Ключ %s зареєстровано для %s, але це не сторона обміну %s.", "Ключ %s зарегистрирован для %s, но это не сторона обмена %s."},
		"problem.signature_other_document": {"The signature by %s is not over this document (version %s of %s): it was made over another version or an altered text.", "Підпис %s зроблено не під цим документом (версія %s обміну %s): його зроблено під іншою версією або зміненим текстом.", "Подпись %s сделана не под этим документом (версия %s обмена %s): она сделана под другой версией или изменённым текстом."},
		"problem.wrong_key":                {"Wrong key: the signature named %s is not by the key registered under that name.", "Не той ключ: підпис із назвою %s зроблено не ключем, зареєстрованим під цією назвою.", "Не тот ключ: подпись с именем %s сделана не ключом, зарегистрированным под этим именем."},
		"problem.unregistered_key":         {"The signature is by %s, which is not a registered signer key.", "Підпис зроблено ключем %s, який не зареєстровано як ключ підписанта.", "Подпись сделана ключом %s, который не зарегистрирован как ключ подписанта."},
		"problem.key_other_role":           {"Key %s is registered for %s and cannot sign for %s.", "Ключ %s зареєстровано для %s: ним не можна підписувати за %s.", "Ключ %s зарегистрирован для %s: им нельзя подписывать за %s."},
		"problem.agreement_superseded":     {"Version %s is superseded by version %s: sign the current one.", "Версію %s замінено версією %s: підпишіть поточну.", "Версия %s заменена версией %s: подпишите текущую."},
		"problem.already_signed":           {"%s has signed version %s already.", "%s: версію %s уже підписано.", "%s: версия %s уже подписана."},
		"problem.checkpoint_required":      {"A checkpoint of the log (origin and size) is required.", "Потрібна контрольна точка журналу (джерело й розмір).", "Нужна контрольная точка журнала (источник и размер)."},
		"problem.no_commitment":            {"No commitment for %s.", "Немає геш-зобов’язання для %s.", "Нет хеш-обязательства для %s."},
		"problem.want_role_key":            {"Expected “<role> <verifier key>”.", "Очікується «<роль> <ключ перевірки>».", "Ожидается «<роль> <ключ проверки>»."},
		"problem.not_verifier_key":         {"Not a signed-note verifier key.", "Не ключ перевірки підписаних нотаток (signed note).", "Не ключ проверки подписанных заметок (signed note)."},
		"problem.not_ed25519_key":          {"Not an Ed25519 verifier key (name+hash+base64).", "Не ключ перевірки Ed25519 (ім’я+геш+base64).", "Не ключ проверки Ed25519 (имя+хеш+base64)."},

		// crossing: events of a stage.
		"problem.required_for":               {"Required for %s.", "Обов’язкове для події %s.", "Обязательно для события %s."},
		"problem.bad_event_type":             {"%q is not an event type.", "«%s» — не тип події.", "«%s» — не тип события."},
		"problem.not_side_or_mediator":       {"%q is neither a side of the stage nor the mediator.", "«%s» — не сторона етапу й не посередник.", "«%s» — не сторона этапа и не посредник."},
		"problem.bad_check_method":           {"Must be document, service number, photo or interview.", "Має бути: документ, військовий номер, фото або співбесіда.", "Должно быть: документ, личный номер, фото или собеседование."},
		"problem.bad_health":                 {"Must be one of: good, not wounded, recovered, convalescent, sick, slightly wounded, seriously wounded.", "Має бути одне з: добрий, без поранень, одужав, одужує, хворий, легкопоранений, тяжкопоранений.", "Должно быть одно из: хорошее, без ранений, выздоровел, выздоравливает, болен, легкораненый, тяжелораненый."},
		"problem.not_stage_side":             {"%q is not a side of the stage.", "«%s» — не сторона етапу.", "«%s» — не сторона этапа."},
		"problem.unlisted_category":          {"Must be the category the person is presented as.", "Має бути категорія, до якої особу віднесено при пред’явленні.", "Должна быть категория, к которой человека отнесли при предъявлении."},
		"problem.amendment_side":             {"Only a side of the stage decides an amendment.", "Рішення про зміну ухвалює лише сторона етапу.", "Решение об изменении принимает только сторона этапа."},
		"problem.not_stage_point":            {"%q is not a crossing point of stage %s.", "«%s» — не пункт пропуску етапу %s.", "«%s» — не пункт пропуска этапа %s."},
		"problem.listed_not_unlisted":        {"%q is on %s's list or reserves: record its handover, not an unlisted person.", "«%s» є в списку або резерві сторони %s: запишіть передачу, а не особу поза списком.", "«%s» есть в списке или резерве стороны %s: запишите передачу, а не лицо вне списка."},
		"problem.not_on_stage_list":          {"%q is not on %s's list for stage %s: record an unlisted person presented.", "«%s» немає в списку сторони %s для етапу %s: запишіть пред’явлення особи поза списком.", "«%s» нет в списке стороны %s для этапа %s: запишите предъявление лица вне списка."},
		"problem.reserve_not_listed":         {"%q is a reserve: it crosses only as a substitute for a listed person.", "«%s» — резерв: переходить лише на заміну особи зі списку.", "«%s» — резерв: переходит только на замену лица из списка."},
		"problem.not_on_reserve_list":        {"%q is not on %s's reserve list for stage %s.", "«%s» немає в резервному списку сторони %s для етапу %s.", "«%s» нет в резервном списке стороны %s для этапа %s."},
		"problem.reserve_category":           {"Reserve %q is %s but %q is %s.", "Резерв «%s» має категорію %s, а «%s» — %s.", "Резерв «%s» имеет категорию %s, а «%s» — %s."},
		"problem.not_unlisted_or_objection":  {"%q is not an unlisted person or an objection of this stage.", "«%s» — не особа поза списком і не заперечення цього етапу.", "«%s» — не лицо вне списка и не возражение этого этапа."},
		"problem.stage_over":                 {"Stage %s is %s: nothing more is recorded.", "Етап %s має стан «%s»: більше нічого не записується.", "Этап %s в состоянии «%s»: больше ничего не записывается."},
		"problem.stage_not_open":             {"Stage %s is %s: handovers are recorded only while it is open or closing.", "Етап %s має стан «%s»: передачі записуються лише, поки він відкритий або закривається.", "Этап %s в состоянии «%s»: передачи записываются, только пока он открыт или закрывается."},
		"problem.already_outcome":            {"%q already has the outcome %s (event %q).", "«%s» уже має результат «%s» (подія «%s»).", "«%s» уже имеет результат «%s» (событие «%s»)."},
		"problem.already_replaced":           {"%q was already replaced by reserve %q (event %q).", "«%s» уже замінено резервом «%s» (подія «%s»).", "«%s» уже заменён резервом «%s» (событие «%s»)."},
		"problem.amendment_rejected_already": {"The amendment %q was already rejected by %s.", "Зміну «%s» уже відхилила сторона %s.", "Изменение «%s» уже отклонила сторона %s."},
		"problem.amendment_accepted_already": {"%s already accepted the amendment %q.", "Сторона %s уже прийняла зміну «%s».", "Сторона %s уже приняла изменение «%s»."},
		"problem.not_allowed_in_state":       {"Stage %s is %s: %s is not allowed.", "Етап %s має стан «%s»: подія %s неможлива.", "Этап %s в состоянии «%s»: событие %s невозможно."},
		"problem.cancel_after_handover":      {"Persons have been handed over in this stage: close it with a discrepancy instead of cancelling it.", "На цьому етапі вже передано осіб: закрийте його з розбіжністю замість скасування.", "На этом этапе уже переданы люди: закройте его с расхождением вместо отмены."},
		"problem.may_not_close":              {"Stage %s may not close: %s; the mediator may close it by recording a discrepancy with a reason.", "Етап %s не можна закрити: %s; посередник може закрити його, записавши розбіжність із причиною.", "Этап %s нельзя закрыть: %s; посредник может закрыть его, записав расхождение с причиной."},
		"problem.slip_window":                {"A slip needs a new window that ends after it starts.", "Для перенесення потрібне нове вікно, що закінчується після початку.", "Для переноса нужно новое окно, которое заканчивается после начала."},

		// crossing: the plan of a stage.
		"problem.stage_one_or_more": {"Must be 1 or more.", "Має бути 1 або більше.", "Должно быть 1 или больше."},
		"problem.two_sides":         {"A stage has exactly two releasing sides, got %s.", "Етап має рівно дві сторони, що звільняють; вказано %s.", "У этапа ровно две освобождающие стороны; указано %s."},
		"problem.window_order":      {"Must end after it starts.", "Має закінчуватися після початку.", "Должно заканчиваться после начала."},
		"problem.bad_parity_rule":   {"Unknown parity rule.", "Невідоме правило паритету.", "Неизвестное правило паритета."},
		"problem.not_category":      {"%q is not a category.", "«%s» — не категорія.", "«%s» — не категория."},
		"problem.already_at":        {"%q is already at %s.", "«%s» уже є в %s.", "«%s» уже есть в %s."},
		"problem.plans_but_list":    {"Plans %s but the list has %s.", "Заплановано %s, а в списку %s.", "Запланировано %s, а в списке %s."},
		"problem.n_for_n_counts":    {"N for N needs equal counts: %s plans %s, %s plans %s.", "N на N потребує рівних кількостей: %s планує %s, %s планує %s.", "N на N требует равных количеств: %s планирует %s, %s планирует %s."},

		// crossing: repatriation of remains.
		"problem.two_sides_batch":           {"Sender and receiver must be the two sides.", "Відправник і отримувач мають бути двома сторонами обміну.", "Отправитель и получатель должны быть двумя сторонами обмена."},
		"problem.not_batch":                 {"%q is not a batch of this flow.", "«%s» — не партія цієї репатріації.", "«%s» — не партия этой репатриации."},
		"problem.handback_batch":            {"A hand-back batch returns remains already received: record it as a hand-back.", "Партія повернення повертає вже отримані тіла: запишіть її як повернення.", "Партия возврата возвращает уже полученные тела: запишите её как возврат."},
		"problem.claim_side":                {"Name the side the person belonged to.", "Вкажіть сторону, до якої належала особа.", "Укажите сторону, к которой принадлежал человек."},
		"problem.package_required":          {"Remains are found in at least one package.", "Тіло має бути знайдене принаймні в одному пакунку.", "Тело должно быть найдено хотя бы в одной упаковке."},
		"problem.not_package":               {"%q is not a package of this flow.", "«%s» — не пакунок цієї репатріації.", "«%s» — не упаковка этой репатриации."},
		"problem.remains_not_in_flow":       {"Remains %q are not in this flow.", "Тіла «%s» немає в цій репатріації.", "Тела «%s» нет в этой репатриации."},
		"problem.bad_identification_status": {"Must be preliminary, confirmed or excluded.", "Має бути: попередня, підтверджена або виключена.", "Должно быть: предварительная, подтверждённая или исключённая."},
		"problem.bad_identification_method": {"Must be visual, fingerprints, dental or DNA.", "Має бути: візуально, відбитки пальців, стоматологічні записи або ДНК.", "Должно быть: визуально, отпечатки пальцев, стоматологические записи или ДНК."},
		"problem.confirmation_method":       {"A confirmation needs fingerprints, dental records or DNA; %s gives a preliminary identification.", "Для підтвердження потрібні відбитки пальців, стоматологічні записи або ДНК; метод %s дає лише попередню ідентифікацію.", "Для подтверждения нужны отпечатки пальцев, стоматологические записи или ДНК; метод %s даёт лишь предварительную идентификацию."},
		"problem.identification_side":       {"An identification names the side the person belonged to.", "Ідентифікація називає сторону, до якої належала особа.", "Идентификация называет сторону, к которой принадлежал человек."},
		"problem.remains_required":          {"Name the remains handed back.", "Вкажіть тіла, що повертаються.", "Укажите возвращаемые тела."},
		"problem.not_in_flow":               {"Not in this flow.", "Немає в цій репатріації.", "Нет в этой репатриации."},
		"problem.already_handed_back":       {"Already handed back in batch %q.", "Уже повернуто в партії «%s».", "Уже возвращено в партии «%s»."},
		"problem.not_identified":            {"Not identified: only identified remains are handed back.", "Не ідентифіковано: повертаються лише ідентифіковані тіла.", "Не идентифицировано: возвращаются только идентифицированные тела."},
		"problem.identified_other_side":     {"Identified as belonging to %s, not to %s.", "Ідентифіковано як належне стороні %s, а не %s.", "Идентифицировано как принадлежащее стороне %s, а не %s."},
		"problem.not_received_by":           {"Were not received by %s.", "Сторона %s їх не отримувала.", "Сторона %s их не получала."},
		"problem.required_for_kind":         {"Required for %s.", "Обов’язкове для запису «%s».", "Обязательно для записи «%s»."},
		"problem.bad_remains_kind":          {"Use batch, package, remains, link, identification or hand-back.", "Оберіть: партія, пакунок, тіло, зв’язок, ідентифікація або повернення.", "Выберите: партия, упаковка, тело, связь, идентификация или возврат."},

		"problem.identification_id_used":    {"Identification id %q was already used for a different examination.", "Ідентифікатор «%s» уже використано для іншої експертизи.", "Идентификатор «%s» уже использован для другой экспертизы."},
		"problem.identification_transition": {"Remains %q are %s: they cannot become %s.", "Тіло «%s» має статус «%s»: його не можна змінити на «%s».", "Тело «%s» имеет статус «%s»: его нельзя сменить на «%s»."},
		"problem.remains_handed_back":       {"Remains %q were handed back in batch %q.", "Тіло «%s» повернуто в партії «%s».", "Тело «%s» возвращено в партии «%s»."},
		"problem.batch_exists":              {"Batch %q already exists.", "Партія «%s» уже існує.", "Партия «%s» уже существует."},
		"problem.exists_different":          {"%q already exists with different content.", "«%s» уже існує з іншим вмістом.", "«%s» уже существует с другим содержимым."},

		// crossing: tracing.
		"problem.bad_trace_status":        {"Not a trace status.", "Не статус розшуку.", "Не статус розыска."},
		"problem.stage_required_in_stage": {"Required when the person is in a stage.", "Обов’язкове, коли особа перебуває в етапі.", "Обязательно, когда человек находится в этапе."},
		"problem.search_required":         {"Give a service number or a name.", "Вкажіть військовий номер або ім’я.", "Укажите личный номер или имя."},
		"problem.name_required":           {"Give a name, in any script.", "Вкажіть ім’я — кирилицею чи латиницею.", "Укажите имя — кириллицей или латиницей."},

		// The store: exchanges, users, sessions.
		"problem.unknown_party":      {"Unknown party %s.", "Невідома сторона %s.", "Неизвестная сторона %s."},
		"problem.no_such_party":      {"Unknown party.", "Невідома сторона.", "Неизвестная сторона."},
		"problem.role_needs_party":   {"A %s belongs to a party.", "Користувач із роллю %s має належати до сторони.", "Пользователь с ролью %s должен относиться к стороне."},
		"problem.role_no_party":      {"A %s belongs to no party.", "Користувач із роллю %s не належить до жодної сторони: не вказуйте її.", "Пользователь с ролью %s не относится ни к одной стороне: не указывайте её."},
		"problem.password_too_short": {"The password must have at least %s characters.", "Пароль має містити щонайменше %s символів.", "Пароль должен содержать не менее %s символов."},
		"problem.password_too_long":  {"The password is too long.", "Пароль задовгий.", "Пароль слишком длинный."},
		"problem.bad_lang":           {"Use uk, ru or en.", "Оберіть uk, ru або en.", "Выберите uk, ru или en."},
	})
}
