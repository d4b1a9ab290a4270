package web_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/handover-project/handover/internal/person"
	"github.com/handover-project/handover/internal/sqlstore/sqltest"
)

// TestBrowserImport: a registrar working in Ukrainian uploads a list with
// two bad rows, reads both errors in Ukrainian with their rows, uploads the
// fixed file, confirms the preview and finds the new records in the
// register; then opens the export page. axe runs on the form, the preview
// with errors, the preview to confirm, the result and the export form.
func TestBrowserImport(t *testing.T) {
	chromiumPath(t)
	db := sqltest.Open(t, "sqlite")
	e := newEnv(t, db)
	const pw = "a long enough password"
	bad, err := filepath.Abs(filepath.Join("testdata", "import-errors.csv"))
	if err != nil {
		t.Fatal(err)
	}
	fixed, _ := filepath.Abs(filepath.Join("testdata", "import-fixed.csv"))
	b := newBrowser(t, e.ts.URL)

	t.Run("registrar imports a file and fixes an error", func(t *testing.T) {
		b.as(t)
		b.login("ua-reg", pw)
		b.run("switch to Ukrainian",
			chromedp.SetValue(chromedp.ID("#lang-select"), "uk"),
			chromedp.Click(chromedp.ID("#lang-go")),
			chromedp.WaitVisible(chromedp.CSS(`html[lang="uk"]`)),
		)
		b.run("open the import page from the menu",
			chromedp.Click(chromedp.CSS(`header nav a[href="/import"]`)),
			chromedp.WaitVisible(chromedp.ID("#f-file")),
		)
		if got := b.text("main h1"); got != "Імпорт списку" {
			t.Errorf("heading %q", got)
		}
		b.screenshot("import")
		b.axe("import")

		b.run("upload the file with errors",
			chromedp.SetUploadFiles(chromedp.ID("#f-file"), []string{bad}),
			chromedp.Click(chromedp.ID("#check-file")),
			chromedp.WaitVisible(chromedp.ID("#import-errors")),
		)
		errs := b.text("#import-errors tbody")
		for _, want := range []string{"31.02.1991", "Такої дати не існує", "генерал", "Не категорія"} {
			if !strings.Contains(errs, want) {
				t.Errorf("the errors do not show %q:\n%s", want, errs)
			}
		}
		rows, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("#import-errors tbody tr td:nth-child(2)")].map(td => td.textContent.trim())`))
		if err != nil || strings.Join(rows, ",") != "4,6" {
			t.Errorf("error rows %q (%v), want 4,6", rows, err)
		}
		if got := b.text("#form-message"); !strings.Contains(got, "не можна імпортувати") {
			t.Errorf("message %q", got)
		}
		n, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](`document.querySelectorAll("#confirm-import").length`))
		if err != nil || n != 0 {
			t.Errorf("a preview with errors offers a confirmation (%d, %v)", n, err)
		}
		b.screenshot("import-errors")
		b.axe("import-errors")

		b.run("upload the fixed file",
			chromedp.SetUploadFiles(chromedp.ID("#f-file"), []string{fixed}),
			chromedp.Click(chromedp.ID("#check-file")),
			chromedp.WaitVisible(chromedp.ID("#confirm-import")),
		)
		if got := b.text("#count-new"); got != "4" {
			t.Errorf("new records %q, want 4", got)
		}
		sample := b.text("#import-sample")
		for _, want := range []string{"Коваль Олег Іванович", "28.02.1991", "Шевчук Андрій Олегович"} {
			if !strings.Contains(sample, want) {
				t.Errorf("the preview does not show %q:\n%s", want, sample)
			}
		}
		b.screenshot("import-preview")
		b.axe("import-preview")

		b.run("confirm", chromedp.Click(chromedp.ID("#confirm-import")), chromedp.WaitVisible(chromedp.ID("#import-done")))
		if got := b.text("#import-done"); !strings.Contains(got, "4 записи") {
			t.Errorf("result %q", got)
		}
		b.screenshot("import-done")
		b.axe("import-done")

		b.run("open the register",
			chromedp.Click(chromedp.ID("#open-register")),
			chromedp.WaitVisible(chromedp.Search(`//tbody//a[contains(., "Шевчук")]`)),
		)
		table := b.text("#results")
		for _, want := range []string{"Бондаренко Іван Петрович", "Коваль Олег Іванович", "Мельник Петро", "Шевчук Андрій Олегович"} {
			if !strings.Contains(table, want) {
				t.Errorf("the register does not list %q", want)
			}
		}
		b.run("export page", chromedp.Navigate(b.base+"/export"), chromedp.WaitVisible(chromedp.ID("#export-download")))
		b.screenshot("export")
		b.axe("export")
		b.logout()
	})
	if names := registerNames(t, db, "ua-reg", "UA", person.Held); len(names) != 4 {
		t.Errorf("the register holds %d records, want 4: %v", len(names), names)
	}
}
