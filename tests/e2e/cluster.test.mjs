// /clusters/:id and /clusters/:id/nodes after hydration, against the emulator's default
// seed: cluster changes (description, maintenance window, deletion protection, deletion
// of a pay-as-you-go cluster) and node changes (add a reader, restart it, change the
// class, remove it). Each step waits for the state the emulator reaches (one transition
// per --speed-ms, 3 s by default); the pages re-read transitional states by themselves.
// The fleet is left as the seed made it: the other browser tests share the emulator.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launch, signIn, waitForHydration } from './harness.mjs';

const STEP = 30000; // the longest wait for one change to settle

// Opens a cluster from the list by its description; returns its ID.
async function openFromList(page, description) {
  const row = page.locator('[data-testid=cluster-table] tbody tr', {
    has: page.locator('div.muted', { hasText: new RegExp(`^${description}$`) }),
  });
  await row.waitFor();
  const id = await row.getAttribute('data-cluster-id');
  await Promise.all([
    page.waitForURL(new RegExp(`/clusters/${id}\\?account=[^&]+&region=`)),
    row.locator('[data-testid=cluster-link]').click(),
  ]);
  await page.waitForSelector('[data-testid=cluster-overview]');
  return id;
}

const text = async (page, testid) => (await page.textContent(`[data-testid=${testid}]`)).trim();

// Waits until the element's text is `expected` (a string) or matches it (a RegExp).
async function waitText(page, testid, expected) {
  const want = expected instanceof RegExp
    ? { source: expected.source, flags: expected.flags }
    : { exact: expected };
  await page.waitForFunction(([t, w]) => {
    const el = document.querySelector(`[data-testid=${t}]`);
    if (!el) return false;
    const got = el.textContent.trim();
    return w.exact !== undefined ? got === w.exact : new RegExp(w.source, w.flags).test(got);
  }, [testid, want], { timeout: STEP });
}

// Creates a pay-as-you-go cluster through the console's API (as a page would), so that the
// test deletes a cluster of its own and leaves the seed's fleet as it found it (the other
// browser tests share the emulator and count its clusters).
async function createPostpaidCluster(page, account, description) {
  const res = await page.evaluate(async ({ account, description }) => {
    const r = await fetch('/api/call_api', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        account, region: 'cn-hangzhou', action: 'CreateDBCluster',
        params: [['ZoneId', 'cn-hangzhou-i'], ['DBType', 'PostgreSQL'], ['DBVersion', '14'],
          ['DBNodeClass', 'polar.pg.x4.medium'], ['PayType', 'Postpaid'],
          ['DBClusterDescription', description]],
      }),
    });
    return { status: r.status, body: await r.text() };
  }, { account, description });
  assert.equal(res.status, 200, res.body);
  return JSON.parse(JSON.parse(res.body).json).DBClusterId;
}

test('cluster overview: edit description and maintenance window, deletion protection, delete a pay-as-you-go cluster', async () => {
  const { context, page, errors } = await launch();
  try {
    await signIn(page);
    await page.waitForSelector('[data-testid=cluster-table]');
    await waitForHydration(page);

    // A subscription cluster with protection on: delete is refused before anything is sent.
    await openFromList(page, 'orders-prod');
    const account = new URL(page.url()).searchParams.get('account');
    assert.match(await text(page, 'field-pay-type'), /Subscription/);
    assert.equal(await text(page, 'field-deletion-protection'), 'On');
    assert.match(await text(page, 'delete-refused'), /Deletion protection is on/);
    assert.match(await text(page, 'delete-refused'), /Subscription/);
    assert.ok(await page.isDisabled('[data-testid=delete-cluster]'));
    assert.equal(await page.locator('[data-testid=cluster-tabs] a').count(), 11);

    // A pay-as-you-go cluster of the test's own; it is Creating for a while.
    const created = await createPostpaidCluster(page, account, 'e2e-scratch');
    await page.click('a.back-link');
    await page.waitForSelector(`[data-testid=cluster-table] tr[data-cluster-id="${created}"]`);
    const id = await openFromList(page, 'e2e-scratch');
    assert.equal(id, created);
    assert.match(await text(page, 'field-pay-type'), /Pay-as-you-go/);
    assert.equal(await text(page, 'field-deletion-protection'), 'Off');

    // The section tabs navigate client-side, without reloading the page.
    await page.evaluate(() => { window.__noReload = true; });
    await page.click('[data-tab=whitelists]');
    await page.waitForURL(new RegExp(`/clusters/${id}/whitelists\\?account=`));
    await page.waitForSelector('[data-testid=whitelist-table]');
    await page.click('[data-tab=monitoring]');
    await page.waitForSelector('[data-testid=monitor-controls]');
    await page.click('[data-tab=overview]');
    await page.waitForSelector('[data-testid=cluster-overview]');
    assert.equal(await page.evaluate(() => window.__noReload), true, 'the page reloaded');

    // Description: checked as it is typed, then saved.
    await page.click('[data-testid=edit-description]');
    const desc = '[data-testid=description-input]';
    const save = '[data-testid=save-description]';
    await page.fill(desc, 'x');
    await waitText(page, 'description-problem', /at least 2 characters/);
    assert.ok(await page.isDisabled(save));
    await page.fill(desc, 'https://orders');
    await waitText(page, 'description-problem', /must not start with http/);
    assert.ok(await page.isDisabled(save));
    await page.fill(desc, '9orders');
    await waitText(page, 'description-problem', /start with a letter or a Chinese character/);
    await page.fill(desc, 'e2e-scratch-renamed');
    await page.waitForSelector(`${save}:not([disabled])`);
    await page.click(save);
    await waitText(page, 'field-description', 'e2e-scratch-renamed');
    await waitText(page, 'cluster-title', 'e2e-scratch-renamed');

    // Maintenance window: one hour, on the hour, UTC.
    await page.click('[data-testid=edit-maintain-time]');
    const win = '[data-testid=maintain-input]';
    await page.fill(win, '03:00Z-05:00Z');
    await waitText(page, 'maintain-problem', /exactly one hour/);
    assert.ok(await page.isDisabled('[data-testid=save-maintain-time]'));
    await page.fill(win, '03:30Z-04:30Z');
    await waitText(page, 'maintain-problem', /on the hour/);
    await page.fill(win, '03:00Z-04:00Z');
    await waitText(page, 'maintain-problem', /11:00–12:00 UTC\+08:00/);
    await page.click('[data-testid=save-maintain-time]');
    await waitText(page, 'field-maintain-time', '03:00Z-04:00Z');

    // Deletion protection on: delete refused, with the reason, before sending.
    await page.click('[data-testid=toggle-protection]');
    await waitText(page, 'field-deletion-protection', 'On');
    await waitText(page, 'delete-refused', /Deletion protection is on/);
    assert.ok(await page.isDisabled('[data-testid=delete-cluster]'));

    // Off again; once the cluster is Running (the page follows it by itself), delete it,
    // naming what is lost and typing the ID.
    await page.click('[data-testid=toggle-protection]');
    await waitText(page, 'field-deletion-protection', 'Off');
    await waitText(page, 'cluster-status', 'Running');
    await page.waitForSelector('[data-testid=delete-cluster]:not([disabled])');
    await page.click('[data-testid=delete-cluster]');
    const dialog = page.locator('[data-testid=delete-dialog]');
    await dialog.waitFor();
    assert.match(await dialog.textContent(), /all data in the cluster/);
    assert.match(await dialog.textContent(), new RegExp(`${id}`));
    const confirm = '[data-testid=confirm-delete]';
    assert.ok(await page.isDisabled(confirm));
    await page.fill('[data-testid=delete-confirm-input]', 'pc-wrong');
    assert.ok(await page.isDisabled(confirm));
    await page.fill('[data-testid=delete-confirm-input]', id);
    await page.waitForSelector(`${confirm}:not([disabled])`);
    assert.deepEqual(errors.filter((e) => !/favicon/.test(e)), [], 'browser console errors');
    await page.click(confirm);
    await dialog.waitFor({ state: 'detached' });
    await waitText(page, 'cluster-status', 'Deleting');
    // It goes: the page notices by itself, and the list no longer has it.
    await page.waitForSelector('[data-testid=cluster-gone]', { timeout: STEP });
    await page.click('a.back-link');
    await page.waitForSelector('[data-testid=cluster-table]');
    assert.equal(await page.locator(`tr[data-cluster-id="${id}"]`).count(), 0);
  } finally {
    await context.close();
  }
});

test('cluster nodes: add a read-only node, restart it, change the class, remove it', async () => {
  const { context, page, errors } = await launch();
  try {
    await signIn(page);
    await page.waitForSelector('[data-testid=cluster-table]');
    await waitForHydration(page);
    const id = await openFromList(page, 'sg-edge');
    await page.click('[data-tab=nodes]');
    await page.waitForURL(new RegExp(`/clusters/${id}/nodes\\?`));
    await page.waitForSelector('[data-testid=nodes-table]');
    const rows = page.locator('[data-testid=nodes-table] tbody tr');
    const before = await rows.evaluateAll((trs) => trs.map((tr) => tr.dataset.nodeId));
    const oldClass = (await page.textContent('[data-testid=nodes-table] tbody tr [data-testid=node-class]')).trim();

    // Add one reader (PostgreSQL adds one per request: 2 is refused as it is typed).
    await page.click('[data-testid=add-readers]');
    await page.waitForSelector('[data-testid=add-panel]');
    await page.fill('[data-testid=add-count]', '2');
    await waitText(page, 'add-problem', /one read-only node per request/);
    assert.ok(await page.isDisabled('[data-testid=submit-add]'));
    await page.fill('[data-testid=add-count]', '1');
    // The endpoints it joins (EndpointBindList): checked at first, those that add new nodes
    // automatically; none at all cannot be said to the API, so it is refused as chosen.
    const boxes = page.locator('[data-testid=add-endpoints] input[data-endpoint]');
    await boxes.first().waitFor();
    const endpointIds = await boxes.evaluateAll((bs) => bs.map((b) => b.dataset.endpoint));
    const autoIds = await boxes.evaluateAll((bs) => bs.filter((b) => b.checked).map((b) => b.dataset.endpoint));
    for (const b of await boxes.all()) if (await b.isChecked()) await b.uncheck();
    if (autoIds.length) {
      await waitText(page, 'bind-problem', /choose at least one/);
      assert.ok(await page.isDisabled('[data-testid=submit-add]'));
    }
    const joined = endpointIds[endpointIds.length - 1];
    await page.check(`[data-testid=add-endpoints] input[data-endpoint="${joined}"]`);
    await page.waitForSelector('[data-testid=submit-add]:not([disabled])');
    await page.click('[data-testid=submit-add]');
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid=nodes-table] tbody tr').length === n,
      before.length + 1, { timeout: STEP });
    const added = (await rows.evaluateAll((trs) => trs.map((tr) => tr.dataset.nodeId))).find((n) => !before.includes(n));
    assert.ok(added, 'a new node row');
    const row = `tr[data-node-id="${added}"]`;
    assert.equal(await page.getAttribute(row, 'data-role'), 'Reader');
    await page.waitForSelector(`${row}[data-status=Running]`, { timeout: STEP });
    // It joined the endpoint chosen, and no endpoint that was not.
    const account = new URL(page.url()).searchParams.get('account');
    const endpoints = await page.evaluate(async ({ account, id }) => {
      const r = await fetch('/api/call_api', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ account, region: new URL(location.href).searchParams.get('region'), action: 'DescribeDBClusterEndpoints', params: [['DBClusterId', id]] }),
      });
      return JSON.parse(JSON.parse(await r.text()).json).Items;
    }, { account, id });
    for (const e of endpoints.filter((e) => endpointIds.includes(e.DBEndpointId))) {
      assert.equal(e.Nodes.split(',').includes(added), e.DBEndpointId === joined, `${e.DBEndpointId}: ${e.Nodes}`);
    }

    // Restart it: the confirmation names the node and its role.
    await page.click(`${row} [data-testid=restart-node]`);
    const dialog = page.locator('[data-testid=confirm-dialog]');
    await dialog.waitFor();
    assert.match(await dialog.textContent(), new RegExp(`Restart ${added} \\(read-only\\)`));
    await page.click('[data-testid=confirm-action]');
    await dialog.waitFor({ state: 'detached' });
    await page.waitForSelector(`${row}[data-status=Rebooting]`, { timeout: STEP });
    await page.waitForSelector(`${row}[data-status=Running]`, { timeout: STEP });

    // Change the class of all nodes (an upgrade; a downgrade choice is caught as typed).
    const target = 'polar.pg.x8.medium';
    assert.notEqual(oldClass, target);
    await page.click('[data-testid=change-class]');
    await page.waitForSelector(`[data-testid=class-select] option[value="${target}"]`, { state: 'attached' });
    await page.selectOption('[data-testid=class-select]', target);
    assert.equal(await page.inputValue('[data-testid=modify-type]'), 'Upgrade');
    await page.selectOption('[data-testid=modify-type]', 'Downgrade');
    await waitText(page, 'class-problem', /this is an upgrade/);
    await page.selectOption('[data-testid=modify-type]', 'Upgrade');
    await page.waitForSelector('[data-testid=submit-class]:not([disabled])');
    await page.click('[data-testid=submit-class]');
    await page.waitForFunction((want) => {
      const trs = [...document.querySelectorAll('[data-testid=nodes-table] tbody tr')];
      return trs.length > 0 && trs.every((tr) => tr.dataset.status === 'Running'
        && tr.querySelector('[data-testid=node-class]').textContent.trim() === want);
    }, target, { timeout: STEP });

    // Remove the added reader.
    await page.click(`${row} [data-testid=remove-node]`);
    await dialog.waitFor();
    assert.match(await dialog.textContent(), new RegExp(`Remove ${added} \\(read-only\\)`));
    await page.click('[data-testid=confirm-action]');
    await dialog.waitFor({ state: 'detached' });
    await page.waitForSelector(row, { state: 'detached', timeout: STEP });
    assert.equal(await rows.count(), before.length);

    // Back to the seed's class (a downgrade), for the tests that come after.
    await page.click('[data-testid=change-class]');
    await page.waitForSelector(`[data-testid=class-select] option[value="${oldClass}"]`, { state: 'attached' });
    await page.selectOption('[data-testid=class-select]', oldClass);
    assert.equal(await page.inputValue('[data-testid=modify-type]'), 'Downgrade');
    await page.click('[data-testid=submit-class]');
    await page.waitForFunction((want) => {
      const trs = [...document.querySelectorAll('[data-testid=nodes-table] tbody tr')];
      return trs.length > 0 && trs.every((tr) => tr.dataset.status === 'Running'
        && tr.querySelector('[data-testid=node-class]').textContent.trim() === want);
    }, oldClass, { timeout: STEP });

    assert.deepEqual(errors.filter((e) => !/favicon/.test(e)), [], 'browser console errors');
  } finally {
    await context.close();
  }
});
