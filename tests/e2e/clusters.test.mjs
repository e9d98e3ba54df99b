// /clusters after hydration: the emulator's clusters, and the region menu working
// client-side (no reload).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launch, signIn, waitForHydration, BASE } from './harness.mjs';

const SEED_COUNT = Number(process.env.E2E_SEED_COUNT || 8);

test('clusters list shows the emulator clusters and the region menu filters without a reload', async () => {
  const { context, page, errors } = await launch();
  try {
    await signIn(page);
    await page.waitForSelector('[data-testid=cluster-table]');
    await waitForHydration(page);
    const rows = page.locator('[data-testid=cluster-table] tbody tr');
    assert.equal(await rows.count(), SEED_COUNT);
    assert.match(await page.textContent('[data-testid=cluster-table]'), /orders-prod/);
    assert.match(await page.textContent('[data-testid=user-name]'), /Administrator/);

    // A marker that a full page load would wipe out.
    await page.evaluate(() => { window.__noReload = 'still here'; });
    await page.selectOption('[data-testid=region-menu]', 'cn-shanghai');
    await page.waitForURL(/region=cn-shanghai/);
    await page.waitForFunction(() => {
      const trs = document.querySelectorAll('[data-testid=cluster-table] tbody tr');
      return trs.length > 0 && [...trs].every((tr) => tr.textContent.includes('cn-shanghai'));
    }, null, { timeout: 15000 });
    const shanghai = await rows.count();
    assert.ok(shanghai > 0 && shanghai < SEED_COUNT, `expected a narrower list, got ${shanghai}`);
    assert.equal(await page.evaluate(() => window.__noReload), 'still here', 'the page reloaded');

    // Back to all regions, still client-side.
    await page.selectOption('[data-testid=region-menu]', '');
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid=cluster-table] tbody tr').length === n, SEED_COUNT);
    assert.equal(await page.evaluate(() => window.__noReload), 'still here');

    if (process.env.E2E_SCREENSHOT) {
      await page.screenshot({ path: process.env.E2E_SCREENSHOT, fullPage: false });
    }
    assert.deepEqual(errors.filter((e) => !/favicon/.test(e)), [], 'browser console errors');
  } finally {
    await context.close();
  }
});

test('signing out from the top bar ends the session', async () => {
  const { context, page } = await launch();
  try {
    await signIn(page);
    await page.waitForSelector('[data-testid=cluster-table]');
    await waitForHydration(page);
    await Promise.all([
      page.waitForURL(/\/signin$/),
      page.click('text=Sign out'),
    ]);
    await page.goto(`${BASE}/clusters`);
    await page.waitForURL(/\/signin$/);
  } finally {
    await context.close();
  }
});
