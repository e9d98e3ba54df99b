// /clusters filters, sorting and pages (all in the address, so a link reproduces the list),
// the /clusters/new wizard creating a cluster that the page follows to Running, and a
// failover to a chosen reader on that cluster. The cluster is deleted at the end, so the
// fleet is left as the seed made it (the other browser tests count its clusters).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launch, signIn, waitForHydration, BASE } from './harness.mjs';

const STEP = 45000; // the longest wait for one change to settle

const rowIds = (page) => page.locator('[data-testid=cluster-table] tbody tr')
  .evaluateAll((trs) => trs.map((tr) => tr.dataset.clusterId));
const rowNames = (page) => page.locator('[data-testid=cluster-table] tbody tr td:first-child > div.muted')
  .evaluateAll((ds) => ds.map((d) => d.textContent.trim()));

async function waitRows(page, n) {
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid=cluster-table] tbody tr').length === n,
    n, { timeout: STEP });
}

async function waitText(page, testid, re) {
  await page.waitForFunction(([t, s, f]) => {
    const el = document.querySelector(`[data-testid=${t}]`);
    return el && new RegExp(s, f).test(el.textContent.trim());
  }, [testid, re.source, re.flags], { timeout: STEP });
}

async function callApi(page, account, region, action, params) {
  const res = await page.evaluate(async (body) => {
    const r = await fetch('/api/call_api', {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
    });
    return { status: r.status, body: await r.text() };
  }, { account, region, action, params });
  assert.equal(res.status, 200, res.body);
  return JSON.parse(JSON.parse(res.body).json);
}

test('cluster list: filters, shared links, sorting and pages', async () => {
  const { context, page, errors } = await launch();
  try {
    await signIn(page);
    await page.waitForSelector('[data-testid=cluster-table]');

    // By the address (a shared link): engine version 11.
    await page.goto(`${BASE}/clusters?version=11`);
    await waitRows(page, 2);
    assert.deepEqual((await rowNames(page)).sort(), ['analytics', 'crm']);
    assert.equal(await page.inputValue('[data-testid=filter-version]'), '11');

    // By status and text through the form, after hydration.
    await page.goto(`${BASE}/clusters`);
    await page.waitForSelector('[data-testid=cluster-table]');
    await waitForHydration(page);
    await page.evaluate(() => { window.__noReload = true; });
    await page.fill('[data-testid=filter-q]', 'payments');
    await page.selectOption('[data-testid=filter-status]', 'Running');
    await Promise.all([
      page.waitForURL(/q=payments/),
      page.click('[data-testid=apply-filters]'),
    ]);
    assert.match(page.url(), /status=Running/);
    await waitRows(page, 2);
    assert.deepEqual((await rowNames(page)).sort(), ['payments-dr', 'payments-prod']);
    assert.equal(await page.evaluate(() => window.__noReload), true, 'the form reloaded the page');
    const shared = page.url();

    // Tag and billing: a key and value; subscription only.
    await page.fill('[data-testid=filter-q]', '');
    await page.fill('[data-testid=filter-tag]', 'env');
    await page.fill('[data-testid=filter-tag-value]', 'prod');
    await page.selectOption('[data-testid=filter-pay]', 'Prepaid');
    await Promise.all([page.waitForURL(/tag=env/), page.click('[data-testid=apply-filters]')]);
    await page.waitForFunction(() => {
      const names = [...document.querySelectorAll('[data-testid=cluster-table] tbody tr td:first-child > div.muted')].map((d) => d.textContent.trim());
      return names.length === 4 && !names.includes('sg-edge');
    }, null, { timeout: STEP });
    assert.deepEqual((await rowNames(page)).sort(), ['analytics', 'eu-gdpr', 'orders-prod', 'payments-prod']);
    // Nothing matches: said plainly.
    await page.fill('[data-testid=filter-q]', 'no-such-cluster');
    await Promise.all([page.waitForURL(/q=no-such-cluster/), page.click('[data-testid=apply-filters]')]);
    await page.waitForSelector('[data-testid=no-clusters]');

    // The shared link reproduces the list in a fresh page (no hydration needed).
    const other = await context.newPage();
    await other.goto(shared);
    await waitRows(other, 2);
    assert.deepEqual((await rowNames(other)).sort(), ['payments-dr', 'payments-prod']);
    assert.equal(await other.inputValue('[data-testid=filter-q]'), 'payments');
    assert.equal(await other.inputValue('[data-testid=filter-status]'), 'Running');
    await other.close();

    // Sorting by a column header, then the other way.
    await page.goto(`${BASE}/clusters`);
    await page.waitForSelector('[data-testid=cluster-table]');
    await waitForHydration(page);
    await Promise.all([page.waitForURL(/sort=created$/), page.click('[data-sort=created]')]);
    await page.waitForSelector('th[aria-sort=ascending] [data-sort=created]');
    const created = () => page.locator('[data-testid=cluster-table] tbody tr td.mono')
      .evaluateAll((tds) => tds.map((td) => td.textContent.trim()));
    const asc = await created();
    assert.deepEqual(asc, [...asc].sort());
    await Promise.all([page.waitForURL(/dir=desc/), page.click('[data-sort=created]')]);
    await page.waitForSelector('th[aria-sort=descending] [data-sort=created]');
    const desc = await created();
    assert.deepEqual(desc, [...asc].sort().reverse());

    // Pages: three a page makes three pages of the eight seed clusters.
    await page.goto(`${BASE}/clusters?sort=id&per=3`);
    await page.waitForSelector('[data-testid=page-info]');
    await waitForHydration(page);
    assert.equal((await page.textContent('[data-testid=page-info]')).trim(), 'Page 1 of 3');
    const first = await rowIds(page);
    assert.equal(first.length, 3);
    await Promise.all([page.waitForURL(/page=2/), page.locator('[data-testid=page-next]').first().click()]);
    await waitText(page, 'page-info', /^Page 2 of 3$/);
    const second = await rowIds(page);
    assert.equal(second.length, 3);
    assert.ok(second.every((id) => !first.includes(id)), 'page 2 shows other clusters');
    assert.ok(first[2] < second[0], 'sorted by ID across pages');
    assert.match(page.url(), /per=3/);
    assert.match(page.url(), /sort=id/);

    assert.deepEqual(errors.filter((e) => !/favicon/.test(e)), [], 'browser console errors');
  } finally {
    await context.close();
  }
});

test('create wizard: a cluster created with a ClientToken reaches Running; failover to its reader', async () => {
  const { context, page, errors } = await launch();
  let created = null;
  let account = null;
  try {
    await signIn(page);
    await page.waitForSelector('[data-testid=cluster-table]');
    await waitForHydration(page);
    await Promise.all([page.waitForURL(/\/clusters\/new$/), page.click('[data-testid=create-cluster]')]);
    await page.waitForSelector('[data-testid=create-wizard]');
    await waitForHydration(page);
    account = await page.inputValue('[data-testid=wiz-account]');

    // Step 1: where and how it is paid for. A subscription length out of range is refused.
    await page.selectOption('[data-testid=wiz-region]', 'cn-hangzhou');
    await page.selectOption('[data-testid=wiz-pay]', 'Prepaid');
    await page.fill('[data-testid=wiz-used-time]', '12');
    await waitText(page, 'step-problem', /1 to 9 months/);
    assert.ok(await page.isDisabled('[data-testid=wiz-next]'));
    await page.selectOption('[data-testid=wiz-pay]', 'Postpaid');
    await page.waitForSelector('[data-testid=wiz-next]:not([disabled])');
    await page.click('[data-testid=wiz-next]');

    // Step 2: zone, version and class from DescribeDBClusterAvailableResources.
    await page.waitForSelector('[data-testid=wiz-zone] option[value=cn-hangzhou-i]', { state: 'attached' });
    await page.selectOption('[data-testid=wiz-zone]', 'cn-hangzhou-i');
    await page.waitForSelector('[data-testid=wiz-class] option[value="polar.pg.x4.medium"]', { state: 'attached' });
    await page.selectOption('[data-testid=wiz-class]', 'polar.pg.x4.medium');
    await page.waitForSelector('[data-testid=wiz-next]:not([disabled])');
    await page.click('[data-testid=wiz-next]');

    // Step 3: network IDs are checked by shape; a VPC needs its vSwitch.
    await page.fill('[data-testid=wiz-vpc]', 'vpc-x');
    await waitText(page, 'step-problem', /VPC must look like vpc-/);
    assert.ok(await page.isDisabled('[data-testid=wiz-next]'));
    await page.fill('[data-testid=wiz-vpc]', 'vpc-e2ewizard0001');
    await waitText(page, 'step-problem', /vSwitch is required/);
    await page.fill('[data-testid=wiz-vswitch]', 'vsw-e2ewizard0001');
    // The first whitelist, each entry checked.
    await page.fill('[data-testid=wiz-security-ips]', '10.20.0.0/16, 10.20.1.300');
    await waitText(page, 'step-problem', /Whitelist .*10\.20\.1\.300/);
    assert.ok(await page.isDisabled('[data-testid=wiz-next]'));
    await page.fill('[data-testid=wiz-security-ips]', '10.20.0.0/16\n192.168.7.8');
    await page.waitForSelector('[data-testid=wiz-next]:not([disabled])');
    await page.click('[data-testid=wiz-next]');

    // Step 4: name and a tag.
    await page.fill('[data-testid=wiz-description]', '1bad');
    await waitText(page, 'step-problem', /Description must start with a letter/);
    await page.fill('[data-testid=wiz-description]', 'e2e-wizard');
    await page.fill('[data-testid=wiz-tag-key]', 'aliyun-x');
    await waitText(page, 'step-problem', /may not start with aliyun/);
    await page.fill('[data-testid=wiz-tag-key]', 'owner');
    await page.fill('[data-testid=wiz-tag-value]', 'e2e');
    // Resource group and TDE: choices only creation offers; TDE says it stays on.
    await page.fill('[data-testid=wiz-resource-group]', 'group-1');
    await waitText(page, 'step-problem', /Resource group must be a resource group ID/);
    await page.fill('[data-testid=wiz-resource-group]', 'rg-e2ewizard0001');
    await page.check('[data-testid=wiz-tde]');
    assert.match(await page.textContent('[data-testid=wiz-tde-warning]'), /cannot be turned off/);
    await page.waitForSelector('[data-testid=wiz-next]:not([disabled])');
    await page.click('[data-testid=wiz-next]');

    // Summary, then create.
    await page.waitForSelector('[data-testid=wiz-summary]');
    assert.match(await page.textContent('[data-testid=sum-zone]'), /cn-hangzhou · cn-hangzhou-i/);
    assert.match(await page.textContent('[data-testid=sum-class]'), /polar\.pg\.x4\.medium/);
    assert.match(await page.textContent('[data-testid=sum-description]'), /e2e-wizard/);
    assert.equal((await page.textContent('[data-testid=sum-whitelist]')).trim(), '10.20.0.0/16, 192.168.7.8');
    assert.match(await page.textContent('[data-testid=sum-tde]'), /^on/);
    const token = (await page.textContent('[data-testid=sum-token]')).trim();
    assert.match(token, /^pcw-[0-9a-f-]+$/);
    assert.ok(token.length <= 64);
    await Promise.all([
      page.waitForURL(/\/clusters\/pc-[a-z0-9]+\?account=/, { timeout: STEP }),
      page.click('[data-testid=wiz-create]'),
    ]);
    created = new URL(page.url()).pathname.split('/').pop();

    // The new cluster's page follows the creation by itself.
    await page.waitForSelector('[data-testid=cluster-overview]');
    await page.waitForSelector('[data-testid=creation-progress]', { timeout: STEP });
    await waitText(page, 'cluster-status', /^Running$/);
    await page.waitForSelector('[data-testid=creation-progress]', { state: 'detached', timeout: STEP });
    assert.match(await page.textContent('[data-testid=field-description]'), /e2e-wizard/);
    assert.match(await page.textContent('[data-testid=field-tags]'), /owner/);
    // The API got what the wizard said, with the token (one cluster, not two).
    const list = await callApi(page, account, 'cn-hangzhou', 'DescribeDBClusters',
      [['RegionId', 'cn-hangzhou'], ['DBClusterDescription', 'e2e-wizard']]);
    const mine = list.Items.DBCluster.filter((c) => c.DBClusterDescription === 'e2e-wizard');
    assert.equal(mine.length, 1, 'exactly one cluster created');
    assert.equal(mine[0].VpcId, 'vpc-e2ewizard0001');
    assert.equal(mine[0].PayType, 'Postpaid');
    const attr = await callApi(page, account, 'cn-hangzhou', 'DescribeDBClusterAttribute', [['DBClusterId', created]]);
    assert.equal(attr.ResourceGroupId, 'rg-e2ewizard0001');
    const wl = await callApi(page, account, 'cn-hangzhou', 'DescribeDBClusterAccessWhitelist', [['DBClusterId', created]]);
    const ips = wl.Items.DBClusterIPArray.flatMap((g) => g.SecurityIps.split(','));
    assert.ok(ips.includes('10.20.0.0/16') && ips.includes('192.168.7.8'), JSON.stringify(wl.Items));

    // Failover to the reader, with a confirmation naming both nodes.
    await waitForHydration(page);
    const primary = (await page.textContent('[data-testid=field-primary-node]')).trim();
    const reader = await page.locator('[data-testid=failover-target] option:not([value=""])').first().getAttribute('value');
    assert.ok(reader && reader !== primary);
    await page.selectOption('[data-testid=failover-target]', reader);
    await page.click('[data-testid=failover]');
    const confirmText = await page.textContent('[data-testid=failover-confirm-text]');
    assert.match(confirmText, new RegExp(reader));
    assert.match(confirmText, new RegExp(primary));
    await page.click('[data-testid=confirm-failover]');
    await page.waitForSelector('[data-testid=failover-requested]');
    await waitText(page, 'field-primary-node', new RegExp(`^${reader}$`));
    await waitText(page, 'cluster-status', /^Running$/);

    assert.deepEqual(errors.filter((e) => !/favicon/.test(e)), [], 'browser console errors');
  } finally {
    if (created) {
      // Leave the fleet as the seed made it.
      await page.waitForFunction(() => true);
      for (let i = 0; i < 30; i += 1) {
        const attr = await callApi(page, account, 'cn-hangzhou', 'DescribeDBClusterAttribute', [['DBClusterId', created]]);
        if (attr.DBClusterStatus === 'Running') break;
        await page.waitForTimeout(1000);
      }
      await callApi(page, account, 'cn-hangzhou', 'DeleteDBCluster', [['DBClusterId', created]]);
      await page.goto(`${BASE}/clusters?q=${created}`);
      await page.waitForSelector('[data-testid=no-clusters]', { timeout: STEP * 2 })
        .catch(async () => {
          await page.reload({ waitUntil: 'domcontentloaded' });
          await page.waitForSelector('[data-testid=no-clusters]', { timeout: STEP });
        });
    }
    await context.close();
  }
});
