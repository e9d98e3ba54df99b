// "Collect changes" in the browser (#15, Schedule… from every page): the administrator
// turns it on in the top bar; a rename on a cluster's page is kept in a draft change, not
// sent, with a link to it; on the draft's page it is asked for at a time two hours ahead
// and waits as scheduled; then it is cancelled and collecting is turned off again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launch, signIn, waitForHydration, openFromList, BASE } from './harness.mjs';

const CLUSTER = 'orders-staging';

test('a write while collecting waits in a draft and is scheduled from its page', async () => {
  const { page, context, errors } = await launch();
  try {
    await signIn(page);
    await page.goto(`${BASE}/clusters`);
    await page.waitForSelector('[data-testid=collect-toggle]');
    await waitForHydration(page);
    assert.equal(await page.getAttribute('[data-testid=collect-toggle]', 'aria-pressed'), 'false');
    await page.click('[data-testid=collect-toggle]');
    await page.waitForSelector('[data-testid=collect-banner]');
    assert.equal(await page.getAttribute('[data-testid=collect-toggle]', 'aria-pressed'), 'true');

    await openFromList(page, CLUSTER);
    // The banner says so on every page.
    await page.waitForSelector('[data-testid=collect-banner]');
    await page.click('[data-testid=edit-description]');
    await page.fill('[data-testid=description-input]', `${CLUSTER}-later`);
    await page.click('[data-testid=save-description]');
    await page.waitForSelector('[data-testid=change-error] [data-testid=open-draft]');
    assert.match(await page.textContent('[data-testid=change-error]'), /Not sent: kept in your draft change \(1 request/);
    assert.equal((await page.textContent('[data-testid=field-description]')).trim(), CLUSTER);

    await Promise.all([
      page.waitForURL(/\/changes\/[0-9a-f-]{36}$/),
      page.click('[data-testid=open-draft]'),
    ]);
    await page.waitForSelector('[data-testid=draft-form]');
    await waitForHydration(page);
    assert.match(await page.textContent('[data-testid=draft-form] h2'), /Ask for this change/);
    assert.match(await page.textContent('[data-testid=steps-table]'), /ModifyDBClusterDescription|DBClusterDescription=orders-staging-later/);
    const at = new Date(Date.now() + 2 * 3600 * 1000).toISOString().slice(0, 16) + 'Z';
    await page.fill('[data-testid=draft-form] textarea[name=reason]', 'rename after the release');
    await page.selectOption('[data-testid=draft-form] select[name=schedule]', 'at');
    await page.fill('[data-testid=draft-form] input[name=run_at]', at);
    await page.click('[data-testid=submit-change]');
    await page.waitForSelector('[data-testid=change-state][data-state=scheduled]');
    assert.match(await page.textContent('dl.facts'), new RegExp(`At ${at.slice(0, 16)}`));

    // Not this time: cancelled; collecting off; the name never changed.
    await page.click('[data-testid=cancel-change]');
    await page.waitForSelector('[data-testid=change-state][data-state=cancelled]');
    await page.click('[data-testid=collect-toggle]');
    await page.waitForSelector('[data-testid=collect-banner]', { state: 'detached' });
    await openFromList(page, CLUSTER);
    assert.equal((await page.textContent('[data-testid=field-description]')).trim(), CLUSTER);
    assert.deepEqual(errors.filter((e) => !/status of 409/.test(e)), []);
  } finally {
    await context.close();
  }
});
