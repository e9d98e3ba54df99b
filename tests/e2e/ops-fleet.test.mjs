// /tags, /events and /tasks after hydration, against the emulator's default seed: tag three
// clusters in three regions at once, follow the tag's link to the filtered cluster list,
// untag one, change and remove a tag on a cluster's Tags tab; reschedule a pending
// maintenance event and see the new time (and the history of past events); cancel a
// scheduled task of a cluster of the test's own. Every change is checked through
// `/api/call_api` reads too, and the seed is left as it was: the tag is removed again, the
// event gets its original time back, the test's cluster is deleted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launch, signIn, waitForHydration } from './harness.mjs';

const STEP = 30000;
const KEY = 'e2e-ops';
const VALUE = 'fleet-check';
// Three seed clusters in three regions, so the change goes out as three calls.
const PICK = ['orders-staging', 'payments-dr', 'crm'];

// Calls an action through the console (role check and audit included), as a page would.
async function api(page, account, region, action, params) {
  const res = await page.evaluate(async ({ account, region, action, params }) => {
    const r = await fetch('/api/call_api', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ account, region, action, params }),
    });
    return { status: r.status, body: await r.text() };
  }, { account, region, action, params });
  assert.equal(res.status, 200, `${action}: ${res.body}`);
  return JSON.parse(JSON.parse(res.body).json);
}

async function tagsOf(page, account, region, id) {
  const body = await api(page, account, region, 'ListTagResources',
    [['ResourceType', 'cluster'], ['ResourceId.1', id]]);
  return Object.fromEntries(body.TagResources.TagResource.map((t) => [t.TagKey, t.TagValue]));
}

// The row of a cluster on /tags, by its description.
function clusterRow(page, description) {
  return page.locator('[data-testid=tag-clusters] tbody tr', {
    has: page.locator('div.muted', { hasText: new RegExp(`^${description}$`) }),
  });
}

async function waitCount(page, selector, n) {
  await page.waitForFunction(([s, n]) => document.querySelectorAll(s).length === n, [selector, n], { timeout: STEP });
}

const pad = (n) => String(n).padStart(2, '0');
const fieldValue = (d) => `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;

test('tags: tag three clusters at once, filter the list by the tag, untag one, edit on the Tags tab', async () => {
  const { context, page, errors } = await launch();
  let account;
  const picked = []; // { id, region }
  try {
    await signIn(page);
    await page.goto(`${page.url().split('/clusters')[0]}/tags`);
    await page.waitForSelector('[data-testid=tag-clusters]');
    await waitForHydration(page);

    for (const d of PICK) {
      const row = clusterRow(page, d);
      const id = await row.getAttribute('data-cluster-id');
      const region = await row.getAttribute('data-region');
      const href = await row.locator('a.mono').getAttribute('href');
      account = new URL(href, 'http://x').searchParams.get('account');
      picked.push({ id, region, description: d });
      await row.locator('[data-testid=select-cluster]').check();
    }
    assert.equal(new Set(picked.map((p) => p.region)).size, 3, 'three regions');
    await page.waitForFunction(() => document.querySelector('[data-testid=selected-count]').textContent.startsWith('3 selected'));

    // Checked as typed: a forbidden prefix, then a duplicate key.
    const submit = '[data-testid=submit-tag]';
    await page.fill('[data-testid=tag-key] >> nth=0', 'aliyun-owner');
    await page.waitForFunction(() => /aliyun/.test(document.querySelector('[data-testid=tag-problem]').textContent));
    assert.ok(await page.isDisabled(submit));
    await page.fill('[data-testid=tag-key] >> nth=0', 'acs:owner');
    await page.waitForFunction(() => /acs:/.test(document.querySelector('[data-testid=tag-problem]').textContent));
    await page.fill('[data-testid=tag-key] >> nth=0', KEY);
    await page.fill('[data-testid=tag-value] >> nth=0', VALUE);
    await page.click('[data-testid=add-tag-row]');
    await page.fill('[data-testid=tag-key] >> nth=1', KEY);
    await page.waitForFunction(() => /given twice/.test(document.querySelector('[data-testid=tag-problem]').textContent));
    assert.ok(await page.isDisabled(submit));
    await page.fill('[data-testid=tag-key] >> nth=1', '');
    await page.waitForSelector(`${submit}:not([disabled])`);
    await page.click(submit);

    // One result a region, all fine; the index then shows the pair on three clusters.
    await waitCount(page, '[data-testid=tag-outcomes] li[data-ok=true]', 3);
    const pair = `[data-testid=tag-index] tr[data-tag-key="${KEY}"][data-tag-value="${VALUE}"]`;
    await page.waitForFunction((s) => document.querySelector(`${s} [data-testid=tag-count]`)?.textContent.trim() === '3', pair, { timeout: STEP });
    for (const p of picked) {
      assert.equal((await tagsOf(page, account, p.region, p.id))[KEY], VALUE, `${p.id} carries the tag`);
    }

    // The tag's link opens the cluster list filtered by it.
    await Promise.all([
      page.waitForURL(/\/clusters\?tag=e2e-ops&tagv=fleet-check/),
      page.click(`${pair} [data-testid=tag-filter-link]`),
    ]);
    await page.waitForSelector('[data-testid=cluster-table]');
    const listed = await page.locator('[data-testid=cluster-table] tbody tr').evaluateAll((trs) => trs.map((tr) => tr.dataset.clusterId).sort());
    assert.deepEqual(listed, picked.map((p) => p.id).sort());

    // Untag one (crm) from /tags.
    await page.goto(page.url().split('/clusters')[0] + '/tags');
    await page.waitForSelector('[data-testid=tag-clusters]');
    await waitForHydration(page);
    const crm = picked[2];
    await clusterRow(page, crm.description).locator('[data-testid=select-cluster]').check();
    await page.check(`[data-testid=untag-key][value="${KEY}"]`);
    await page.waitForSelector('[data-testid=submit-untag]:not([disabled])');
    await page.click('[data-testid=submit-untag]');
    await waitCount(page, '[data-testid=untag-outcomes] li[data-ok=true]', 1);
    await page.waitForFunction((s) => document.querySelector(`${s} [data-testid=tag-count]`)?.textContent.trim() === '2', pair, { timeout: STEP });
    assert.equal((await tagsOf(page, account, crm.region, crm.id))[KEY], undefined, 'crm no longer carries the tag');
    assert.equal((await tagsOf(page, account, picked[0].region, picked[0].id))[KEY], VALUE);

    // A cluster's own Tags tab: change the value, then remove the tag.
    const dr = picked[1];
    await page.goto(`${page.url().split('/tags')[0]}/clusters/${dr.id}/tags?account=${encodeURIComponent(account)}&region=${dr.region}`);
    await page.waitForSelector('[data-testid=own-tags]');
    await waitForHydration(page);
    const own = `[data-testid=own-tags] tr[data-tag-key="${KEY}"]`;
    assert.equal((await page.textContent(`${own} [data-testid=own-tag-value]`)).trim(), VALUE);
    await page.click(`${own} [data-testid=edit-tag]`);
    await page.fill('[data-testid=own-tag-value-input]', 'https://nope');
    await page.waitForFunction(() => /http/.test(document.querySelector('[data-testid=own-tag-problem]').textContent));
    assert.ok(await page.isDisabled('[data-testid=save-tag]'));
    await page.fill('[data-testid=own-tag-value-input]', 'changed');
    await page.waitForSelector('[data-testid=save-tag]:not([disabled])');
    await page.click('[data-testid=save-tag]');
    await page.waitForFunction((s) => document.querySelector(`${s} [data-testid=own-tag-value]`)?.textContent.trim() === 'changed', own, { timeout: STEP });
    assert.equal((await tagsOf(page, account, dr.region, dr.id))[KEY], 'changed');
    await page.click(`${own} [data-testid=remove-tag]`);
    await page.waitForSelector(own, { state: 'detached', timeout: STEP });
    assert.equal((await tagsOf(page, account, dr.region, dr.id))[KEY], undefined);
    assert.deepEqual(errors.filter((e) => !/favicon/.test(e)), [], 'browser console errors');
  } finally {
    // Leave the seed as it was.
    if (account) {
      for (const p of picked) {
        await api(page, account, p.region, 'UntagResources',
          [['ResourceType', 'cluster'], ['ResourceId.1', p.id], ['TagKey.1', KEY]]).catch(() => {});
      }
    }
    await context.close();
  }
});

test('events: reschedule a pending maintenance event within its window, see the new time, read the history', async () => {
  const { context, page, errors } = await launch();
  let restore;
  try {
    await signIn(page);
    const base = page.url().split('/clusters')[0];
    // The account name, from the cluster list's links.
    await page.waitForSelector('[data-testid=cluster-link]');
    const account = new URL(await page.getAttribute('[data-testid=cluster-link] >> nth=0', 'href'), base).searchParams.get('account');

    await page.goto(`${base}/events`);
    await page.waitForSelector('[data-testid=events-table]');
    await waitForHydration(page);
    assert.ok(Number((await page.textContent('[data-testid=count-all]')).trim()) >= 3);

    // The seed's scheduled upgrade of orders-prod (event 10001, cn-hangzhou).
    const row = 'tr[data-event-id="10001"]';
    await page.waitForSelector(row);
    const before = (await api(page, account, 'cn-hangzhou', 'DescribePendingMaintenanceAction',
      [['Region', 'cn-hangzhou'], ['TaskType', 'all']])).Items.find((e) => Number(e.Id) === 10001);
    assert.ok(before, 'event 10001 is pending');
    restore = { account, switchTime: before.SwitchTime };
    const deadline = new Date(before.Deadline);

    await page.check(`${row} [data-testid=select-event]`);
    const input = '[data-testid=switch-input]';
    const submit = '[data-testid=submit-reschedule]';
    // After the deadline: refused as typed.
    await page.fill(input, fieldValue(new Date(deadline.getTime() + 2 * 86400000)));
    await page.waitForFunction(() => /deadline/.test(document.querySelector('[data-testid=reschedule-problem]').textContent));
    assert.ok(await page.isDisabled(submit));
    // In the past: refused as typed.
    await page.fill(input, fieldValue(new Date(Date.now() - 86400000)));
    await page.waitForFunction(() => /future/.test(document.querySelector('[data-testid=reschedule-problem]').textContent));
    assert.ok(await page.isDisabled(submit));
    // The day before the deadline, 03:00 UTC.
    const target = new Date(deadline.getTime() - 86400000);
    target.setUTCHours(3, 0, 0, 0);
    const value = fieldValue(target);
    await page.fill(input, value);
    await page.waitForFunction((v) => document.querySelector('[data-testid=reschedule-problem]').textContent.includes(`SwitchTime=${v}Z`), value);
    await page.waitForSelector(`${submit}:not([disabled])`);
    await page.click(submit);
    await waitCount(page, '[data-testid=reschedule-outcomes] li[data-ok=true]', 1);
    const shown = `${value.replace('T', ' ')}:00 UTC`;
    await page.waitForFunction(([r, s]) => document.querySelector(`${r} [data-testid=switch-time]`)?.textContent.trim() === s,
      [row, shown], { timeout: STEP });
    const after = (await api(page, account, 'cn-hangzhou', 'DescribePendingMaintenanceAction',
      [['Region', 'cn-hangzhou'], ['TaskType', 'all']])).Items.find((e) => Number(e.Id) === 10001);
    assert.equal(after.SwitchTime, `${value}:00Z`);

    // History: the seed's finished and cancelled events.
    await page.click('[data-testid=show-history]');
    await page.waitForSelector('tr[data-event-id="10005"]', { timeout: STEP });
    assert.match(await page.textContent('tr[data-event-id="10005"] [data-testid=event-status]'), /Cancelled/);
    assert.equal(await page.locator('[data-testid=reschedule-panel]').count(), 0);
    assert.deepEqual(errors.filter((e) => !/favicon/.test(e)), [], 'browser console errors');
  } finally {
    if (restore) {
      await api(page, restore.account, 'cn-hangzhou', 'ModifyPendingMaintenanceAction',
        [['Ids', '10001'], ['SwitchTime', restore.switchTime]]).catch(() => {});
    }
    await context.close();
  }
});

test('tasks: a class change planned on the nodes tab shows as a pending task and is cancelled after confirmation', async () => {
  const { context, page, errors } = await launch();
  let created;
  let account;
  try {
    await signIn(page);
    const base = page.url().split('/clusters')[0];
    await page.waitForSelector('[data-testid=cluster-link]');
    account = new URL(await page.getAttribute('[data-testid=cluster-link] >> nth=0', 'href'), base).searchParams.get('account');

    // A pay-as-you-go cluster of the test's own, Running.
    created = (await api(page, account, 'cn-hangzhou', 'CreateDBCluster', [
      ['ZoneId', 'cn-hangzhou-i'], ['DBType', 'PostgreSQL'], ['DBVersion', '14'],
      ['DBNodeClass', 'polar.pg.x4.medium'], ['PayType', 'Postpaid'], ['DBClusterDescription', 'e2e-ops-tasks'],
    ])).DBClusterId;
    const deadline = Date.now() + 90000;
    for (;;) {
      const a = await api(page, account, 'cn-hangzhou', 'DescribeDBClusterAttribute', [['DBClusterId', created]]);
      if (a.DBClusterStatus === 'Running') break;
      assert.ok(Date.now() < deadline, `cluster still ${a.DBClusterStatus}`);
      await page.waitForTimeout(1000);
    }
    // The class upgrade, planned two hours ahead on the nodes tab (#17.2): a pending
    // scheduled task, the nodes unchanged.
    const start = new Date(Date.now() + 2 * 3600000);
    start.setUTCSeconds(0, 0);
    const field = start.toISOString().slice(0, 16);
    await page.goto(`${base}/clusters/${created}/nodes?account=${encodeURIComponent(account)}&region=cn-hangzhou`);
    await page.waitForSelector('[data-testid=change-class]');
    await waitForHydration(page);
    await page.click('[data-testid=change-class]');
    await page.waitForSelector('[data-testid=class-select] option[value="polar.pg.x4.large"]', { state: 'attached', timeout: STEP });
    await page.selectOption('[data-testid=class-select]', 'polar.pg.x4.large');
    await page.check('[data-testid=planned-later]');
    // A start more than a day ahead is refused as it is typed.
    const tooLate = new Date(Date.now() + 30 * 3600000).toISOString().slice(0, 16);
    await page.fill('[data-testid=planned-start]', tooLate);
    await page.waitForSelector('[data-testid=planned-problem] .field-error', { timeout: STEP });
    assert.ok(await page.isDisabled('[data-testid=submit-class]'), 'a start beyond 24 hours cannot be sent');
    await page.fill('[data-testid=planned-start]', field);
    await page.waitForSelector('[data-testid=submit-class]:not([disabled])', { timeout: STEP });
    await page.click('[data-testid=submit-class]');
    await page.waitForSelector('[data-testid=nodes-done]', { timeout: STEP });
    assert.match(await page.textContent('[data-testid=nodes-done]'), /planned from/);
    const after = await api(page, account, 'cn-hangzhou', 'DescribeDBClusterAttribute', [['DBClusterId', created]]);
    assert.equal(after.DBNodes[0].DBNodeClass, 'polar.pg.x4.medium', 'not before its time');

    await page.goto(`${base}/tasks`);
    await page.waitForSelector('[data-testid=filter-cluster]');
    await waitForHydration(page);
    await page.selectOption('[data-testid=filter-cluster]', `${account}|cn-hangzhou|${created}`);
    const row = `[data-testid=tasks-table] tr[data-cluster-id="${created}"]`;
    await page.waitForSelector(`${row}[data-status=pending]`, { timeout: STEP });
    // The filtered answer replaces the unfiltered one (which has the row too): wait for it.
    await waitCount(page, '[data-testid=tasks-table] tbody tr', 1);
    assert.match(await page.textContent(row), /Change node class/);

    // Cancel: a confirmation first; keeping it changes nothing.
    await page.click(`${row} [data-testid=cancel-task]`);
    await page.waitForSelector('[data-testid=cancel-dialog]');
    assert.match(await page.textContent('[data-testid=cancel-dialog]'), new RegExp(created));
    await page.click('[data-testid=keep-task]');
    await page.waitForSelector('[data-testid=cancel-dialog]', { state: 'detached' });
    await page.click(`${row} [data-testid=cancel-task]`);
    await page.click('[data-testid=confirm-cancel-task]');
    await page.waitForSelector('[data-testid=tasks-done]', { timeout: STEP });
    await page.waitForSelector(`${row}[data-status=cancel]`, { timeout: STEP });
    assert.equal(await page.locator(`${row} [data-testid=cancel-task]`).count(), 0, 'a cancelled task offers no cancel');
    const tasks = await api(page, account, 'cn-hangzhou', 'DescribeScheduleTasks', [['DBClusterId', created]]);
    assert.deepEqual(tasks.Data.TimerInfos.map((t) => t.Status), ['cancel']);

    // Filtered to pending tasks, it is gone.
    await page.selectOption('[data-testid=filter-status]', 'pending');
    await page.waitForFunction((id) => !document.querySelector(`[data-testid=tasks-table] tr[data-cluster-id="${id}"]`), created, { timeout: STEP });
    assert.deepEqual(errors.filter((e) => !/favicon/.test(e)), [], 'browser console errors');
  } finally {
    if (created) {
      // Delete the test's cluster and wait until the fleet no longer lists it.
      await api(page, account, 'cn-hangzhou', 'DeleteDBCluster', [['DBClusterId', created]]).catch(() => {});
      const until = Date.now() + 90000;
      while (Date.now() < until) {
        const list = await api(page, account, 'cn-hangzhou', 'DescribeDBClusters', [['DBClusterIds', created]]).catch(() => null);
        if (list && !(list.Items?.DBCluster || []).some((c) => c.DBClusterId === created)) break;
        await page.waitForTimeout(1000);
      }
    }
    await context.close();
  }
});

test('renewals: two subscription clusters in one region set to renew for 3 months in one call, then put back', async () => {
  const { context, page, errors } = await launch();
  try {
    await signIn(page);
    await page.goto(`${new URL(page.url()).origin}/renewals`);
    await waitForHydration(page);
    await page.waitForSelector('[data-testid=renewal-table] tbody tr');
    const rows = await page.$$eval('[data-testid=renewal-table] tbody tr', (trs) => trs
      .filter((tr) => tr.querySelector('[data-testid=renewal-pick]'))
      .map((tr) => ({
        id: tr.dataset.clusterId,
        status: tr.dataset.status,
        account: tr.children[2].textContent.trim(),
        region: tr.children[3].textContent.trim(),
      })));
    // Two clusters of one account and region: one call names both.
    const byPlace = {};
    for (const r of rows) (byPlace[`${r.account} ${r.region}`] ||= []).push(r);
    const pair = Object.values(byPlace).find((l) => l.length >= 2);
    assert.ok(pair, `two subscription clusters in one place: ${JSON.stringify(rows)}`);
    const [a, b] = pair;
    const before = await api(page, a.account, a.region, 'DescribeAutoRenewAttribute', [['DBClusterIds', `${a.id},${b.id}`]]);
    const old = Object.fromEntries(before.Items.AutoRenewAttribute.map((x) => [x.DBClusterId, x]));

    // Nothing chosen: the form says so.
    await page.waitForSelector('[data-testid=renewal-problem]');
    assert.match(await page.textContent('[data-testid=renewal-problem]'), /Choose the clusters/);
    for (const r of [a, b]) await page.check(`[data-testid=renewal-table] tr[data-cluster-id="${r.id}"] [data-testid=renewal-pick]`);
    await page.selectOption('[data-testid=renewal-status]', 'AutoRenewal');
    await page.fill('[data-testid=renewal-duration]', '4');
    await page.waitForFunction(() => /renews for 1, 2, 3, 6 or 12 months/i.test(document.querySelector('[data-testid=renewal-problem]')?.textContent || ''));
    assert.ok(await page.isDisabled('[data-testid=renewal-apply]'));
    await page.fill('[data-testid=renewal-duration]', '3');
    await page.waitForSelector('[data-testid=renewal-apply]:not([disabled])');
    await page.click('[data-testid=renewal-apply]');
    await page.waitForSelector('[data-testid=renewal-outcomes] li', { timeout: STEP });
    const outcomes = await page.$$eval('[data-testid=renewal-outcomes] li', (ls) => ls.map((l) => ({ ok: l.dataset.ok, text: l.textContent })));
    assert.equal(outcomes.length, 1, JSON.stringify(outcomes));
    assert.equal(outcomes[0].ok, 'true', JSON.stringify(outcomes));
    assert.match(outcomes[0].text, /2 clusters changed/);
    const after = await api(page, a.account, a.region, 'DescribeAutoRenewAttribute', [['DBClusterIds', `${a.id},${b.id}`]]);
    for (const x of after.Items.AutoRenewAttribute) {
      assert.equal(x.RenewalStatus, 'AutoRenewal');
      assert.equal(String(x.Duration), '3');
      assert.equal(x.PeriodUnit, 'Month');
    }
    await page.waitForFunction((id) => /renews automatically for 3 months/.test(
      document.querySelector(`[data-testid=renewal-table] tr[data-cluster-id="${id}"] [data-testid=renewal-label]`)?.textContent || ''), a.id, { timeout: STEP });

    // Put the seed back as it was, through the API.
    for (const r of [a, b]) {
      const o = old[r.id];
      const params = [['DBClusterIds', r.id], ['RenewalStatus', o.RenewalStatus]];
      if (o.RenewalStatus === 'AutoRenewal') params.push(['Duration', String(o.Duration)], ['PeriodUnit', o.PeriodUnit]);
      await api(page, r.account, r.region, 'ModifyAutoRenewAttribute', params);
    }
    assert.deepEqual(errors.filter((e) => !/favicon/.test(e)), [], 'browser console errors');
  } finally {
    await context.close();
  }
});
