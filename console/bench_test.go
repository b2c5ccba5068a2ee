package console_test

import (
	"context"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/layersrank/qbank/internal/bankgen"
	"github.com/layersrank/qbank/internal/testserver"
	"github.com/layersrank/qbank/repository/sqlite"
	"github.com/layersrank/qbank/server"
)

// BenchmarkBank50000 measures how the bank screen responds on a bank of
// 50,050 questions, in chromium, against a floor measured in the same page:
// a bare fetch of the same page of the API and its JSON decoding. Each
// figure is the time from the user's action to the new rows in the page
// and the next frame drawn. Run it with a fixed count, e.g.
//
//	go test ./console -run '^$' -bench Bank50000 -benchtime 40x
func BenchmarkBank50000(b *testing.B) {
	br := startBrowser(b)
	dir := bank50000(b)
	srv := testserver.Start(b, server.Config{DataDir: dir})
	tb := br.newTab(b, srv.Base)
	tb.signIn(testserver.AdminToken)
	tb.waitFor(`document.querySelector('table.questions tbody tr')`)
	var total string
	tb.eval(`document.querySelector('[data-count="STATE_ACTIVE"]').textContent`, &total)
	b.Logf("bank: %s active questions", total)

	measure := func(b *testing.B, script string) {
		b.Helper()
		var times []float64
		ctx, cancel := context.WithTimeout(tb.ctx, 10*time.Minute)
		defer cancel()
		b.ResetTimer()
		tb.evalCtx(ctx, fmt.Sprintf(`(%s)(%d)`, script, b.N), &times)
		b.StopTimer()
		sort.Float64s(times)
		b.ReportMetric(times[len(times)/2], "p50-ms")
		b.ReportMetric(times[len(times)*95/100], "p95-ms")
	}
	// The page's own request for a role's first page, and the console's
	// handling of the same change of filter.
	b.Run("floor: fetch and decode a page of 25", func(b *testing.B) {
		measure(b, `async (n) => {
			const roles = ['backend-engineer', 'data-engineer'];
			const headers = { Authorization: 'Bearer ' + sessionStorage.getItem('qbank.token') };
			const out = [];
			for (let i = 0; i < n; i++) {
				const t0 = performance.now();
				const r = await fetch('/v1/questions?state=STATE_ACTIVE&pageSize=25&role=' + roles[i % 2], { headers, cache: 'no-store' });
				await r.json();
				await new Promise(requestAnimationFrame);
				out.push(performance.now() - t0);
			}
			return out;
		}`)
	})
	b.Run("console: change the role filter", func(b *testing.B) {
		measure(b, `async (n) => {
			const sel = document.querySelector('select[name=role]');
			const results = document.querySelector('.results');
			const roles = ['backend-engineer', 'data-engineer'];
			const out = [];
			for (let i = 0; i < n; i++) {
				const t0 = performance.now();
				const done = new Promise((resolve) => {
					const mo = new MutationObserver(() => {
						if (!results.hasAttribute('aria-busy')) { mo.disconnect(); resolve(); }
					});
					mo.observe(results, { attributes: true, attributeFilter: ['aria-busy'] });
				});
				sel.value = roles[i % 2];
				sel.dispatchEvent(new Event('change', { bubbles: true }));
				await done;
				await new Promise(requestAnimationFrame);
				out.push(performance.now() - t0);
			}
			return out;
		}`)
	})
	b.Run("console: next page", func(b *testing.B) {
		measure(b, `async (n) => {
			const results = document.querySelector('.results');
			const out = [];
			for (let i = 0; i < n; i++) {
				const next = [...document.querySelectorAll('.pager button')].find((x) => x.textContent.includes('Next'));
				const t0 = performance.now();
				const done = new Promise((resolve) => {
					const mo = new MutationObserver(() => {
						if (!results.hasAttribute('aria-busy')) { mo.disconnect(); resolve(); }
					});
					mo.observe(results, { attributes: true, attributeFilter: ['aria-busy'] });
				});
				next.click();
				await done;
				await new Promise(requestAnimationFrame);
				out.push(performance.now() - t0);
			}
			return out;
		}`)
	})
	b.Run("console: search", func(b *testing.B) {
		measure(b, `async (n) => {
			const input = document.querySelector('input[name=query]');
			const results = document.querySelector('.results');
			const words = ['latency', 'migration', 'payment', 'costs'];
			const out = [];
			for (let i = 0; i < n; i++) {
				const t0 = performance.now();
				const done = new Promise((resolve) => {
					const mo = new MutationObserver(() => {
						if (!results.hasAttribute('aria-busy')) { mo.disconnect(); resolve(); }
					});
					mo.observe(results, { attributes: true, attributeFilter: ['aria-busy'] });
				});
				input.value = words[i % words.length];
				input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
				await done;
				await new Promise(requestAnimationFrame);
				out.push(performance.now() - t0);
			}
			return out;
		}`)
	})
}

// bank50000 writes the seed bank plus 50,000 generated questions into a
// SQLite data dir (bankgen.Fill).
func bank50000(b *testing.B) string {
	b.Helper()
	dir := b.TempDir()
	ctx := context.Background()
	store, err := sqlite.Open(ctx, dir)
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	if err := bankgen.Fill(ctx, store, 50000, 1); err != nil {
		b.Fatal(err)
	}
	return dir
}
