package console_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// The browser tests drive Debian's chromium, headless, against a real
// server on loopback with the real SQLite store. Without chromium they skip
// on a developer's machine and fail in CI (CI=true), where it is installed.

// screenshotDir holds a PNG of each screen from the last run (ignored by
// git), for a person to look at.
const screenshotDir = "screenshots"

func chromiumPath(t testing.TB) string {
	t.Helper()
	for _, name := range []string{os.Getenv("QBANK_CHROMIUM"), "chromium", "chromium-browser", "google-chrome"} {
		if name == "" {
			continue
		}
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium is not installed: the console's browser tests must run in CI (apt-get install chromium)")
	}
	t.Skip("chromium is not installed; install it (apt-get install chromium) to run the console's browser tests")
	return ""
}

// browser is one headless chromium for a whole test; each tab is a fresh
// browsing context (its own sessionStorage), as a new tab of a user's is.
type browser struct {
	alloc context.Context
	root  context.Context
}

func startBrowser(t testing.TB) *browser {
	t.Helper()
	path := chromiumPath(t)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 800),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.Flag("mute-audio", true),
		chromedp.Flag("font-render-hinting", "none"),
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	root, cancelRoot := chromedp.NewContext(alloc)
	// The first Run starts the browser; it lives as long as root.
	if err := chromedp.Do(root); err != nil {
		cancelRoot()
		cancelAlloc()
		t.Fatalf("start chromium: %v", err)
	}
	t.Cleanup(func() {
		cancelRoot()
		cancelAlloc()
	})
	return &browser{alloc: alloc, root: root}
}

// tab is one browser tab, with everything the page reports that a test
// must not miss: uncaught exceptions, console errors, CSP violations, and
// every URL it requests (none may carry the token).
type tab struct {
	t    testing.TB
	ctx  context.Context
	base string

	mu        sync.Mutex
	problems  []string
	urls      []string
	responses []*network.Response
}

func (b *browser) newTab(t testing.TB, base string) *tab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(b.root)
	tb := &tab{t: t, ctx: ctx, base: base}
	if err := chromedp.Listen(ctx, tb.observe); err != nil {
		cancel()
		t.Fatal(err)
	}
	err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		if _, err := cdp.Call(ctx, tg, log.Enable, cdp.Empty{}); err != nil {
			return err
		}
		if _, err := cdp.Call(ctx, tg, network.Enable, network.EnableParams{}); err != nil {
			return err
		}
		_, err := cdp.Call(ctx, tg, runtime.Enable, cdp.Empty{})
		return err
	}))
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		tb.mu.Lock()
		defer tb.mu.Unlock()
		for _, p := range tb.problems {
			t.Errorf("the page reported: %s", p)
		}
	})
	return tb
}

func (tb *tab) observe(ev any) {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	switch e := ev.(type) {
	case *runtime.EventExceptionThrown:
		d := e.ExceptionDetails
		msg := d.Text
		if d.Exception != nil && d.Exception.Description != "" {
			msg = d.Exception.Description
		}
		tb.problems = append(tb.problems, "uncaught exception: "+msg)
	case *runtime.EventConsoleAPICalled:
		if e.Type == runtime.ConsoleAPICalledTypeError {
			var parts []string
			for _, a := range e.Args {
				parts = append(parts, string(a.Value))
			}
			tb.problems = append(tb.problems, "console.error: "+strings.Join(parts, " "))
		}
	case *log.EventEntryAdded:
		// Failed fetches that a test provokes on purpose (a reader's 403,
		// a stale etag's 409, a bad import's 400) are logged as network
		// errors; they are the API answering, not the page failing.
		if e.Entry.Level == log.EntryLevelError && e.Entry.Source != log.EntrySourceNetwork {
			tb.problems = append(tb.problems, fmt.Sprintf("%s: %s", e.Entry.Source, e.Entry.Text))
		}
	case *network.EventRequestWillBeSent:
		tb.urls = append(tb.urls, e.Request.URL)
	case *network.EventResponseReceived:
		tb.responses = append(tb.responses, e.Response)
	}
}

// responseTo returns the last response whose URL contains part.
func (tb *tab) responseTo(part string) *network.Response {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	for i := len(tb.responses) - 1; i >= 0; i-- {
		if strings.Contains(tb.responses[i].URL, part) {
			return tb.responses[i]
		}
	}
	return nil
}

// consoleResponses returns every response the tab got from the console's
// own paths (the page, its styles, modules and icon).
func (tb *tab) consoleResponses() []*network.Response {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	var out []*network.Response
	for _, r := range tb.responses {
		if strings.Contains(r.URL, "/console/") || strings.HasSuffix(r.URL, "/console") {
			out = append(out, r)
		}
	}
	return out
}

func (tb *tab) requestedURLs() []string {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	return append([]string(nil), tb.urls...)
}

// do runs actions with a bound on how long the page may take.
func (tb *tab) do(actions ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		tb.shot("failure-" + strings.ReplaceAll(tb.t.Name(), "/", "-"))
		tb.t.Fatalf("browser: %v", err)
	}
}

// eval evaluates a JavaScript expression (awaiting a promise) into v.
func (tb *tab) eval(expr string, v any) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 20*time.Second)
	defer cancel()
	tb.evalCtx(ctx, expr, v)
}

func (tb *tab) evalCtx(ctx context.Context, expr string, v any) {
	tb.t.Helper()
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[[]byte](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		tb.t.Fatalf("evaluate %s: %v", expr, err)
	}
	if v != nil {
		if err := json.Unmarshal(raw, v); err != nil {
			tb.t.Fatalf("evaluate %s: decode %s: %v", expr, raw, err)
		}
	}
}

// evalString evaluates an expression and returns its value as text
// (numbers and booleans too; null and undefined as "").
func (tb *tab) evalString(expr string) string {
	tb.t.Helper()
	var v any
	tb.eval(expr, &v)
	if v == nil {
		return ""
	}
	return fmt.Sprint(v)
}

// waitFor polls a JavaScript condition until it is true. (chromedp's Poll
// builds its predicate with new Function, which the console's CSP
// forbids, so the loop runs here, each check a DevTools evaluation.)
func (tb *tab) waitFor(cond string) {
	tb.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		var ok bool
		tb.eval("Boolean("+cond+")", &ok)
		if ok {
			return
		}
		if time.Now().After(deadline) {
			tb.shot("failure-" + strings.ReplaceAll(tb.t.Name(), "/", "-"))
			tb.t.Fatalf("timed out waiting for %s; page text: %.1500s", cond, tb.evalString("document.querySelector('main').innerText"))
		}
		time.Sleep(30 * time.Millisecond)
	}
}

// waitText waits until the element matching css contains text.
func (tb *tab) waitText(css, text string) {
	tb.t.Helper()
	tb.waitFor(fmt.Sprintf("[...document.querySelectorAll(%q)].some(e => e.textContent.includes(%q))", css, text))
}

// text returns the text of the first element matching css.
func (tb *tab) text(css string) string {
	tb.t.Helper()
	return tb.evalString(fmt.Sprintf("(document.querySelector(%q) || {}).textContent || ''", css))
}

// click clicks (with the mouse, as a user does) the first visible element
// matching css whose text contains text ("" for any). The element is found
// and marked in the page, then clicked through DevTools; if the page
// re-rendered it in between, the lookup runs again.
func (tb *tab) click(css, text string) {
	tb.t.Helper()
	for attempt := 1; ; attempt++ {
		mark := fmt.Sprintf("qbank-click-%d", time.Now().UnixNano())
		tb.waitFor(fmt.Sprintf(`(() => {
			const el = [...document.querySelectorAll(%q)].find(e => e.textContent.includes(%q) && e.offsetParent !== null && !e.disabled);
			if (!el) return false;
			el.setAttribute('data-click', %q);
			return true;
		})()`, css, text, mark))
		ctx, cancel := context.WithTimeout(tb.ctx, 3*time.Second)
		err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(fmt.Sprintf(`[data-click=%q]`, mark))))
		cancel()
		if err == nil {
			return
		}
		if attempt == 3 {
			tb.shot("failure-" + strings.ReplaceAll(tb.t.Name(), "/", "-"))
			tb.t.Fatalf("click %s %q: %v", css, text, err)
		}
	}
}

// selectValue chooses an option in a <select> as a user does (change event).
func (tb *tab) selectValue(css, value string) {
	tb.t.Helper()
	tb.waitFor(fmt.Sprintf("document.querySelector(%q)", css))
	tb.eval(fmt.Sprintf(`(() => { const s = document.querySelector(%q); s.focus(); s.value = %q;
		s.dispatchEvent(new Event('change', { bubbles: true })); return s.value; })()`, css, value), nil)
}

// typeInto replaces the content of a field by typing, with key events.
func (tb *tab) typeInto(css, text string) {
	tb.t.Helper()
	tb.do(chromedp.WaitVisible(chromedp.CSS(css)))
	tb.eval(fmt.Sprintf(`(() => { const e = document.querySelector(%q); e.focus(); e.select && e.select(); return true; })()`, css), nil)
	tb.do(chromedp.SendKeys(chromedp.CSS(css), text))
}

// open navigates the tab to a console route (a fragment such as
// "#/bank"), loading the page when it is not loaded yet.
func (tb *tab) open(route string) {
	tb.t.Helper()
	var loaded bool
	tb.eval(`location.pathname === '/console/'`, &loaded)
	if !loaded {
		tb.do(chromedp.Navigate(tb.base + "/console/" + route))
		return
	}
	tb.eval(fmt.Sprintf(`(() => { location.hash = %q; return true; })()`, route), nil)
}

// signIn loads the console and signs in with token.
func (tb *tab) signIn(token string) {
	tb.t.Helper()
	tb.do(chromedp.Navigate(tb.base+"/console/"), chromedp.WaitVisible(chromedp.ID("token")))
	tb.do(chromedp.SendKeys(chromedp.ID("token"), token))
	tb.click("form.sign-in button[type=submit]", "Sign in")
	tb.waitFor(`!document.getElementById('nav').hidden`)
}

// shot saves a PNG of the whole page as screenshots/name.png: the viewport
// is stretched to the page's height first, so that sticky and fixed parts
// sit where a reader scrolling the page would see them.
func (tb *tab) shot(name string) { tb.capture(name, true) }

// shotViewport saves only what the window shows.
func (tb *tab) shotViewport(name string) { tb.capture(name, false) }

func (tb *tab) capture(name string, full bool) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 20*time.Second)
	defer cancel()
	var size struct{ W, H, Inner int64 }
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[[]byte](`({W: window.innerWidth, H: document.documentElement.scrollHeight, Inner: window.innerHeight})`))
	if err == nil {
		err = json.Unmarshal(raw, &size)
	}
	if err != nil {
		tb.t.Logf("screenshot %s: %v", name, err)
		return
	}
	setHeight := func(h int64) error {
		_, err := chromedp.Run(ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{
				Width: size.W, Height: h, DeviceScaleFactor: 1, Mobile: size.W < 700,
			})
			return err
		}))
		return err
	}
	if full && size.H > size.Inner {
		if err := setHeight(size.H); err != nil {
			tb.t.Logf("screenshot %s: %v", name, err)
			return
		}
		defer func() {
			// Back to the window's own size, or to the narrow override a
			// test set.
			if size.W == 1280 {
				_, _ = chromedp.Run(ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
					_, err := cdp.Call(ctx, tg, emulation.ClearDeviceMetricsOverride, cdp.Empty{})
					return err
				}))
				return
			}
			_ = setHeight(size.Inner)
		}()
	}
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		tb.t.Logf("screenshot %s: %v", name, err)
		return
	}
	if err := os.MkdirAll(screenshotDir, 0o755); err != nil {
		tb.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(screenshotDir, name+".png"), png, 0o644); err != nil {
		tb.t.Fatal(err)
	}
}

// viewport resizes the tab's window, e.g. to a phone's width.
func (tb *tab) viewport(width, height int64) {
	tb.t.Helper()
	tb.do(chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{
			Width: width, Height: height, DeviceScaleFactor: 1, Mobile: width < 700,
		})
		return err
	}))
}

func navigateTo(url string) chromedp.Action[chromedp.Void] { return chromedp.Navigate(url) }

func setUploadFiles(css, path string) chromedp.Action[chromedp.Void] {
	return chromedp.SetUploadFiles(chromedp.CSS(css), []string{path})
}

// keyTab presses Tab, as a keyboard user does.
func keyTab() chromedp.Action[chromedp.Void] { return chromedp.KeyEvent(kb.Tab) }
