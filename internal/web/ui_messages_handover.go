package web

// Messages of the two-sided handover (docs/design/crossing.md, "Two-sided
// handover"): what each side's officer records, the disagreements between
// their records, and the refusals of the crossing engine by code.

func init() {
	addMessages(map[string]msg{
		// The officer's card: each side's record, the officer's own half.
		"stage.act.side":               {"%s releases:", "%s звільняє:", "%s освобождает:"},
		"stage.act.recv":               {"%s receives:", "%s приймає:", "%s принимает:"},
		"stage.act.obs":                {"observer:", "спостерігач:", "наблюдатель:"},
		"act.released":                 {"released", "звільнено", "освобождён"},
		"act.refused":                  {"refused", "відмовився", "отказался"},
		"act.not_presented":            {"not presented", "не представлено", "не представлен"},
		"act.substituted_by":           {"replaced by a reserve", "замінено резервом", "заменён резервом"},
		"act.received":                 {"received", "прийнято", "принят"},
		"act.identity_mismatch":        {"identity mismatch", "особа не збігається", "личность не совпадает"},
		"act.disputed":                 {"disputed", "оскаржено", "оспорено"},
		"act.observed_handover":        {"saw the crossing", "бачив перехід", "видел переход"},
		"act.observed_refusal":         {"witnessed the refusal", "засвідчив відмову", "засвидетельствовал отказ"},
		"stage.releasedbtn":            {"Released to %s", "Звільнено: передано %s", "Освобождён: передан %s"},
		"stage.receivedbtn":            {"Received from %s", "Прийнято від %s", "Принят от %s"},
		"stage.observedhandover":       {"Confirm: crossed", "Підтвердити: перейшов", "Подтвердить: перешёл"},
		"stage.observedrefusal":        {"Confirm: refused", "Підтвердити: відмовився", "Подтвердить: отказался"},
		"stage.disputereason":          {"What we dispute in %s's record", "Що ми оскаржуємо в записі сторони %s", "Что мы оспариваем в записи стороны %s"},
		"stage.disputebtn":             {"Dispute their record", "Оскаржити їхній запис", "Оспорить их запись"},
		"stage.retractreason":          {"Why we retract our record “%s”", "Чому ми відкликаємо наш запис «%s»", "Почему мы отзываем нашу запись «%s»"},
		"stage.retract":                {"Retract", "Відкликати", "Отозвать"},
		"stage.err.disputereason":      {"Say what your side disputes.", "Вкажіть, що оскаржує ваша сторона.", "Укажите, что оспаривает ваша сторона."},
		"stage.err.retractreason":      {"Say why your side retracts its record.", "Вкажіть, чому ваша сторона відкликає свій запис.", "Укажите, почему ваша сторона отзывает свою запись."},
		"stage.done.released":          {"Recorded: %s released; the receiving side records the receipt.", "Записано: %s звільнено; сторона, що приймає, записує прийняття.", "Записано: %s освобождён; принимающая сторона записывает приём."},
		"stage.done.received":          {"Recorded: %s received.", "Записано: %s прийнято.", "Записано: %s принят."},
		"stage.done.observed_handover": {"Recorded: you saw %s cross.", "Записано: ви бачили, як %s перейшов.", "Записано: вы видели, как %s перешёл."},
		"stage.done.observed_refusal":  {"Recorded: you witnessed the refusal of %s.", "Записано: ви засвідчили відмову %s.", "Записано: вы засвидетельствовали отказ %s."},
		"stage.done.disputed":          {"Recorded: your side disputes the record of %s.", "Записано: ваша сторона оскаржує запис про %s.", "Записано: ваша сторона оспаривает запись о %s."},
		"stage.done.retracted":         {"Recorded: your side retracted its record of %s.", "Записано: ваша сторона відкликала свій запис про %s.", "Записано: ваша сторона отозвала свою запись о %s."},
		"parity.disagreements":         {"Disagree", "Розбіжності", "Расхождения"},

		// Where a person stands while the records do not agree.
		"outcome.released":    {"released, receipt not recorded", "звільнено, прийняття не записано", "освобождён, приём не записан"},
		"outcome.received":    {"received, release not recorded", "прийнято, звільнення не записано", "принят, освобождение не записано"},
		"outcome.unconfirmed": {"awaiting the observer", "чекає на спостерігача", "ждёт наблюдателя"},
		"outcome.disputed":    {"records disagree", "записи розходяться", "записи расходятся"},

		// Disagreements: %[1]s is the releasing side, %[2]s the receiving one.
		"flag.disagreement":                      {"disagreement", "розбіжність", "расхождение"},
		"disagree.release_without_receipt":       {"%[1]s released the person; %[2]s has not recorded the receipt.", "%[1]s звільнила особу; %[2]s не записала прийняття.", "%[1]s освободила лицо; %[2]s не записала приём."},
		"disagree.receipt_without_release":       {"%[2]s received the person; %[1]s has not recorded the release.", "%[2]s прийняла особу; %[1]s не записала звільнення.", "%[2]s приняла лицо; %[1]s не записала освобождение."},
		"disagree.observer_confirmation_missing": {"%[1]s and %[2]s agree; the terms require the mediator's observer to confirm, and it has not yet.", "%[1]s і %[2]s згодні; умови вимагають підтвердження спостерігача посередника, а його ще немає.", "%[1]s и %[2]s согласны; условия требуют подтверждения наблюдателя посредника, а его ещё нет."},
		"disagree.observation_without_release":   {"The mediator's observer recorded the person; neither %[1]s nor %[2]s has.", "Спостерігач посередника записав особу; ні %[1]s, ні %[2]s ще нічого не записали.", "Наблюдатель посредника записал лицо; ни %[1]s, ни %[2]s ещё ничего не записали."},
		"disagree.received_but_refused":          {"%[2]s received the person; %[1]s says the person refused.", "%[2]s прийняла особу; %[1]s каже, що особа відмовилася.", "%[2]s приняла лицо; %[1]s говорит, что лицо отказалось."},
		"disagree.received_but_not_presented":    {"%[2]s received the person; %[1]s says it did not bring the person.", "%[2]s прийняла особу; %[1]s каже, що не привозила особу.", "%[2]s приняла лицо; %[1]s говорит, что не привозила лицо."},
		"disagree.received_but_replaced":         {"%[2]s received the person; %[1]s says a reserve crossed in their place.", "%[2]s прийняла особу; %[1]s каже, що замість неї перейшов резерв.", "%[2]s приняла лицо; %[1]s говорит, что вместо него перешёл резерв."},
		"disagree.observer_differs":              {"The mediator's observer saw otherwise than %[1]s or %[2]s recorded.", "Спостерігач посередника бачив інакше, ніж записали %[1]s або %[2]s.", "Наблюдатель посредника видел иначе, чем записали %[1]s или %[2]s."},
		"disagree.disputed":                      {"%[2]s disputes the record of %[1]s.", "%[2]s оскаржує запис сторони %[1]s.", "%[2]s оспаривает запись стороны %[1]s."},

		// The crossing engine's refusals, by code.
		"problem.release_by_releasing_side":  {"%s may not record %s for a person %s releases: only %[3]s's officers record what it releases.", "%s не може записати %s щодо особи, яку звільняє %s: це записують лише офіцери сторони %[3]s.", "%s не может записать %s о лице, которое освобождает %s: это записывают только офицеры стороны %[3]s."},
		"problem.receipt_by_receiving_side":  {"%s may not record %s for a person %s releases: only %s's officers record what it receives.", "%s не може записати %s щодо особи, яку звільняє %s: прийняття записують лише офіцери сторони %s.", "%s не может записать %s о лице, которое освобождает %s: приём записывают только офицеры стороны %s."},
		"problem.observation_by_mediator":    {"%s may not record %s: only the mediator's observer records what it observed.", "%s не може записати %s: це записує лише спостерігач посередника.", "%s не может записать %s: это записывает только наблюдатель посредника."},
		"problem.unlisted_by_releasing_side": {"%s may not record a person %s presents: only %[2]s's officers or the mediator's observer.", "%s не може записати особу, яку представляє %s: лише офіцери сторони %[2]s або спостерігач посередника.", "%s не может записать лицо, которое представляет %s: только офицеры стороны %[2]s или наблюдатель посредника."},
		"problem.not_account":                {"%q is not an account: choose a checkpoint officer.", "«%s» — не обліковий запис: оберіть офіцера пункту пропуску.", "«%s» — не учётная запись: выберите офицера пункта пропуска."},
		"problem.receiver_not_officer":       {"%s is not a checkpoint officer of %s, the receiving side.", "%s — не офіцер пункту пропуску сторони %s, що приймає.", "%s — не офицер пункта пропуска стороны %s, которая принимает."},
		"problem.observer_not_mediator":      {"%s is not one of the mediator's checkpoint officers.", "%s — не офіцер пункту пропуску посередника.", "%s — не офицер пункта пропуска посредника."},
		"problem.two_sided_handover":         {"A handover is recorded in two halves: the releasing side records “released”, the receiving side “received”.", "Передача записується двома половинами: сторона, що звільняє, записує «звільнено», сторона, що приймає, — «прийнято».", "Передача записывается двумя половинами: освобождающая сторона записывает «освобождён», принимающая — «принят»."},
		"problem.objection_on_receipt":       {"An objection is the receiving side's, recorded with its receipt.", "Заперечення подає сторона, що приймає, разом із прийняттям.", "Возражение подаёт принимающая сторона вместе с приёмом."},
		"problem.already_recorded":           {"%s already recorded %s for %q (event %q): retract it first.", "%s уже записала %s щодо «%s» (подія «%s»): спершу відкличте цей запис.", "%s уже записала %s о «%s» (событие «%s»): сначала отзовите эту запись."},
		"problem.no_refusal":                 {"%q has no refusal to withdraw (outcome %s).", "«%s» не має відмови, яку можна відкликати (результат %s).", "У «%s» нет отказа, который можно отозвать (результат %s)."},
		"problem.no_reserves_in_terms":       {"The terms of this exchange allow no substitution from reserves.", "Умови цього обміну не дозволяють заміни з резерву.", "Условия этого обмена не допускают замены из резерва."},
		"problem.reserve_used":               {"Reserve %q was already used in place of %q.", "Резерв «%s» уже використано замість «%s».", "Резерв «%s» уже использован вместо «%s»."},
		"problem.not_stage_event":            {"%q is not an event of this stage.", "«%s» — не подія цього етапу.", "«%s» — не событие этого этапа."},
		"problem.retract_own":                {"%s may not retract %q: only %s, who recorded it, may.", "%s не може відкликати «%s»: це може лише %s, яка його записала.", "%s не может отозвать «%s»: это может только %s, которая его записала."},
		"problem.not_standing":               {"%q no longer stands: it was retracted, withdrawn or followed by a receipt.", "«%s» уже не чинний: його відкликано або за ним записано прийняття.", "«%s» уже не действует: его отозвали или за ним записан приём."},
		"problem.not_retractable":            {"%q is a %s, which is not retracted: the mediator may record a discrepancy.", "«%s» — це %s, його не відкликають: посередник може записати розбіжність.", "«%s» — это %s, его не отзывают: посредник может записать расхождение."},
		"problem.replaced_release_stands":    {"%q was already replaced by reserve %q: the release stands.", "«%s» уже замінено резервом «%s»: звільнення чинне.", "«%s» уже заменён резервом «%s»: освобождение действует."},
		"problem.refusal_witness":            {"Choose the mediator's observer who witnessed the refusal (Receiver, observer, check).", "Оберіть спостерігача посередника, який засвідчив відмову («Приймальник, спостерігач, перевірка»).", "Выберите наблюдателя посредника, который засвидетельствовал отказ («Принимающий, наблюдатель, проверка»)."},
	})
}
