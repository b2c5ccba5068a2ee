package console_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/layersrank/qbank/console"
	"github.com/layersrank/qbank/internal/testserver"
	"github.com/layersrank/qbank/server"
)

const (
	admin  = testserver.AdminToken
	reader = testserver.ReaderToken
)

// markupText is a question whose text is markup: it must show literally.
const markupText = `Explain what <script>window.__pwned = 1</script> and <b>bold</b> & <img src=x onerror="window.__pwned = 2"> do in a page.`

// TestConsole walks through every screen in a real browser against a real
// server (SQLite store), as an admin and as a reader. Subtests run in order
// on one server: later ones build on earlier ones' writes.
func TestConsole(t *testing.T) {
	b := startBrowser(t)
	start := time.Now()
	srv := testserver.Start(t, server.Config{DataDir: t.TempDir()})
	call := func(token, method, path string, body any) (int, map[string]any) {
		return apiJSON(t, srv.Client, srv.Base, token, method, path, body)
	}
	question := func(id string) map[string]any {
		code, q := call(reader, "GET", "/v1/questions/"+id, nil)
		if code != 200 {
			t.Fatalf("GET %s: %d %v", id, code, q)
		}
		return q
	}
	// A question whose text is markup, and a second version of a seeded one.
	if code, body := call(admin, "POST", "/v1/questions", map[string]any{
		"id": "markup-in-text", "text": markupText, "roles": []string{"backend-engineer"},
		"dimension": "technical", "competency": "code-quality", "whatItReveals": "Whether <i>escaping</i> works.",
		"responseFormat": "RESPONSE_FORMAT_WRITTEN", "minutes": 4, "followUps": []string{"<em>Really</em>?"},
	}); code != 200 {
		t.Fatalf("create markup question: %d %v", code, body)
	}
	q := question("api-rate-limiting-design")
	if code, body := call(admin, "PATCH", "/v1/questions/api-rate-limiting-design?updateMask=minutes,follow_ups", map[string]any{
		"etag": q["etag"], "minutes": 6, "followUps": []string{"What would you log when a client is limited?"}, "changeNote": "one focused follow-up",
	}); code != 200 {
		t.Fatalf("update: %d %v", code, body)
	}

	// Later steps build on earlier ones: after a failure, stop.
	run := func(name string, fn func(t *testing.T)) {
		if !t.Failed() {
			t.Run(name, fn)
		}
	}

	run("SignInAsReader", func(t *testing.T) {
		tb := b.newTab(t, srv.Base)
		tb.do(navigateTo(srv.Base + "/console/"))
		tb.waitFor(`document.getElementById('token')`)
		tb.shot("01-sign-in")
		// A wrong token is refused in words.
		tb.typeInto("#token", "not-a-real-token-at-all")
		tb.click("form.sign-in button[type=submit]", "Sign in")
		tb.waitText("#sign-in-error", "was not accepted")
		tb.signIn(reader)
		tb.waitText("#session-role", "Reader")
		tb.waitFor(`document.querySelector('table.questions tbody tr')`)
		if got := tb.evalString(`[...document.querySelectorAll('#nav li:not([hidden]) a')].map(a => a.textContent).join('|')`); strings.Contains(got, "New question") {
			t.Errorf("a reader sees the admin's navigation: %s", got)
		}
		if tb.evalString(`document.querySelector('main a[href="#/new"]') ? 'yes' : 'no'`) != "no" {
			t.Error("a reader sees a New question button")
		}
		// The token lives in this tab's sessionStorage only.
		if got := tb.evalString(`sessionStorage.getItem('qbank.token')`); got != reader {
			t.Errorf("sessionStorage token = %q", got)
		}
		if got := tb.evalString(`JSON.stringify([localStorage.length, document.cookie])`); got != `[0,""]` {
			t.Errorf("local storage and cookies: %s", got)
		}
		tb.shot("02-bank-reader")
		// Every response the browser got for the console carried the CSP:
		// the page, the style sheet, each module, the icon.
		var names []string
		for _, r := range tb.consoleResponses() {
			names = append(names, r.URL[strings.Index(r.URL, "/console"):])
			header := ""
			for k, v := range r.Headers {
				if strings.EqualFold(k, "Content-Security-Policy") {
					header = fmt.Sprint(v)
				}
			}
			if header != console.CSP {
				t.Errorf("%s: Content-Security-Policy %q", r.URL, header)
			}
		}
		if len(names) < 12 {
			t.Errorf("only %d console responses seen: %v", len(names), names)
		}
		// A token the server stops accepting sends the user back to sign in.
		tb.eval(`(() => { sessionStorage.setItem('qbank.token', 'revoked-token-0123456789'); return true; })()`, nil)
		tb.open("#/q/api-rate-limiting-design")
		tb.waitText("#sign-in-error", "no longer accepts your token")
		if got := tb.evalString(`sessionStorage.getItem('qbank.token')`); got != "" {
			t.Errorf("the refused token is still kept: %q", got)
		}
	})

	run("ReaderCannotChangeAnything", func(t *testing.T) {
		tb := b.newTab(t, srv.Base)
		tb.signIn(reader)
		tb.open("#/q/api-rate-limiting-design")
		tb.waitText("h1", "api-rate-limiting-design")
		tb.waitFor(`document.querySelector('.history-table')`)
		for _, label := range []string{"Edit", "Retire", "Restore"} {
			if tb.evalString(fmt.Sprintf(`[...document.querySelectorAll('main .actions a, main .actions button')].some(e => e.textContent.startsWith(%q)) ? 'shown' : ''`, label)) != "" {
				t.Errorf("a reader sees %q on a question", label)
			}
		}
		tb.shot("03-question-reader")
		for _, route := range []string{"#/new", "#/q/api-rate-limiting-design/edit"} {
			tb.open(route)
			tb.waitText("main h1", "Admins only")
		}
		tb.open("#/templates")
		tb.waitFor(`document.querySelector('table.templates')`)
		if tb.evalString(`[...document.querySelectorAll('main a, main button')].filter(e => /^(New template|Edit|Delete)/.test(e.textContent)).length + ''`) != "0" {
			t.Error("a reader sees template editing controls")
		}
		tb.open("#/transfer")
		tb.waitText("main", "needs an admin token")
		if tb.evalString(`document.querySelector('input[type=file]') ? 'yes' : 'no'`) != "no" {
			t.Error("a reader is offered an import")
		}
		// Even a reader who calls the console's own API module directly is
		// refused by the server, and nothing changes.
		before := question("api-rate-limiting-design")
		got := tb.evalString(fmt.Sprintf(`import('/console/js/api.js').then(async (m) => {
			const out = [];
			for (const f of [() => m.api.retire('api-rate-limiting-design', %q, 'x'),
				() => m.api.updateQuestion({ id: 'api-rate-limiting-design', etag: %q, minutes: 9 }, ['minutes']),
				() => m.api.createQuestion({ id: 'reader-made-this', text: 'x' }),
				() => m.api.importQuestions({ questions: [], validateOnly: false }),
				() => m.api.deleteTemplate('backend-engineer-default', 'x')]) {
				try { await f(); out.push('accepted'); } catch (e) { out.push(e.status + ' ' + m.describe(e)); }
			}
			return out.join('\n');
		})`, before["etag"], before["etag"]))
		for _, line := range strings.Split(got, "\n") {
			if !strings.HasPrefix(line, "403 Your token may read the bank but not change it") {
				t.Errorf("a reader's write through the console: %s", line)
			}
		}
		if after := question("api-rate-limiting-design"); after["etag"] != before["etag"] {
			t.Error("a reader's call changed the question")
		}
		if code, _ := call(reader, "GET", "/v1/questions/reader-made-this", nil); code != http.StatusNotFound {
			t.Errorf("a reader created a question: %d", code)
		}
	})

	run("SignInAsAdminFilterAndPage", func(t *testing.T) {
		tb := b.newTab(t, srv.Base)
		tb.signIn(admin)
		tb.waitText("#session-role", "Admin")
		tb.waitFor(`document.querySelector('table.questions tbody tr')`)
		// The counts come from the server, whatever the seed holds today.
		active := totalSize(t, call, reader, "/v1/questions?state=STATE_ACTIVE&pageSize=1")
		retired := totalSize(t, call, reader, "/v1/questions?state=STATE_RETIRED&pageSize=1")
		if active <= 50 {
			t.Fatalf("the seeded bank has %d active questions; paging needs more than two pages", active)
		}
		tb.waitFor(fmt.Sprintf(`document.querySelector('[data-count="STATE_ACTIVE"]').textContent === '%d'`, active))
		tb.waitFor(fmt.Sprintf(`document.querySelector('[data-count="STATE_RETIRED"]').textContent === '%d'`, retired))
		tb.shot("04-bank-admin")
		// Filter: backend technical questions, 10 a page.
		tb.selectValue(`select[name=role]`, "backend-engineer")
		tb.selectValue(`select[name=dimension]`, "technical")
		tb.selectValue(`select[name=pageSize]`, "25")
		_, want := call(reader, "GET", "/v1/questions?role=backend-engineer&dimension=technical&pageSize=1", nil)
		total := int(want["totalSize"].(float64))
		tb.waitText("table.questions caption", fmt.Sprintf("%d active", total))
		if rows := tb.evalString(`String(document.querySelectorAll('table.questions tbody tr').length)`); rows != fmt.Sprint(min(total, 25)) {
			t.Errorf("rows = %s, want %d", rows, min(total, 25))
		}
		// Every row matches the filter (the competency column names a technical competency).
		if bad := tb.evalString(`[...document.querySelectorAll('table.questions tbody tr')].filter(r => !r.textContent.includes('Technical')).length`); bad != "0" {
			t.Errorf("%s rows outside the filter", bad)
		}
		// The filters are in the address, so a reload keeps them.
		if h := tb.evalString(`location.hash`); !strings.Contains(h, "role=backend-engineer") || !strings.Contains(h, "dimension=technical") {
			t.Errorf("hash %q lacks the filters", h)
		}
		// Search narrows further; paging walks the whole bank.
		tb.typeInto(`input[name=query]`, "rate limit")
		tb.waitFor(`location.hash.includes('query=rate')`)
		tb.waitText("table.questions", "api-rate-limiting-design")
		tb.shot("05-bank-filtered")
		tb.click("button", "Clear filters")
		tb.waitFor(`!location.hash.includes('role=')`)
		tb.waitText(".page-summary", fmt.Sprintf("1–25 of %d", active))
		tb.click(".pager button", "Next")
		tb.waitText(".page-summary", fmt.Sprintf("26–50 of %d", active))
		// Walk to the last page: it holds the remainder and has no Next.
		pages := (active + 24) / 25
		for p := 3; p <= pages; p++ {
			tb.click(".pager button", "Next")
			tb.waitText(".page-summary", fmt.Sprintf("%d–%d of %d", (p-1)*25+1, min(p*25, active), active))
		}
		if next := tb.evalString(`[...document.querySelectorAll('.pager button')].filter(b => b.textContent.includes('Next') && !b.disabled).length`); next != "0" {
			t.Error("the last page still offers Next")
		}
		tb.click(".pager button", "Previous")
		tb.waitText(".page-summary", fmt.Sprintf("%d–%d of %d", (pages-2)*25+1, (pages-1)*25, active))
		// State tabs count and switch.
		tb.click(".tab", "Retired")
		if retired == 0 {
			tb.waitText("main", "No retired questions match")
		} else {
			tb.waitFor(fmt.Sprintf(`document.querySelectorAll('table.questions tbody tr').length === %d`, min(retired, 25)))
			if bad := tb.evalString(`[...document.querySelectorAll('table.questions tbody tr')].filter(r => !r.textContent.includes('Retired')).length`); bad != "0" {
				t.Errorf("%s rows on the Retired tab are not retired", bad)
			}
		}
	})

	run("MarkupRendersLiterally", func(t *testing.T) {
		tb := b.newTab(t, srv.Base)
		tb.signIn(admin)
		tb.open("#/q/markup-in-text")
		tb.waitFor(`document.querySelector('[data-testid=question-text]')`)
		if got := tb.text("[data-testid=question-text]"); got != markupText {
			t.Errorf("question text shows as %q", got)
		}
		var report struct {
			Injected   int `json:"injected"`
			Pwned      any `json:"pwned"`
			FollowUpEm int `json:"followUpEm"`
		}
		tb.eval(`({ injected: document.querySelectorAll('main script, main b, main img, main i').length,
			pwned: window.__pwned ?? null, followUpEm: document.querySelectorAll('.follow-ups em').length })`, &report)
		if report.Injected != 0 || report.Pwned != nil || report.FollowUpEm != 0 {
			t.Errorf("markup was parsed: %+v", report)
		}
		if !strings.Contains(tb.text(".follow-ups"), "<em>Really</em>?") {
			t.Errorf("follow-up shows as %q", tb.text(".follow-ups"))
		}
		// In the list too.
		tb.open("#/bank?query=markup")
		tb.waitText("table.questions", "markup-in-text")
		// Other questions may match the search too: read this one's row.
		listed := tb.evalString(`[...document.querySelectorAll('table.questions tbody tr')].filter(r => r.textContent.includes('markup-in-text')).map(r => r.querySelector('.q-text').textContent).join('')`)
		if !strings.Contains(listed, "<script>window.__pwned = 1</script>") {
			t.Errorf("list shows %q", listed)
		}
		tb.shot("06-markup-literal")
	})

	run("QuestionAndDiff", func(t *testing.T) {
		tb := b.newTab(t, srv.Base)
		tb.signIn(admin)
		tb.open("#/bank")
		tb.click("table.questions a", "api-rate-limiting-design")
		tb.waitText("main h1", "api-rate-limiting-design")
		tb.waitText(".history-table", "one focused follow-up")
		for _, want := range []string{"What the candidate is asked", "What this reveals", "Follow-ups", "Scoring guide", "Stack variants", "Go", "Version history"} {
			if !strings.Contains(tb.text("main"), want) {
				t.Errorf("question screen lacks %q", want)
			}
		}
		if !strings.Contains(tb.text(".history-table"), "admin") || !strings.Contains(tb.text(".history-table"), "seed") {
			t.Errorf("history lacks its authors: %s", tb.text(".history-table"))
		}
		tb.shot("07-question")
		tb.click("button", "Compare the chosen versions")
		tb.waitFor(`document.querySelector('.diff-table')`)
		diff := tb.text(".diff-table")
		if !strings.Contains(diff, "Minutes") || !strings.Contains(diff, "Follow-ups") {
			t.Errorf("diff lacks the changed fields: %s", diff)
		}
		if got := tb.text(".diff-table tr.changed ins"); got == "" {
			t.Error("diff marks no added words")
		}
		if got := tb.evalString(`document.querySelectorAll('.diff-table tbody:not(.unchanged) tr.changed').length + ''`); got != "2" {
			t.Errorf("%s changed rows, want 2 (minutes, follow-ups)", got)
		}
		tb.shot("08-diff")

		// A long history pages; versions chosen on different pages compare.
		for i := 0; i < 11; i++ {
			cur := question("markup-in-text")
			if code, body := call(admin, "PATCH", "/v1/questions/markup-in-text?updateMask=minutes", map[string]any{
				"etag": cur["etag"], "minutes": 4 + (i+1)%2, "changeNote": fmt.Sprintf("timing pass %d", i+1),
			}); code != 200 {
				t.Fatalf("update %d: %d %v", i, code, body)
			}
		}
		tb.open("#/q/markup-in-text")
		tb.waitText(".history-table", "timing pass 11")
		if got := tb.evalString(`document.querySelectorAll('.history-table tbody tr').length`); got != "10" {
			t.Errorf("first history page: %s rows", got)
		}
		tb.click(`.history-table input[name=b][value="12"]`, "")
		tb.click(".history .pager button", "Older versions")
		tb.waitText(".history-table", "v1")
		tb.click(`.history-table input[name=a][value="1"]`, "")
		tb.waitText(".history .hint", "version 1 and version 12")
		tb.click("button", "Compare the chosen versions")
		tb.waitText("main h1", "Compare versions of markup-in-text")
		tb.waitFor(`document.querySelector('.diff-table')`)
		if got := tb.text(".version-cards"); !strings.Contains(got, "Version 1") || !strings.Contains(got, "Version 12") {
			t.Errorf("compared %s", got)
		}
	})

	run("EditSuccessfully", func(t *testing.T) {
		tb := b.newTab(t, srv.Base)
		tb.signIn(admin)
		tb.open("#/q/regretted-technical-decision")
		tb.click("main .actions a", "Edit")
		tb.waitFor(`document.querySelector('textarea[name=text]')`)
		tb.shot("09-edit")
		old := question("regretted-technical-decision")
		tb.typeInto("textarea[name=text]", "Tell me about a technical decision you regret. What did you learn?")
		tb.typeInto("textarea[name=changeNote]", "shorter wording")
		tb.click("button[type=submit]", "Save changes")
		tb.waitText(".status", "it is now at version 2")
		tb.waitText("main h1", "regretted-technical-decision")
		q := question("regretted-technical-decision")
		if q["text"] != "Tell me about a technical decision you regret. What did you learn?" || q["version"].(float64) != 2 {
			t.Errorf("after the edit: %v", q)
		}
		if q["changeNote"] != "shorter wording" || q["author"] != "admin" || q["competency"] != old["competency"] {
			t.Errorf("after the edit: note %v, author %v, competency %v", q["changeNote"], q["author"], q["competency"])
		}
	})

	run("EditWithStaleEtagAndRecover", func(t *testing.T) {
		tb := b.newTab(t, srv.Base)
		tb.signIn(admin)
		tb.open("#/q/api-rate-limiting-design/edit")
		tb.waitFor(`document.querySelector('textarea[name=text]')`)
		// A colleague saves a change to the same question meanwhile.
		cur := question("api-rate-limiting-design")
		if code, body := call(admin, "PATCH", "/v1/questions/api-rate-limiting-design?updateMask=what_it_reveals", map[string]any{
			"etag": cur["etag"], "whatItReveals": "Trade-off reasoning under distributed constraints.", "changeNote": "colleague: sharper signal",
		}); code != 200 {
			t.Fatalf("colleague's update: %d %v", code, body)
		}
		tb.typeInto("input[name=minutes]", "7")
		tb.typeInto("textarea[name=changeNote]", "needs more time")
		tb.click("button[type=submit]", "Save changes")
		tb.waitText(".conflict", "Someone else changed this question")
		if !strings.Contains(tb.text(".conflict .diff-table"), "Trade-off reasoning under distributed constraints.") {
			t.Errorf("the conflict does not show what changed: %s", tb.text(".conflict"))
		}
		tb.shotViewport("10-edit-conflict")
		tb.click(".conflict button", "Re-apply my changes")
		tb.waitText(".question-form .notice.info", "applied on top of version")
		tb.click("button[type=submit]", "Save changes")
		tb.waitText(".status", "Saved")
		q := question("api-rate-limiting-design")
		if q["minutes"].(float64) != 7 || q["whatItReveals"] != "Trade-off reasoning under distributed constraints." || q["changeNote"] != "needs more time" {
			t.Errorf("after re-applying: minutes %v, reveals %v, note %v", q["minutes"], q["whatItReveals"], q["changeNote"])
		}
	})

	run("CreateWithInvalidField", func(t *testing.T) {
		tb := b.newTab(t, srv.Base)
		tb.signIn(admin)
		tb.click("#nav a", "New question")
		tb.waitFor(`document.querySelector('input[name=id]')`)
		tb.typeInto("input[name=id]", "cache-invalidation-incident")
		tb.typeInto("textarea[name=text]", "Tell me about a time stale cached data reached users.")
		tb.click("label.choice", "Backend Engineer")
		tb.selectValue("select[name=dimension]", "technical")
		tb.selectValue("select[name=competency]", "debugging-operations")
		tb.typeInto("input[name=minutes]", "25")
		// What it reveals is left empty, minutes out of range.
		tb.click("button[type=submit]", "Create question")
		tb.waitFor(`document.querySelector('textarea[name=whatItReveals]').getAttribute('aria-invalid') === 'true'`)
		errFor := func(control string) string {
			return tb.evalString(fmt.Sprintf(`(() => { const c = document.querySelector(%q);
				return document.getElementById(c.id + '-error').textContent; })()`, control))
		}
		if got := errFor("textarea[name=whatItReveals]"); !strings.Contains(got, "Is required") {
			t.Errorf("what it reveals: error %q", got)
		}
		if got := errFor("input[name=minutes]"); !strings.Contains(got, "between 1 and 15") {
			t.Errorf("minutes: error %q", got)
		}
		if got := errFor("textarea[name=text]"); got != "" {
			t.Errorf("text has an error it should not: %q", got)
		}
		tb.shot("11-create-invalid")
		tb.typeInto("textarea[name=whatItReveals]", "How the candidate reasons about cache consistency.")
		tb.typeInto("input[name=minutes]", "5")
		tb.click("button[type=submit]", "Create question")
		tb.waitText(".status", "Created “cache-invalidation-incident” at version 1")
		if q := question("cache-invalidation-incident"); q["competency"] != "debugging-operations" {
			t.Errorf("created: %v", q)
		}
	})

	run("RetireAndRestore", func(t *testing.T) {
		tb := b.newTab(t, srv.Base)
		tb.signIn(admin)
		tb.open("#/q/cache-invalidation-incident")
		tb.click("main .actions button", "Retire")
		tb.waitText("dialog", "New assessments will no longer include this question")
		tb.typeInto("dialog input[name=changeNote]", "superseded")
		tb.shot("12-retire-dialog")
		tb.click("dialog button", "Retire question")
		tb.waitText(".status", "Retired")
		tb.waitText("main .badge", "Retired")
		if q := question("cache-invalidation-incident"); q["state"] != "STATE_RETIRED" {
			t.Errorf("after retiring: %v", q["state"])
		}
		tb.click("main .actions button", "Restore")
		tb.waitText("dialog", "new assessments may include it")
		tb.click("dialog button", "Restore question")
		tb.waitText(".status", "Restored")
		if q := question("cache-invalidation-incident"); q["state"] != "STATE_ACTIVE" {
			t.Errorf("after restoring: %v", q["state"])
		}
	})

	run("Templates", func(t *testing.T) {
		tb := b.newTab(t, srv.Base)
		tb.signIn(admin)
		tb.click("#nav a", "Templates")
		tb.waitText("table.templates", "backend-engineer-default")
		tb.click("main a", "New template")
		tb.waitFor(`document.querySelector('.template-form input[name=id]')`)
		tb.typeInto(".template-form input[name=id]", "acme-go-backend")
		tb.typeInto(".template-form input[name=title]", "Acme: Go backend")
		tb.typeInto(".template-form input[name=owner]", "acme")
		tb.selectValue(".template-form select[name=role]", "backend-engineer")
		tb.click(".template-form label.choice", "Go")
		// A bad range is refused at its field.
		tb.typeInto(".template-form input[name=maxMinutes]", "20")
		tb.click(".template-form button[type=submit]", "Create template")
		tb.waitFor(`document.querySelector('.template-form input[name=maxMinutes]').getAttribute('aria-invalid') === 'true'`)
		if got := tb.evalString(`document.getElementById(document.querySelector('.template-form input[name=maxMinutes]').id + '-error').textContent`); !strings.Contains(got, "between minMinutes") {
			t.Errorf("max minutes error: %q", got)
		}
		tb.shot("13-template-form")
		tb.typeInto(".template-form input[name=maxMinutes]", "45")
		tb.click(".template-form button[type=submit]", "Create template")
		tb.waitText(".status", "Created the template")
		tb.waitText("main h2", "Owner: acme")
		tb.shot("14-templates")
		tb.click(`tr[data-template="acme-go-backend"] a`, "Edit")
		tb.waitFor(`document.querySelector('.template-form input[name=title]')`)
		tb.typeInto(".template-form input[name=maxMinutes]", "50")
		tb.click(".template-form button[type=submit]", "Save template")
		tb.waitText(".status", "Saved the template")
		if code, tpl := call(reader, "GET", "/v1/templates/acme-go-backend", nil); code != 200 || tpl["maxMinutes"].(float64) != 50 || tpl["owner"] != "acme" {
			t.Errorf("template after edit: %d %v", code, tpl)
		}
		tb.click(`tr[data-template="acme-go-backend"] button`, "Delete")
		tb.click("dialog button", "Delete template")
		tb.waitText(".status", "Deleted the template")
		if code, _ := call(reader, "GET", "/v1/templates/acme-go-backend", nil); code != http.StatusNotFound {
			t.Errorf("deleted template: %d", code)
		}
	})

	run("PreviewAndDrawAgain", func(t *testing.T) {
		tb := b.newTab(t, srv.Base)
		tb.signIn(reader)
		tb.click("#nav a", "Assessment preview")
		tb.waitFor(`document.querySelector('.preview-form')`)
		tb.selectValue(".preview-form select[name=role]", "backend-engineer")
		tb.click(".preview-form label.choice", "Go")
		tb.typeInto("input[name=seed]", "7")
		tb.click(".preview-form button[type=submit]", "Assemble")
		tb.waitFor(`document.querySelectorAll('ol.items li').length > 0`)
		_, want := call(reader, "POST", "/v1/assessments:assemble", map[string]any{"role": "backend-engineer", "stacks": []string{"go"}, "seed": 7})
		var ids []string
		for _, it := range want["items"].([]any) {
			ids = append(ids, it.(map[string]any)["questionId"].(string))
		}
		got := tb.evalString(`[...document.querySelectorAll('ol.items .item-meta a')].map(a => a.textContent.split(' ')[0]).join(',')`)
		if got != strings.Join(ids, ",") {
			t.Errorf("preview items %s, API %s", got, strings.Join(ids, ","))
		}
		if !strings.Contains(tb.text(".summary"), fmt.Sprintf("%v minutes", want["totalMinutes"])) || tb.evalString(`document.querySelectorAll('.share-row').length + ''`) != "3" {
			t.Errorf("summary: %s", tb.text(".summary"))
		}
		if tb.evalString(`[...document.querySelectorAll('.reason')].every(r => r.textContent.length > 10) + ''`) != "true" {
			t.Error("an item has no reason")
		}
		tb.shot("15-preview")
		tb.click(".summary button", "Draw again")
		tb.waitFor(`document.querySelector('input[name=seed]').value !== '7'`)
		tb.waitFor(`document.querySelectorAll('ol.items li').length > 0 && document.querySelector('.summary').textContent.includes('Seed ' + document.querySelector('input[name=seed]').value)`)
		// The interview kit for exactly these items: fetched with the token
		// in a header, opened from a blob.
		tb.click(".summary button", "Interview kit")
		tb.waitFor(`document.querySelector('.kit .notice')`)
		if kitRouteExists(t, srv) {
			tb.waitFor(`document.querySelector('.kit-open')`)
			if href := tb.evalString(`document.querySelector('.kit-open').href`); !strings.HasPrefix(href, "blob:") {
				t.Errorf("kit link %q", href)
			}
			// The kit asked for exactly the items on the screen, and came back a PDF.
			refs := tb.evalString(`[...document.querySelectorAll('ol.items .item-meta a')].map(a => 'refs=' + encodeURIComponent(a.textContent.replace(' v', '@'))).join('&')`)
			resp := tb.responseTo("/v1/interview-kit.pdf")
			if resp == nil || resp.Status != 200 || resp.MimeType != "application/pdf" {
				t.Fatalf("kit response: %+v", resp)
			}
			if !strings.Contains(resp.URL, refs) || !strings.Contains(resp.URL, "role=backend-engineer") || !strings.Contains(resp.URL, "stacks=go") {
				t.Errorf("kit URL %s, want refs %s", resp.URL, refs)
			}
			if n := tb.evalString(`Number(document.querySelector('.kit-open').dataset.bytes) > 1000`); n != "true" {
				t.Errorf("the kit blob is empty")
			}
		} else {
			t.Log("GET /v1/interview-kit.pdf is not served by this build: only the console's message is checked")
			tb.waitText(".kit", "cannot make interview kits yet")
		}
		tb.shot("15b-preview-kit")
		for _, u := range tb.requestedURLs() {
			if strings.Contains(u, reader) || strings.Contains(u, "token=") {
				t.Errorf("a request URL carries the token: %s", u)
			}
		}
	})

	run("BankHealth", func(t *testing.T) {
		tb := b.newTab(t, srv.Base)
		tb.signIn(reader)
		tb.click("#nav a", "Bank health")
		tb.waitFor(`document.querySelector('table.health tbody tr')`)
		tb.waitFor(`!document.querySelector('#exposure-title').parentElement.querySelector('.loading')`)
		// Every cell is the API's count for its competency, format and level.
		_, want := call(reader, "GET", "/v1/questions?role=backend-engineer&competency=system-design&responseFormat=RESPONSE_FORMAT_VIDEO&seniority=senior&pageSize=1", nil)
		cells := tb.evalString(`[...document.querySelectorAll('tr[data-competency="system-design"] td')].map(td => td.dataset.count).join(',')`)
		parts := strings.Split(cells, ",")
		if len(parts) != 9 || parts[4] != fmt.Sprint(want["totalSize"]) {
			t.Errorf("system-design cells %s; video senior should be %v", cells, want["totalSize"])
		}
		// Exposure: the API's figures, or a sentence when the server is
		// too old to report them.
		code, exposure := call(reader, "POST", "/v1/assessments:analyzeExposure", map[string]any{"role": "backend-engineer"})
		switch {
		case code == http.StatusOK:
			items := exposure["items"].([]any)
			if got := tb.evalString(`document.querySelectorAll('table.exposure tbody tr').length`); got != fmt.Sprint(len(items)) {
				t.Errorf("exposure rows %s, API items %d", got, len(items))
			}
			first := items[0].(map[string]any)
			if got := tb.text("table.exposure tbody tr td"); got != first["questionId"] {
				t.Errorf("most exposed: %q, API %v", got, first["questionId"])
			}
		case code == http.StatusNotImplemented:
			tb.waitText("#exposure-title + p", "does not report exposure yet")
		default:
			t.Errorf("analyzeExposure: %d %v", code, exposure)
		}
		tb.shot("16-health")
	})

	run("ImportWithOneBadItemThenFix", func(t *testing.T) {
		tb := b.newTab(t, srv.Base)
		tb.signIn(admin)
		tb.click("#nav a", "Import / export")
		tb.waitFor(`document.querySelector('input[type=file]')`)
		good := map[string]any{
			"id": "import-good-one", "text": "Describe a schema migration you ran without downtime.", "roles": []string{"backend-engineer"},
			"dimension": "technical", "competency": "system-design", "whatItReveals": "Operational care.",
			"responseFormat": "RESPONSE_FORMAT_VIDEO", "minutes": 5,
		}
		bad := map[string]any{
			"id": "import-bad-one", "text": "How do you review a pull request?", "roles": []string{"backend-engineer"},
			"dimension": "technical", "competency": "no-such-competency", "whatItReveals": "Review habits.",
			"responseFormat": "RESPONSE_FORMAT_WRITTEN", "minutes": 5,
		}
		dir := t.TempDir()
		write := func(name string, qs ...map[string]any) string {
			// The HTTP export's shape: one JSON object a line.
			var lines []string
			for _, q := range qs {
				b, _ := json.Marshal(map[string]any{"question": q})
				lines = append(lines, string(b))
			}
			p := filepath.Join(dir, name)
			if err := os.WriteFile(p, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			return p
		}
		tb.do(setUploadFiles("input[type=file]", write("bank-bad.ndjson", good, bad)))
		tb.waitFor(`document.querySelector('table.problems')`)
		row := tb.text(`table.problems tr[data-item="1"]`)
		if !strings.Contains(row, "import-bad-one") || !strings.Contains(row, "Competency") || !strings.Contains(row, "no-such-competency") {
			t.Errorf("the bad item is not named: %q", row)
		}
		if tb.evalString(`document.querySelectorAll('table.problems tbody tr').length + ''`) != "1" {
			t.Errorf("problems table: %s", tb.text("table.problems"))
		}
		tb.shot("17-import-problems")
		if code, _ := call(reader, "GET", "/v1/questions/import-good-one", nil); code != http.StatusNotFound {
			t.Errorf("a rejected import wrote: %d", code)
		}
		bad["competency"] = "code-quality"
		tb.do(setUploadFiles("input[type=file]", write("bank-fixed.ndjson", good, bad)))
		tb.waitText(".import-result", "is valid")
		if got := tb.evalString(`document.querySelector('[data-count=created]').textContent`); got != "2" {
			t.Errorf("preview: %s created", got)
		}
		tb.shot("18-import-preview")
		if code, _ := call(reader, "GET", "/v1/questions/import-good-one", nil); code != http.StatusNotFound {
			t.Errorf("the dry run wrote: %d", code)
		}
		tb.click(".import-result button", "Import: create 2")
		tb.waitText(".import-result", "Done. 2 created")
		for _, id := range []string{"import-good-one", "import-bad-one"} {
			if code, _ := call(reader, "GET", "/v1/questions/"+id, nil); code != 200 {
				t.Errorf("after the import %s: %d", id, code)
			}
		}
		// An export of the bank, imported as it is, changes nothing (this
		// reads whichever line shape the server's export writes).
		req, _ := http.NewRequest("GET", srv.Base+"/v1/question-bank:export", nil)
		req.Header.Set("Authorization", "Bearer "+reader)
		resp, err := srv.Client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		export, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		exported := filepath.Join(dir, "export.ndjson")
		if err := os.WriteFile(exported, export, 0o644); err != nil {
			t.Fatal(err)
		}
		_, active := call(reader, "GET", "/v1/questions?pageSize=1", nil)
		_, retired := call(reader, "GET", "/v1/questions?pageSize=1&state=STATE_RETIRED", nil)
		_, drafts := call(reader, "GET", "/v1/questions?pageSize=1&state=STATE_DRAFT", nil)
		count := func(m map[string]any) int { n, _ := m["totalSize"].(float64); return int(n) }
		tb.do(setUploadFiles("input[type=file]", exported))
		tb.waitText(".import-result", "export.ndjson is valid")
		if got, want := tb.evalString(`document.querySelector('[data-count=unchanged]').textContent`), fmt.Sprint(count(active)+count(retired)+count(drafts)); got != want {
			t.Errorf("re-importing the export: %s unchanged, want %s", got, want)
		}
		if tb.evalString(`[...document.querySelectorAll('.import-result button')].find(b => b.textContent.includes('Nothing to import')).disabled`) != "true" {
			t.Error("an import that changes nothing can be applied")
		}
		// Export: the stream is fetched with the token and saved.
		tb.click("button", "Download export")
		tb.waitFor(`document.querySelector('#export-title').parentElement.querySelector('.notice.ok')`)
		tb.click("button", "Download PDF")
		tb.waitFor(`document.querySelector('#pdf-title').parentElement.querySelector('.notice')`)
		if !strings.Contains(tb.text("#pdf-title + p + form + div"), "Saved") {
			t.Errorf("PDF download: %s", tb.text("#pdf-title + p + form + div"))
		}
		tb.shot("19-transfer")
	})

	run("NarrowWindowAndKeyboard", func(t *testing.T) {
		tb := b.newTab(t, srv.Base)
		tb.viewport(390, 844)
		tb.signIn(admin)
		tb.waitFor(`document.querySelector('table.questions tbody tr')`)
		if w := tb.evalString(`String(document.documentElement.scrollWidth)`); w != "390" {
			t.Errorf("the bank scrolls sideways on a narrow window: %s px wide; too wide: %s", w, tb.evalString(`[...document.querySelectorAll('body *')]
				.filter(e => e.getBoundingClientRect().right > 391).slice(0, 8)
				.map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right)).join(', ')`))
		}
		tb.shotViewport("20-bank-narrow")
		tb.open("#/q/api-rate-limiting-design")
		tb.waitFor(`document.querySelector('.history-table')`)
		tb.shotViewport("21-question-narrow")
		for _, route := range []string{"#/q/api-rate-limiting-design/diff?a=1&b=2", "#/preview?role=backend-engineer&seed=3", "#/health", "#/templates", "#/transfer"} {
			tb.open(route)
			tb.waitFor(`!document.querySelector('main .loading')`)
			if w := tb.evalString(`String(document.documentElement.scrollWidth)`); w != "390" {
				t.Errorf("%s scrolls sideways on a narrow window: %s px wide: %s", route, w, tb.evalString(`[...document.querySelectorAll('body *')]
					.filter(e => !(e.parentElement && e.parentElement.closest('#nav, .table-wrap')) && e.getBoundingClientRect().right > 391).slice(0, 6)
					.map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right)).join(', ') + ' | inner ' + innerWidth + ' | ' +
					[...document.querySelectorAll('body, body *')].filter(e => e.scrollWidth > e.clientWidth + 1 && e.clientWidth > 0).slice(0, 8)
					.map(e => e.tagName + '.' + e.className + ' ' + e.scrollWidth + '/' + e.clientWidth).join(', ')`))
			}
		}
		// Keyboard: after a screen loads, focus is at its start, so Tab
		// reaches its first control; from the skip link, Tab reaches the
		// navigation. Focus is always visible.
		tb.viewport(1280, 800)
		tb.open("#/bank")
		tb.waitFor(`document.querySelector('table.questions tbody tr') && !document.querySelector('.results[aria-busy]') && document.activeElement === document.querySelector('main')`)
		tb.do(keyTab())
		if got := tb.evalString(`document.activeElement.textContent + '|' + getComputedStyle(document.activeElement).outlineStyle`); got != "New question|solid" {
			t.Errorf("Tab from the screen's start: %s", got)
		}
		tb.eval(`(() => { document.querySelector('.skip-link').focus(); return true; })()`, nil)
		tb.do(keyTab())
		if got := tb.evalString(`document.activeElement.textContent + '|' + getComputedStyle(document.activeElement).outlineStyle`); got != "Bank|solid" {
			t.Errorf("Tab from the skip link: %s", got)
		}
		// Every form control on every screen has a label.
		for _, route := range []string{"#/bank", "#/new", "#/q/api-rate-limiting-design/edit", "#/q/api-rate-limiting-design",
			"#/templates", "#/templates/new", "#/preview?role=backend-engineer&seed=5", "#/health", "#/transfer"} {
			tb.open(route)
			tb.waitFor(`document.querySelector('main h1') && !document.querySelector('main .loading')`)
			unlabelled := tb.evalString(`[...document.querySelectorAll('input, select, textarea')].filter(c => c.type !== 'hidden' &&
				!(c.labels && c.labels.length) && !c.getAttribute('aria-label')).map(c => c.name || c.outerHTML.slice(0, 60)).join(', ')`)
			if unlabelled != "" {
				t.Errorf("%s: controls without a label: %s", route, unlabelled)
			}
		}
	})

	t.Logf("browser scenarios took %v", time.Since(start).Round(time.Millisecond))
}

func kitRouteExists(t *testing.T, srv *testserver.Server) bool {
	resp, err := srv.Client.Get(srv.Base + "/v1/interview-kit.pdf")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	// Without a token a served route answers 401; an unknown one 404.
	return resp.StatusCode != http.StatusNotFound
}

// totalSize asks the gateway how many questions a list query matches.
func totalSize(t *testing.T, call func(token, method, path string, body any) (int, map[string]any), token, path string) int {
	t.Helper()
	code, body := call(token, "GET", path, nil)
	n, ok := body["totalSize"].(float64)
	if code != 200 || !ok {
		t.Fatalf("GET %s: %d %v", path, code, body)
	}
	return int(n)
}
