// /clusters/:id/backups and /clusters/:id/monitoring after hydration, against the
// emulator: a manual backup followed to completion and deleted, the backup and log-backup
// policies changed and read back after a reload, the collection frequency changed (all on a
// pay-as-you-go cluster of the test's own, deleted at the end); performance charts of a
// seed cluster and of one of its nodes over several ranges, drawn from the emulator's series.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname } from 'node:path';
import { launch, signIn, waitForHydration, BASE } from './harness.mjs';

const STEP = 45000; // the longest wait for one change to settle
const REGION = 'cn-hangzhou';

// Calls the console's API as a page would; returns the API's answer as an object.
async function api(page, account, action, params) {
  const res = await page.evaluate(async ({ account, action, params, region }) => {
    const r = await fetch('/api/call_api', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ account, region, action, params }),
    });
    return { status: r.status, body: await r.text() };
  }, { account, action, params, region: REGION });
  return { status: res.status, body: res.status === 200 ? JSON.parse(JSON.parse(res.body).json) : res.body };
}

async function until(what, fn, timeout = STEP) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

// On a failure: the page's HTML and a screenshot, for the one who reads the log.
async function dump(page, name) {
  const base = `${process.env.E2E_FAIL_DIR || tmpdir()}/ops-backups-${name}`;
  try {
    writeFileSync(`${base}.html`, await page.content());
    await page.screenshot({ path: `${base}.png`, fullPage: true });
    console.log(`# page at failure: ${base}.html / .png`);
  } catch { /* the page is gone */ }
}

const text = async (page, sel) => (await page.textContent(sel)).trim();

async function accountOf(page) {
  await page.waitForSelector('[data-testid=cluster-table] tbody tr');
  const href = await page.getAttribute('[data-testid=cluster-table] tbody tr [data-testid=cluster-link]', 'href');
  return new URL(href, BASE).searchParams.get('account');
}

async function idOf(page, description) {
  const row = page.locator('[data-testid=cluster-table] tbody tr', {
    has: page.locator('div.muted', { hasText: new RegExp(`^${description}$`) }),
  });
  await row.waitFor();
  return row.getAttribute('data-cluster-id');
}

test('backups: a manual backup runs to completion and is deleted; policies change and read back; collection frequency', async () => {
  const { context, page, errors } = await launch();
  let account;
  let id;
  try {
    await signIn(page);
    await waitForHydration(page);
    account = await accountOf(page);

    // A pay-as-you-go cluster of the test's own, Running before the backups start.
    const created = await api(page, account, 'CreateDBCluster', [
      ['ZoneId', 'cn-hangzhou-i'], ['DBType', 'PostgreSQL'], ['DBVersion', '14'],
      ['DBNodeClass', 'polar.pg.x4.medium'], ['PayType', 'Postpaid'],
      ['DBClusterDescription', 'e2e-ops-backups']]);
    assert.equal(created.status, 200, JSON.stringify(created.body));
    id = created.body.DBClusterId;
    await until('the cluster to run', async () => {
      const a = await api(page, account, 'DescribeDBClusterAttribute', [['DBClusterId', id]]);
      return a.status === 200 && a.body.DBClusterStatus === 'Running';
    }, 90000);

    await page.goto(`${BASE}/clusters/${id}/backups?account=${encodeURIComponent(account)}&region=${REGION}`);
    await waitForHydration(page);
    await page.waitForSelector('[data-testid=backup-table]');
    // The backup of the creation is automatic: it cannot be deleted (its button is greyed),
    // and the button says why.
    const auto = page.locator('[data-testid=backup-table] tr[data-mode=Automated]').first();
    assert.equal(await auto.locator('[data-testid=delete-refused]').isDisabled(), true);
    assert.match(await auto.locator('[data-testid=delete-refused]').getAttribute('title'), /Automatic backups cannot be deleted/);
    assert.equal(await auto.locator('[data-testid=delete-backup]').count(), 0);

    // A manual backup: started, followed through its stages, then in the list.
    await page.waitForSelector('[data-testid=create-backup]:not([disabled])');
    await page.click('[data-testid=create-backup]');
    await page.waitForSelector('[data-testid=backup-jobs] li[data-job-id]', { timeout: STEP });
    const jobId = await page.getAttribute('[data-testid=backup-jobs] li[data-job-id]', 'data-job-id');
    await page.waitForSelector('[data-testid=backup-completed]', { timeout: STEP });
    assert.match(await text(page, '[data-testid=backup-completed]'), new RegExp(jobId));
    const manualRow = `[data-testid=backup-table] tr[data-backup-id="${jobId}"]`;
    await page.waitForSelector(manualRow);
    assert.equal(await page.getAttribute(manualRow, 'data-mode'), 'Manual');
    assert.equal(await page.getAttribute(manualRow, 'data-status'), 'Success');
    assert.match(await text(page, `${manualRow} [data-testid=backup-size]`), /[KMGT]iB|B$/);
    const listed = await api(page, account, 'DescribeBackups', [['DBClusterId', id],
      ['StartTime', '2000-01-01T00:00Z'], ['EndTime', '2099-01-01T00:00Z'], ['BackupMode', 'Manual']]);
    assert.deepEqual(listed.body.Items.Backup.map((b) => b.BackupId), [jobId]);

    // Filters: automatic only hides the manual backup.
    await page.selectOption('[data-testid=filter-mode]', 'Automated');
    await page.click('[data-testid=apply-filters]');
    await page.waitForSelector(manualRow, { state: 'detached' });
    assert.ok(await page.locator('[data-testid=backup-table] tr[data-mode=Automated]').count() >= 1);
    await page.fill('[data-testid=filter-start]', '2026-01-02T00:00');
    await page.fill('[data-testid=filter-end]', '2026-01-01T00:00');
    await page.waitForSelector('[data-testid=filter-problem]');
    assert.match(await text(page, '[data-testid=filter-problem]'), /later than the start/);
    assert.ok(await page.isDisabled('[data-testid=apply-filters]'));
    await page.fill('[data-testid=filter-start]', '');
    await page.fill('[data-testid=filter-end]', '');
    await page.selectOption('[data-testid=filter-mode]', '');
    await page.click('[data-testid=apply-filters]');
    await page.waitForSelector(manualRow);

    // Backup logs come with download links.
    // (The emulator lists whole hours of logs only: a cluster minutes old may have none yet.)
    await page.waitForSelector('[data-testid=backup-logs] .state-empty, [data-testid=log-table]');
    if (await page.locator('[data-testid=log-table]').count()) {
      assert.match(await page.getAttribute('[data-testid=log-table] [data-testid=log-download]', 'href'), /^https?:\/\/.+/);
    }

    // Delete the manual backup, after a confirmation.
    await page.click(`${manualRow} [data-testid=delete-backup]`);
    await page.waitForSelector('[data-testid=delete-backup-dialog]');
    assert.match(await text(page, '[data-testid=delete-backup-dialog] h2'), new RegExp(`Delete backup ${jobId}`));
    await page.click('[data-testid=confirm-delete-backup]');
    await page.waitForSelector(manualRow, { state: 'detached', timeout: STEP });
    const after = await api(page, account, 'DescribeBackups', [['DBClusterId', id],
      ['StartTime', '2000-01-01T00:00Z'], ['EndTime', '2099-01-01T00:00Z'], ['BackupMode', 'Manual']]);
    assert.equal(after.body.Items.Backup.length, 0);

    // Backup policy: checked as it is edited, saved, read back after a reload.
    await page.click('[data-testid=edit-policy]');
    await page.waitForSelector('[data-testid=policy-form]');
    // What PostgreSQL does not take is not offered, and the form says so.
    assert.match(await text(page, '[data-testid=policy-pg-note]'), /BackupPolicyLevel.*DataLevel2BackupPeriod/);
    assert.equal(await page.locator('[data-testid=policy-form] input[data-level="2"]').count(), 0);
    for (const d of ['Tuesday', 'Thursday', 'Friday', 'Saturday', 'Sunday', 'Wednesday']) {
      await page.uncheck(`[data-testid=policy-form] input[data-level="1"][data-day=${d}]`);
    }
    await page.waitForSelector('[data-testid=policy-problems] li');
    assert.match(await text(page, '[data-testid=policy-problems]'), /at least two days/);
    assert.ok(await page.isDisabled('[data-testid=save-policy]'));
    await page.check('[data-testid=policy-form] input[data-level="1"][data-day=Wednesday]');
    await page.fill('[data-testid=policy-level1-input]', '15');
    await page.waitForFunction(() => /3 to 14 days/.test(document.querySelector('[data-testid=policy-problems]').textContent));
    assert.ok(await page.isDisabled('[data-testid=save-policy]'));
    await page.fill('[data-testid=policy-level1-input]', '10');
    await page.selectOption('[data-testid=policy-window]', '03:00Z-04:00Z');
    await page.selectOption('[data-testid=policy-frequency-select]', '2/24H');
    await page.waitForSelector('[data-testid=save-policy]:not([disabled])');
    await page.click('[data-testid=save-policy]');
    await page.waitForSelector('[data-testid=policy-saved]', { timeout: STEP });

    await page.click('[data-testid=edit-log-policy]');
    await page.fill('[data-testid=log-retention-input]', '2');
    await page.waitForFunction(() => /3–7300 days/.test(document.querySelector('[data-testid=log-policy-problems]').textContent));
    assert.ok(await page.isDisabled('[data-testid=save-log-policy]'));
    await page.fill('[data-testid=log-retention-input]', '30');
    await page.waitForSelector('[data-testid=save-log-policy]:not([disabled])');
    await page.click('[data-testid=save-log-policy]');
    await page.waitForFunction(() => /Log-backup policy saved/.test(document.querySelector('[data-testid=policy-saved]')?.textContent || ''), null, { timeout: STEP });

    await page.reload({ waitUntil: 'domcontentloaded' });
    await waitForHydration(page);
    await page.waitForSelector('[data-testid=policy-view]');
    assert.equal(await text(page, '[data-testid=policy-period]'), 'Monday, Wednesday');
    assert.equal(await text(page, '[data-testid=policy-time]'), '03:00Z-04:00Z');
    assert.equal(await text(page, '[data-testid=policy-level1]'), '10 days');
    assert.match(await text(page, '[data-testid=policy-frequency]'), /12 hours/);
    assert.equal(await text(page, '[data-testid=log-policy-retention]'), '30 days');
    const policy = await api(page, account, 'DescribeBackupPolicy', [['DBClusterId', id]]);
    assert.equal(policy.body.PreferredBackupPeriod, 'Monday,Wednesday');
    assert.equal(policy.body.PreferredBackupTime, '03:00Z-04:00Z');
    assert.equal(String(policy.body.DataLevel1BackupRetentionPeriod), '10');

    // The collection frequency of the monitoring page.
    await page.goto(`${BASE}/clusters/${id}/monitoring?account=${encodeURIComponent(account)}&region=${REGION}`);
    await waitForHydration(page);
    await page.waitForSelector('[data-testid=monitor-period]');
    assert.equal(await text(page, '[data-testid=monitor-period]'), '60');
    await page.selectOption('[data-testid=period-select]', '5');
    await page.click('[data-testid=save-period]');
    await page.waitForFunction(() => document.querySelector('[data-testid=monitor-period]')?.textContent.trim() === '5', null, { timeout: STEP });
    const monitor = await api(page, account, 'DescribeDBClusterMonitor', [['DBClusterId', id]]);
    assert.equal(String(monitor.body.Period), '5');
    // With 5 s collection, the last hour is drawn at 5 s.
    await page.waitForSelector('[data-testid=charts][data-resolution="5000"]', { timeout: STEP });

    assert.deepEqual(errors.filter((e) => !/favicon/.test(e)), [], 'browser console errors');
  } catch (e) {
    await dump(page, 'backups');
    console.log(`# browser errors: ${JSON.stringify(errors).slice(0, 2000)}`);
    throw e;
  } finally {
    if (id) {
      await api(page, account, 'DeleteDBCluster', [['DBClusterId', id]]).catch(() => {});
      await until('the cluster to be released', async () => {
        const a = await api(page, account, 'DescribeDBClusterAttribute', [['DBClusterId', id]]);
        return a.status !== 200;
      }, 90000).catch(() => {});
    }
    await context.close();
  }
});

// The `d` of every drawn line of a chart, and how many points each has.
async function lines(page, chart) {
  return page.$$eval(`[data-testid=charts] [data-chart=${chart}] path.chart-line`,
    (ps) => ps.map((p) => ({ series: p.dataset.series, points: Number(p.dataset.points), d: p.getAttribute('d') })));
}

async function pickRange(page, range, before) {
  await page.click(`[data-testid=range-picker] button[data-range="${range}"]`);
  await page.waitForFunction((b) => {
    const el = document.querySelector('[data-testid=charts]');
    return el && el.dataset.start !== b;
  }, before, { timeout: STEP });
}

test('monitoring: cluster and node charts over two ranges, drawn from the emulator series', async () => {
  const { context, page, errors } = await launch();
  try {
    await signIn(page);
    await waitForHydration(page);
    const account = await accountOf(page);
    const id = await idOf(page, 'orders-prod');
    await page.goto(`${BASE}/clusters/${id}/monitoring?account=${encodeURIComponent(account)}&region=${REGION}`);
    await waitForHydration(page);
    await page.waitForSelector('[data-testid=charts] [data-chart=cpu] path.chart-line');

    // Whole cluster, last hour: one CPU line per node, with points.
    const attr = await api(page, account, 'DescribeDBClusterAttribute', [['DBClusterId', id]]);
    const nodes = attr.body.DBNodes.map((n) => n.DBNodeId);
    const period = (await api(page, account, 'DescribeDBClusterMonitor', [['DBClusterId', id]])).body.Period;
    const hour = await lines(page, 'cpu');
    assert.equal(hour.length, nodes.length);
    assert.ok(hour.every((l) => l.points > 1 && /^M[\d.]+,[\d.]+( L[\d.]+,[\d.]+)+$/.test(l.d)), JSON.stringify(hour).slice(0, 300));
    for (const chart of ['memory', 'connections', 'tps', 'rows', 'iops', 'throughput', 'storage']) {
      assert.ok((await lines(page, chart)).some((l) => l.points > 1), chart);
    }
    const hourRes = Number(await page.getAttribute('[data-testid=charts]', 'data-resolution'));
    assert.equal(hourRes, String(period) === '5' ? 5000 : 60000);
    // The points are the emulator's: the same series read through the API.
    const charts = page.locator('[data-testid=charts]');
    const [start, end] = [await charts.getAttribute('data-start'), await charts.getAttribute('data-end')];
    const series = await api(page, account, 'DescribeDBClusterPerformance', [['DBClusterId', id],
      ['Key', 'PolarDBCPU'], ['StartTime', start], ['EndTime', end]]);
    const cpu = series.body.PerformanceKeys.PerformanceItem.filter((i) => i.MetricName === 'cpu_ratio');
    assert.equal(cpu.length, nodes.length);
    assert.equal(hour[0].points, Math.min(720, cpu[0].Points.PerformanceItemValue.length));

    // Last day: another resolution, other paths.
    await pickRange(page, '1d', start);
    assert.equal(await page.getAttribute('[data-testid=charts]', 'data-resolution'), '60000');
    const day = await lines(page, 'cpu');
    assert.equal(day.length, nodes.length);
    assert.ok(day.every((l) => l.points > 1));
    assert.notDeepEqual(day.map((l) => l.d), hour.map((l) => l.d));

    // One node: every CPU metric of it, last day and last week.
    const node = nodes[nodes.length - 1];
    await page.selectOption('[data-testid=node-select]', node);
    await page.waitForSelector(`[data-testid=charts][data-node="${node}"]`, { timeout: STEP });
    const nodeDay = await lines(page, 'cpu');
    assert.deepEqual(nodeDay.map((l) => l.series), ['CPU', 'user', 'system']);
    assert.ok(nodeDay.every((l) => l.points > 1));
    const dayStart = await page.getAttribute('[data-testid=charts]', 'data-start');
    await pickRange(page, '7d', dayStart);
    assert.equal(await page.getAttribute('[data-testid=charts]', 'data-resolution'), '600000');
    const nodeWeek = await lines(page, 'cpu');
    assert.ok(nodeWeek.every((l) => l.points > 1));
    assert.notDeepEqual(nodeWeek.map((l) => l.d), nodeDay.map((l) => l.d));

    // A custom range: checked before it is asked for.
    await page.click('[data-testid=range-picker] button[data-range=custom]');
    await page.fill('[data-testid=custom-start]', '2026-01-02T00:00');
    await page.fill('[data-testid=custom-end]', '2026-01-01T00:00');
    await page.waitForSelector('[data-testid=custom-problem]');
    assert.ok(await page.isDisabled('[data-testid=apply-custom]'));

    const shot = process.env.E2E_SCREENSHOT_MONITORING;
    if (shot) {
      await page.click('[data-testid=range-picker] button[data-range="1d"]');
      await page.waitForSelector('[data-testid=charts][data-resolution="60000"]');
      mkdirSync(dirname(shot), { recursive: true });
      await page.screenshot({ path: shot, fullPage: true });
    }
    assert.deepEqual(errors.filter((e) => !/favicon/.test(e)), [], 'browser console errors');
  } catch (e) {
    await dump(page, 'monitoring');
    console.log(`# browser errors: ${JSON.stringify(errors).slice(0, 2000)}`);
    throw e;
  } finally {
    await context.close();
  }
});

// Types a time into a datetime-local field (Chromium drops ":00" seconds, which page.fill
// then calls a malformed value).
async function setTime(page, selector, value) {
  await page.$eval(selector, (el, v) => {
    el.value = v;
    el.dispatchEvent(new Event('input', { bubbles: true }));
  }, value);
}

test('restore and clone: a backup restored to a new cluster that runs; a clone checks its point against the backups and log backups', async () => {
  const { context, page, errors } = await launch();
  let account;
  let restored;
  try {
    await signIn(page);
    await waitForHydration(page);
    account = await accountOf(page);
    const source = await idOf(page, 'orders-staging');
    const attr = await api(page, account, 'DescribeDBClusterAttribute', [['DBClusterId', source]]);
    const version = attr.body.DBVersion;

    // "Restore…" on a completed backup opens the wizard with that backup set.
    await page.goto(`${BASE}/clusters/${source}/backups?account=${encodeURIComponent(account)}&region=${REGION}`);
    await waitForHydration(page);
    const row = page.locator('[data-testid=backup-table] tr[data-status=Success]').first();
    await row.waitFor();
    const backupId = await row.getAttribute('data-backup-id');
    await row.locator('[data-testid=restore-backup]').click();
    await page.waitForURL(/\/clusters\/new\?from=/);
    await waitForHydration(page);
    assert.equal(await text(page, '[data-testid=wizard-title]'), 'Restore a backup to a new cluster');
    await page.waitForSelector('[data-testid=wiz-source-name]');
    assert.equal(await text(page, '[data-testid=wiz-source-name]'), 'orders-staging');
    assert.ok(await page.isChecked('[data-testid=wiz-point-backup]'));
    assert.equal(await page.inputValue('[data-testid=wiz-point-backup-id]'), backupId);
    assert.match(await text(page, '[data-testid=wiz-window]'), /Restorable to any second from \S+Z to \S+Z \(UTC\)/);
    // The clone is made where its source is.
    assert.ok(await page.isDisabled('[data-testid=wiz-account]'));
    assert.ok(await page.isDisabled('[data-testid=wiz-region]'));
    await page.waitForSelector('[data-testid=wiz-next]:not([disabled])');
    await page.click('[data-testid=wiz-next]');
    // The engine version is the source's, and only it is offered.
    await page.waitForSelector('[data-testid=wiz-version] option', { state: 'attached' });
    assert.deepEqual(await page.$$eval('[data-testid=wiz-version] option', (os) => os.map((o) => o.value)), [version]);
    await page.waitForSelector('[data-testid=wiz-next]:not([disabled])');
    await page.click('[data-testid=wiz-next]');
    await page.click('[data-testid=wiz-next]');
    await page.fill('[data-testid=wiz-description]', 'e2e-restored');
    await page.waitForSelector('[data-testid=wiz-next]:not([disabled])');
    await page.click('[data-testid=wiz-next]');
    await page.waitForSelector('[data-testid=wiz-summary]');
    assert.equal(await text(page, '[data-testid=sum-source]'), `${source} · backup set ${backupId}`);
    await page.click('[data-testid=wiz-create]');
    // The new cluster's page follows the creation until it runs.
    await page.waitForURL((u) => /^\/clusters\/pc-/.test(new URL(u).pathname) && !new URL(u).pathname.includes(source), { timeout: STEP });
    restored = new URL(page.url()).pathname.split('/')[2];
    await waitForHydration(page);
    await page.waitForFunction(() => /Running/.test(document.querySelector('[data-testid=cluster-status]')?.textContent || ''), null, { timeout: 90000 });
    const made = await api(page, account, 'DescribeDBClusterAttribute', [['DBClusterId', restored]]);
    assert.equal(made.body.DBClusterStatus, 'Running');
    assert.equal(made.body.DBVersion, version);
    assert.equal(made.body.DBClusterDescription, 'e2e-restored');
    // What was sent, as the audit trail recorded it.
    await page.goto(`${BASE}/audit?action=CreateDBCluster`);
    await waitForHydration(page);
    await page.waitForSelector('[data-testid=audit-table] tbody tr');
    const sent = await page.textContent('[data-testid=audit-table] tbody tr:first-child');
    for (const part of ['CloneFromPolarDB', 'SourceResourceId', source, 'CloneDataPoint', backupId]) {
      assert.ok(sent.includes(part), `the audit record shows ${part}: ${sent.slice(0, 600)}`);
    }

    // "Clone…" on the cluster page: a point in time, checked against the restorable window.
    await page.goto(`${BASE}/clusters/${source}?account=${encodeURIComponent(account)}&region=${REGION}`);
    await waitForHydration(page);
    await page.click('[data-testid=clone-cluster]');
    await page.waitForURL(/point=LATEST/);
    await waitForHydration(page);
    assert.equal(await text(page, '[data-testid=wizard-title]'), 'Clone a cluster');
    await page.waitForSelector('[data-testid=wiz-source-name]');
    assert.ok(await page.isChecked('[data-testid=wiz-point-latest]'));
    const window = (await text(page, '[data-testid=wiz-window]')).match(/from (\S+)Z to (\S+)Z/);
    await page.check('[data-testid=wiz-point-time]');
    await setTime(page, '[data-testid=wiz-point-at]', '2001-01-01T00:00:00');
    await page.waitForSelector('[data-testid=step-problem]');
    assert.match(await text(page, '[data-testid=step-problem]'), new RegExp(`Data point must be between ${window[1]}Z and ${window[2]}Z`));
    assert.ok(await page.isDisabled('[data-testid=wiz-next]'));
    await setTime(page, '[data-testid=wiz-point-at]', window[2]);
    await page.waitForSelector('[data-testid=wiz-next]:not([disabled])');
    await page.click('[data-testid=wiz-next]');
    await page.waitForSelector('[data-testid=wiz-next]:not([disabled])');
    await page.click('[data-testid=wiz-next]');
    await page.click('[data-testid=wiz-next]');
    await page.click('[data-testid=wiz-next]');
    await page.waitForSelector('[data-testid=wiz-summary]');
    assert.equal(await text(page, '[data-testid=sum-source]'), `${source} · its data as of ${window[2]}Z (UTC)`);

    // Released clusters' backups: the page says what the API does not allow.
    await page.goto(`${BASE}/backups/released`);
    await waitForHydration(page);
    assert.match(await text(page, '[data-testid=released-limits]'), /no way to restore them/);
    // The seed's released cluster is listed (every page of every region), with its backups.
    await page.waitForSelector('[data-testid=released-list] section[data-cluster-id] [data-testid=detached-table] tbody tr');
    assert.match(await text(page, '[data-testid=released-summary]'), /^[1-9]\d* released cluster/);

    assert.deepEqual(errors.filter((e) => !/favicon/.test(e)), [], 'browser console errors');
  } catch (e) {
    await dump(page, 'restore');
    console.log(`# browser errors: ${JSON.stringify(errors).slice(0, 2000)}`);
    throw e;
  } finally {
    if (restored) {
      await api(page, account, 'DeleteDBCluster', [['DBClusterId', restored]]).catch(() => {});
    }
    await context.close();
  }
});
