package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/handover-project/handover/internal/sqlstore/sqltest"
)

// TestBrowserBacklog: UA's registrar, in Ukrainian, reads the backlog
// across rounds, opens the person requested three times, flags him as
// wounded (a mark and a group), and carries the unresolved into round 4's
// request list from the draft; axe runs on each page.
func TestBrowserBacklog(t *testing.T) {
	chromiumPath(t)
	db := sqltest.Open(t, "sqlite")
	e := newEnv(t, db)
	k, _, exs := backlogRounds(t, e)
	b := newBrowser(t, e.ts.URL)
	b.as(t)
	b.login("ua-reg", "a long enough password")
	b.run("switch to Ukrainian",
		chromedp.SetValue(chromedp.ID("#lang-select"), "uk"),
		chromedp.Click(chromedp.ID("#lang-go")),
		chromedp.WaitVisible(chromedp.CSS(`html[lang="uk"]`)),
	)
	b.run("the backlog",
		chromedp.Navigate(b.base+"/backlog"),
		chromedp.WaitVisible(chromedp.ID("#backlog")),
	)
	if got := b.text("#bl-" + k); !strings.Contains(got, "не утримується ×3") || !strings.Contains(got, "1, 2, 3") {
		t.Errorf("K's row: %q", got)
	}
	b.screenshot("backlog")
	b.axe("backlog")
	b.run("the person",
		chromedp.Click(chromedp.CSS(`a[href="/backlog/`+k+`"]`)),
		chromedp.WaitVisible(chromedp.ID("#backlog-events")),
	)
	if got := b.text("#backlog-events"); strings.Count(got, "не утримується") != 3 {
		t.Errorf("K's history: %q", got)
	}
	b.axe("backlog-person")
	b.run("flag him",
		chromedp.Click(chromedp.ID("#mark-wounded")),
		chromedp.SetValue(chromedp.ID("#f-group"), "Азовсталь"),
		chromedp.Click(chromedp.ID("#flags-save")),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)),
	)
	if got := b.text(".flash"); got != "Позначки збережено." {
		t.Errorf("the flash after saving: %q", got)
	}
	b.run("the saved page shows the mark", chromedp.WaitVisible(chromedp.CSS(`#mark-wounded:checked`)))
	if got := b.value("#f-group"); got != "Азовсталь" {
		t.Errorf("the group after saving: %q", got)
	}
	b.run("round 4's draft, the unresolved carried",
		chromedp.Navigate(b.base+"/exchanges/"+exs[3]+"/lists/request"),
		chromedp.Click(chromedp.ID("#draft-carry")),
		chromedp.WaitVisible(chromedp.CSS(".flash")),
	)
	if got := b.value("#f-add"); !strings.Contains(got, k+" запитано в раундах 1, 2, 3; відповідь «не утримується» ×3") {
		t.Errorf("the add lines: %q", got)
	}
	b.axe("draft-carried")
}
