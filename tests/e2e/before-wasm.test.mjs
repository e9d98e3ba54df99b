// Every page as it is before its wasm arrives (the module's requests are refused, so the
// page stays as the server rendered it): a control either works without the wasm (a
// button or field of a form that posts to the server on its own), or is disabled and says
// why in its title. Nothing silently does nothing. A field that is part of a form the wasm
// submits may be filled in meanwhile; its form's submit button is what says to wait.
// The simple forms (a cluster's tag, its collection interval) are used without the wasm.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, launch, signIn } from './harness.mjs';

// The console's pages; a cluster's tabs are added with the first cluster of the list.
const PAGES = ['/clusters', '/clusters/new', '/tags', '/events', '/tasks', '/renewals', '/backups/released',
  '/audit', '/settings', '/settings/accounts', '/settings/password', '/settings/users',
  '/settings/roles', '/settings/notifications'];
const TABS = ['', 'nodes', 'endpoints', 'parameters', 'whitelists', 'ssl', 'accounts',
  'databases', 'backups', 'monitoring', 'tags'];

// Controls that would do nothing now: enabled, and not part of a form that posts by itself.
function silent() {
  const out = [];
  const describe = (el) => `${el.tagName.toLowerCase()}[${el.type || ''}] `
    + `${el.dataset.testid || el.name || el.getAttribute('aria-label') || ''} `
    + `"${(el.textContent || el.value || '').trim().slice(0, 40)}"`;
  // A form that goes to the server by itself: it names where, and how (a GET form's
  // answer is an address: a filter; a POST form is a server function's ActionForm).
  const posts = (form) => !!form && form.hasAttribute('action')
    && ['get', 'post'].includes((form.getAttribute('method') || '').toLowerCase());
  for (const el of document.querySelectorAll('button, input, select, textarea')) {
    if (el.type === 'hidden' || el.closest('[hidden], template')) continue;
    if (el.disabled) {
      if (!el.title.trim()) out.push(`${describe(el)}: disabled without saying why`);
      continue;
    }
    const isButton = el.tagName === 'BUTTON' || ['submit', 'button', 'reset', 'image'].includes(el.type);
    if (isButton) {
      if (!(posts(el.form) && (el.type === 'submit' || el.type === 'image'))) {
        out.push(`${describe(el)}: enabled, does nothing without the wasm`);
      }
    } else if (!el.form) {
      // A field outside any form acts on its own when changed (a filter, a switch).
      out.push(`${describe(el)}: enabled outside a form, does nothing without the wasm`);
    }
  }
  return out;
}

test('before the wasm arrives, no control silently does nothing', async () => {
  const { context, page } = await launch();
  try {
    await signIn(page);
    const first = await page.waitForSelector('[data-testid=cluster-table] a[href*="/clusters/pc-"]',
      { timeout: 60000 });
    const href = new URL(await first.getAttribute('href'), BASE);
    const cluster = href.pathname.replace(/\/$/, '');
    const query = href.search;

    // From here on the module and its chunks are refused: every page stays server-rendered.
    let refused = 0;
    await context.route(/\.wasm(\?|$)|\/pkg\/.*\.js(\?|$)/, (route) => { refused++; return route.abort(); });
    const paths = [...PAGES, ...TABS.map((t) => `${cluster}${t ? `/${t}` : ''}${query}`)];
    const problems = [];
    let checked = 0;
    for (const path of paths) {
      const res = await page.goto(`${BASE}${path}`, { waitUntil: 'load' });
      assert.equal(res.status(), 200, `${path} answers 200`);
      assert.ok(!(await page.evaluate(() => document.documentElement.hasAttribute('data-hydrated'))),
        `${path} is not hydrated (the wasm is refused)`);
      const found = await page.evaluate(silent);
      checked += await page.evaluate(() => document.querySelectorAll('button, input, select, textarea').length);
      for (const p of found) problems.push(`${path}: ${p}`);
    }

    // The simple forms work without it: a tag is set and removed on the cluster's tags
    // tab, the collection interval is changed and changed back. Each posts to its server
    // function, which sends the browser back to the page, read again.
    const KEY = `nowasm-${Date.now() % 100000}`;
    const tagsTab = `${BASE}${cluster}/tags${query}`;
    await page.goto(tagsTab);
    await page.fill('[data-testid=own-tag-key]', KEY);
    await page.fill('[data-testid=own-tag-value-input]', 'posted');
    await Promise.all([page.waitForNavigation(), page.click('[data-testid=save-tag]')]);
    const row = `[data-testid=own-tags] tr[data-tag-key="${KEY}"]`;
    assert.equal((await page.textContent(`${row} [data-testid=own-tag-value]`)).trim(), 'posted',
      'the tag set without the wasm is shown');
    await Promise.all([page.waitForNavigation(), page.click(`${row} [data-testid=remove-tag]`)]);
    assert.equal(await page.$(row), null, 'the tag removed without the wasm is gone');

    const monitoring = `${BASE}${cluster}/monitoring${query}`;
    await page.goto(monitoring);
    const before = (await page.textContent('[data-testid=monitor-period]')).trim();
    const other = before === '5' ? '60' : '5';
    for (const period of [other, before]) {
      await page.selectOption('[data-testid=period-select]', period);
      await Promise.all([page.waitForNavigation(), page.click('[data-testid=save-period]')]);
      assert.equal((await page.textContent('[data-testid=monitor-period]')).trim(), period,
        `the interval set to ${period} s without the wasm is shown`);
    }
    assert.ok(refused > 0, 'the wasm was asked for and refused');
    assert.ok(checked > 100, `the pages have controls to check (${checked})`);
    assert.deepEqual(problems, [], 'controls that silently do nothing before the wasm');
  } finally {
    await context.close();
  }
});
