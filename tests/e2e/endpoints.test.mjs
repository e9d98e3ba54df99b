// /clusters/:id/endpoints and /clusters/:id/parameters after hydration, on a pay-as-you-go
// cluster the test creates for itself (and deletes at the end, so the seed's fleet stays as
// the other browser tests expect it): a custom endpoint is created, changed and deleted; a
// public address is created, changed and released; two parameters are changed (one needs
// a restart, which the page warns about) and an invalid value is refused before any call.
// Every change is checked against the emulator through the console's /api/call_api.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, launch, signIn, waitForHydration } from './harness.mjs';

const STEP = 30000; // the longest wait for one change to settle
const REGION = 'cn-hangzhou';

// One PolarDB call through the console (role check, audit, signing), as a page makes it.
async function api(page, account, action, params) {
  const res = await page.evaluate(async ({ account, region, action, params }) => {
    const r = await fetch('/api/call_api', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ account, region, action, params }),
    });
    return { status: r.status, body: await r.text() };
  }, { account, region: REGION, action, params });
  return res.status === 200
    ? { ok: true, body: JSON.parse(JSON.parse(res.body).json) }
    : { ok: false, status: res.status, body: res.body };
}

async function waitFor(fn, what, timeout = STEP * 2) {
  const end = Date.now() + timeout;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function clusterStatus(page, account, id) {
  const r = await api(page, account, 'DescribeDBClusterAttribute', [['DBClusterId', id]]);
  return r.ok ? r.body.DBClusterStatus : null;
}

const endpointCard = (id) => `[data-testid=endpoint][data-endpoint-id="${id}"]`;

test('cluster endpoints and parameters: custom endpoint, public address, two parameters', async () => {
  const { context, page, errors } = await launch();
  let account;
  let id;
  try {
    await signIn(page);
    await page.waitForSelector('[data-testid=cluster-table]');
    const href = await page.getAttribute('[data-testid=cluster-table] tbody tr [data-testid=cluster-link]', 'href');
    account = new URL(href, BASE).searchParams.get('account');
    assert.ok(account, 'a cloud account in the list');

    // A cluster of the test's own, Running before the pages are opened.
    const created = await api(page, account, 'CreateDBCluster', [
      ['ZoneId', 'cn-hangzhou-i'], ['DBType', 'PostgreSQL'], ['DBVersion', '14'],
      ['DBNodeClass', 'polar.pg.x4.medium'], ['PayType', 'Postpaid'],
      ['DBClusterDescription', 'e2e-endpoints']]);
    assert.ok(created.ok, JSON.stringify(created));
    id = created.body.DBClusterId;
    await waitFor(async () => (await clusterStatus(page, account, id)) === 'Running', 'the new cluster to run', STEP * 4);

    // ---- Endpoints ----
    await page.goto(`${BASE}/clusters/${id}/endpoints?account=${encodeURIComponent(account)}&region=${REGION}`);
    await page.waitForSelector('[data-testid=endpoint-list]');
    await waitForHydration(page);
    assert.equal(await page.getAttribute('[data-tab=endpoints]', 'aria-current'), 'page');
    const primary = page.locator('[data-testid=endpoint][data-type=Primary]');
    const dflt = page.locator('[data-testid=endpoint][data-type=Cluster]');
    assert.equal(await primary.count(), 1);
    assert.equal(await dflt.count(), 1);
    assert.match(await primary.locator('[data-testid=endpoint-permanent]').textContent(), /cannot be deleted/);
    assert.match(await dflt.locator('[data-testid=endpoint-permanent]').textContent(), /cannot be deleted/);
    assert.equal(await page.locator('[data-testid=endpoint][data-type=Primary] [data-testid=delete-endpoint]').count(), 0);
    assert.equal(await page.locator('[data-testid=endpoint][data-type=Cluster] [data-testid=delete-endpoint]').count(), 0);
    assert.match(await primary.locator('[data-testid=address-connection]').first().textContent(), /\.pg\.polardb\.rds\.aliyuncs\.com$/);
    assert.match(await dflt.locator('[data-testid=endpoint-mode]').textContent(), /Read\/write/);

    // Create a custom endpoint; the rules are checked as the form is filled in.
    await page.click('[data-testid=create-endpoint]');
    const form = page.locator('[data-testid=endpoint-form]');
    await form.waitFor();
    const submit = '[data-testid=submit-endpoint]';
    await page.selectOption('[data-testid=endpoint-mode-select]', 'ReadWrite');
    // By default the read-only nodes are chosen; a ReadWrite endpoint needs the primary too.
    assert.equal(await page.isChecked('[data-testid=endpoint-node-picker] input[data-node=Writer]'), false);
    await page.waitForFunction(() => /at least two nodes/.test(document.querySelector('[data-testid=endpoint-nodes-problem]').textContent));
    assert.ok(await page.isDisabled(submit));
    await page.check('[data-testid=endpoint-node-picker] input[data-node=Writer]');
    await page.selectOption('[data-testid=endpoint-level-select]', '1');
    await page.fill('[data-testid=endpoint-description-input]', 'x'.repeat(65));
    await page.waitForFunction(() => /at most 64 characters/.test(document.querySelector('[data-testid=endpoint-description-problem]').textContent));
    assert.ok(await page.isDisabled(submit));
    await page.fill('[data-testid=endpoint-description-input]', 'e2e-reporting');
    await page.waitForSelector(`${submit}:not([disabled])`);
    await page.click(submit);
    await form.waitFor({ state: 'detached', timeout: STEP });
    const custom = page.locator('[data-testid=endpoint][data-type=Custom]');
    await custom.waitFor({ timeout: STEP });
    const eid = await custom.getAttribute('data-endpoint-id');
    const card = endpointCard(eid);
    assert.equal((await page.textContent(`${card} [data-testid=endpoint-description]`)).trim(), 'e2e-reporting');
    assert.equal(await page.getAttribute(`${card} [data-testid=endpoint-mode]`, 'data-mode'), 'ReadWrite');
    assert.match(await page.textContent(`${card} [data-testid=endpoint-consistency]`), /Session/);
    if (process.env.E2E_SCREENSHOT_ENDPOINTS) {
      await page.screenshot({ path: process.env.E2E_SCREENSHOT_ENDPOINTS, fullPage: true });
    }
    let listed = await api(page, account, 'DescribeDBClusterEndpoints', [['DBClusterId', id], ['DBEndpointId', eid]]);
    assert.ok(listed.ok, JSON.stringify(listed));
    assert.equal(listed.body.Items[0].EndpointType, 'Custom');
    assert.equal(listed.body.Items[0].DBEndpointDescription, 'e2e-reporting');
    assert.equal(listed.body.Items[0].ReadWriteMode, 'ReadWrite');

    // Change it: read-only (eventual consistency follows) and a new name. The cluster goes
    // through CONFIG_SWITCHING; the page follows it by itself.
    await page.click(`${card} [data-testid=edit-endpoint]`);
    await form.waitFor();
    assert.equal(await page.inputValue('[data-testid=endpoint-mode-select]'), 'ReadWrite');
    await page.selectOption('[data-testid=endpoint-mode-select]', 'ReadOnly');
    assert.equal(await page.inputValue('[data-testid=endpoint-level-select]'), '0');
    await page.selectOption('[data-testid=endpoint-level-select]', '1');
    await page.waitForFunction(() => /ReadOnly endpoint takes eventual consistency/.test(document.querySelector('[data-testid=endpoint-level-problem]').textContent));
    assert.ok(await page.isDisabled(submit));
    await page.selectOption('[data-testid=endpoint-level-select]', '0');
    await page.fill('[data-testid=endpoint-description-input]', 'e2e-reporting-ro');
    await page.waitForSelector(`${submit}:not([disabled])`);
    await page.click(submit);
    await form.waitFor({ state: 'detached', timeout: STEP });
    await page.waitForSelector(`${card} [data-testid=endpoint-mode][data-mode=ReadOnly]`, { timeout: STEP });
    await page.waitForFunction((c) => document.querySelector(`${c} [data-testid=endpoint-description]`)?.textContent.trim() === 'e2e-reporting-ro', card, { timeout: STEP });
    listed = await api(page, account, 'DescribeDBClusterEndpoints', [['DBClusterId', id], ['DBEndpointId', eid]]);
    assert.equal(listed.body.Items[0].ReadWriteMode, 'ReadOnly');
    assert.equal(listed.body.Items[0].DBEndpointDescription, 'e2e-reporting-ro');
    await waitFor(async () => (await clusterStatus(page, account, id)) === 'Running', 'the endpoint change to settle');

    // A public address for it: the prefix rule is checked as it is typed.
    const stamp = Date.now().toString(36);
    const prefix1 = `e2e-pub-${stamp}`;
    const prefix2 = `e2e-new-${stamp}`;
    await page.waitForSelector(`${card} [data-testid=add-public-address]:not([disabled])`, { timeout: STEP });
    await page.click(`${card} [data-testid=add-public-address]`);
    const aform = page.locator('[data-testid=address-form]');
    await aform.waitFor();
    await page.fill('[data-testid=address-prefix-input]', 'E2E_bad');
    await page.waitForFunction(() => /lowercase letters, digits and hyphens/.test(document.querySelector('[data-testid=address-prefix-problem]').textContent));
    assert.ok(await page.isDisabled('[data-testid=submit-address]'));
    await page.fill('[data-testid=address-prefix-input]', 'e2e-');
    await page.waitForFunction(() => /6 to 30 characters/.test(document.querySelector('[data-testid=address-prefix-problem]').textContent));
    await page.fill('[data-testid=address-prefix-input]', prefix1);
    await page.waitForSelector('[data-testid=submit-address]:not([disabled])');
    await page.click('[data-testid=submit-address]');
    await aform.waitFor({ state: 'detached', timeout: STEP });
    const publicRow = `${card} tr[data-net-type=Public]`;
    await page.waitForSelector(publicRow, { timeout: STEP });
    assert.match(await page.textContent(`${publicRow} [data-testid=address-connection]`), new RegExp(`^${prefix1}\\.`));
    await waitFor(async () => (await clusterStatus(page, account, id)) === 'Running', 'the address to be created');

    // Change its prefix and port.
    await page.waitForSelector(`${publicRow} [data-testid=edit-address]:not([disabled])`, { timeout: STEP });
    await page.click(`${publicRow} [data-testid=edit-address]`);
    await aform.waitFor();
    assert.equal(await page.inputValue('[data-testid=address-prefix-input]'), prefix1);
    await page.fill('[data-testid=address-port-input]', '6000');
    await page.waitForFunction(() => /from 3000 to 5999/.test(document.querySelector('[data-testid=address-port-problem]').textContent));
    assert.ok(await page.isDisabled('[data-testid=submit-address]'));
    await page.fill('[data-testid=address-port-input]', '3999');
    await page.fill('[data-testid=address-prefix-input]', prefix2);
    await page.waitForSelector('[data-testid=submit-address]:not([disabled])');
    await page.click('[data-testid=submit-address]');
    await aform.waitFor({ state: 'detached', timeout: STEP });
    await page.waitForFunction(([row, p]) => {
      const el = document.querySelector(`${row} [data-testid=address-connection]`);
      const port = document.querySelector(`${row} [data-testid=address-port]`);
      return el && el.textContent.startsWith(`${p}.`) && port.textContent.trim() === '3999';
    }, [publicRow, prefix2], { timeout: STEP });
    listed = await api(page, account, 'DescribeDBClusterEndpoints', [['DBClusterId', id], ['DBEndpointId', eid]]);
    const pub = listed.body.Items[0].AddressItems.find((a) => a.NetType === 'Public');
    assert.ok(pub.ConnectionString.startsWith(`${prefix2}.`), pub.ConnectionString);
    assert.equal(pub.Port, '3999');
    await waitFor(async () => (await clusterStatus(page, account, id)) === 'Running', 'the address change to settle');

    // Release it: the confirmation names the endpoint and the address.
    await page.waitForSelector(`${publicRow} [data-testid=release-address]:not([disabled])`, { timeout: STEP });
    await page.click(`${publicRow} [data-testid=release-address]`);
    const dialog = page.locator('[data-testid=confirm-dialog]');
    await dialog.waitFor();
    assert.match(await dialog.textContent(), new RegExp(`Release the public address of ${eid}`));
    assert.match(await dialog.textContent(), new RegExp(prefix2));
    await page.click('[data-testid=confirm-action]');
    await dialog.waitFor({ state: 'detached', timeout: STEP });
    await page.waitForSelector(publicRow, { state: 'detached', timeout: STEP });
    await waitFor(async () => (await clusterStatus(page, account, id)) === 'Running', 'the address to be released');

    // Delete the custom endpoint, from a confirmation naming it.
    await page.waitForSelector(`${card} [data-testid=delete-endpoint]:not([disabled])`, { timeout: STEP });
    await page.click(`${card} [data-testid=delete-endpoint]`);
    await dialog.waitFor();
    assert.match(await dialog.textContent(), /Delete the custom endpoint e2e-reporting-ro/);
    assert.match(await dialog.textContent(), new RegExp(eid));
    await page.click('[data-testid=confirm-action]');
    await dialog.waitFor({ state: 'detached', timeout: STEP });
    await page.waitForSelector(card, { state: 'detached', timeout: STEP });
    listed = await api(page, account, 'DescribeDBClusterEndpoints', [['DBClusterId', id]]);
    assert.equal(listed.body.Items.filter((e) => e.EndpointType === 'Custom').length, 0);

    // ---- Parameters ---- (client-side navigation through the tab)
    let applyCalls = 0;
    page.on('request', (r) => { if (r.url().includes('/api/apply_parameters')) applyCalls += 1; });
    await page.click('[data-tab=parameters]');
    await page.waitForURL(new RegExp(`/clusters/${id}/parameters\\?`));
    await page.waitForSelector('[data-testid=params-table]');
    const visible = () => page.locator('[data-testid=params-table] tbody tr:not(.hidden)').count();
    const total = await visible();
    assert.ok(total > 10, `${total} parameters`);
    const row = (name) => `[data-testid=params-table] tr[data-param="${name}"]`;
    assert.equal(await page.getAttribute(row('max_prepared_transactions'), 'data-restart'), 'true');
    assert.equal(await page.getAttribute(row('statement_timeout'), 'data-restart'), 'false');

    // Search by name and by description.
    await page.fill('[data-testid=params-search]', 'statement_timeout');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=params-table] tbody tr:not(.hidden)').length === 1);
    await page.fill('[data-testid=params-search]', 'autovacuum worker');
    await page.waitForFunction(() => {
      const rows = [...document.querySelectorAll('[data-testid=params-table] tbody tr:not(.hidden)')];
      return rows.length === 1 && rows[0].dataset.param === 'autovacuum_max_workers';
    });
    await page.fill('[data-testid=params-search]', '');
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid=params-table] tbody tr:not(.hidden)').length === n, total);

    // An invalid value is refused as it is typed; nothing is sent.
    await page.fill(`${row('work_mem')} [data-testid=param-input]`, '10');
    await page.waitForFunction((r) => /must be from 64 to 2147483647/.test(document.querySelector(`${r} [data-testid=param-problem]`).textContent), row('work_mem'));
    await page.waitForSelector('[data-testid=params-blocked]');
    assert.ok(await page.isDisabled('[data-testid=review-params]'));
    await page.fill(`${row('work_mem')} [data-testid=param-input]`, '');

    // Two changes, one of which restarts the cluster: the page says so before applying.
    await page.fill(`${row('statement_timeout')} [data-testid=param-input]`, '30000');
    await page.waitForSelector('[data-testid=review-params]:not([disabled])');
    assert.equal(await page.locator('[data-testid=restart-warning]').count(), 0);
    await page.fill(`${row('max_prepared_transactions')} [data-testid=param-input]`, '900');
    await page.waitForSelector('[data-testid=restart-warning]');
    if (process.env.E2E_SCREENSHOT_PARAMETERS) {
      await page.screenshot({ path: process.env.E2E_SCREENSHOT_PARAMETERS, fullPage: false });
    }
    await page.click('[data-testid=review-params]');
    const review = page.locator('[data-testid=params-review]');
    await review.waitFor();
    assert.equal(await review.locator('tr[data-change]').count(), 2);
    assert.match(await review.textContent(), /The cluster restarts/);
    assert.equal(applyCalls, 0, 'nothing was sent before applying');
    await page.click('[data-testid=apply-params]');
    await review.waitFor({ state: 'detached', timeout: STEP });
    assert.equal(applyCalls, 1);
    // The restart shows, and the page follows it to the end by itself.
    await page.waitForFunction((r) => {
      const el = document.querySelector(`${r} [data-testid=param-current]`);
      return el && el.textContent.trim() === '900';
    }, row('max_prepared_transactions'), { timeout: STEP * 2 });
    await page.waitForFunction((r) => document.querySelector(`${r} [data-testid=param-current]`)?.textContent.trim() === '30000',
      row('statement_timeout'), { timeout: STEP });
    await page.waitForFunction(() => document.querySelector('[data-testid=cluster-status]')?.textContent.trim() === 'Running', null, { timeout: STEP });
    const params = await api(page, account, 'DescribeDBClusterParameters', [['DBClusterId', id]]);
    const value = (n) => params.body.RunningParameters.Parameter.find((p) => p.ParameterName === n).ParameterValue;
    assert.equal(value('max_prepared_transactions'), '900');
    assert.equal(value('statement_timeout'), '30000');
    assert.notEqual(value('work_mem'), '10');

    assert.deepEqual(errors.filter((e) => !/favicon/.test(e)), [], 'browser console errors');
  } finally {
    if (id) {
      // Leave the fleet as the seed made it.
      await waitFor(async () => (await clusterStatus(page, account, id)) === 'Running', 'the cluster to settle before deletion').catch(() => {});
      const del = await api(page, account, 'DeleteDBCluster', [['DBClusterId', id]]);
      if (del.ok) {
        await waitFor(async () => (await clusterStatus(page, account, id)) === null, 'the cluster to go').catch(() => {});
      }
    }
    await context.close();
  }
});
