// A fleet change in the browser (#15): the administrator opens /changes/new, finds the
// clusters of one region carrying a tag key, asks to add a tag to all of them with a canary
// of 1 and batches of 2, lands on the change's page and sees it followed to Succeeded with a
// row per cluster (the canary, then a batch); the tag is read back from every cluster
// through /api/call_api. Then Revert takes it away again, which is read back too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launch, signIn, waitForHydration, BASE } from './harness.mjs';

const STEP = 60000;
const REGION = 'cn-hangzhou';
// The seed's clusters in cn-hangzhou that carry `team`: orders-prod, orders-staging,
// analytics.
const FILTER_KEY = 'team';
const KEY = 'e2e-fleet';
const VALUE = `v${Date.now() % 100000}`;

// Calls an action through the console (role check and audit included), as a page would.
async function api(page, region, action, params) {
  const res = await page.evaluate(async ({ region, action, params }) => {
    const r = await fetch('/api/call_api', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ account: 'sandbox', region, action, params }),
    });
    return { status: r.status, body: await r.text() };
  }, { region, action, params });
  assert.equal(res.status, 200, `${action}: ${res.body}`);
  return JSON.parse(JSON.parse(res.body).json);
}

async function tagsOf(page, id) {
  const body = await api(page, REGION, 'ListTagResources',
    [['ResourceType', 'cluster'], ['ResourceId.1', id]]);
  return Object.fromEntries(body.TagResources.TagResource.map((t) => [t.TagKey, t.TagValue]));
}

// The steps table of a change's page: cluster → { state, batch }.
async function steps(page) {
  return page.$$eval('[data-testid=steps-table] tbody tr', (rows) => Object.fromEntries(rows.map((r) => [
    r.dataset.cluster,
    { state: r.dataset.state, batch: r.children[1].textContent.trim(), preview: r.querySelector('[data-testid=preview]').textContent },
  ])));
}

test('a tag added to a fleet goes out as a canary and a batch, is followed to its end, and is reverted', async () => {
  const { context, page, errors } = await launch();
  try {
    await signIn(page);
    await page.goto(`${BASE}/changes/new`);
    await page.waitForSelector('[data-testid=fleet-targets]');
    await waitForHydration(page);

    // 1. The clusters: one region, a tag key.
    await page.selectOption('[data-testid=fleet-targets] select[name=region]', REGION);
    await page.fill('[data-testid=fleet-targets] input[name=tag_key]', FILTER_KEY);
    await page.click('[data-testid=find-clusters]');
    await page.waitForSelector('[data-testid=fleet-clusters] tbody tr', { timeout: STEP });
    const ids = await page.$$eval('[data-testid=fleet-clusters] tbody tr', (rows) => rows.map((r) => r.dataset.cluster));
    assert.ok(ids.length >= 3, `at least three clusters found: ${ids}`);
    assert.match(await page.textContent('[data-testid=fleet-count]'), new RegExp(`^${ids.length} cluster`));
    for (const id of ids) {
      assert.equal((await tagsOf(page, id))[KEY], undefined, `${id} does not carry ${KEY} yet`);
    }

    // 2. The change: a tag; its rule is checked as it is typed, naming the field.
    await page.selectOption('[data-testid=fleet-change] select[name=kind]', 'tag-add');
    await page.fill('[data-testid=fleet-change] input[name=title]', 'Tag the orders and data clusters');
    await page.fill('[data-testid=fleet-change] input[name=tag]', `aliyun-${KEY}=${VALUE}`);
    await page.waitForFunction(() => /^Tag: a tag key/.test(document.querySelector('[data-testid=fleet-problem]').textContent));
    assert.equal(await page.isDisabled('[data-testid=ask-fleet-change]'), true);
    await page.fill('[data-testid=fleet-change] input[name=tag]', `${KEY}=${VALUE}`);
    await page.waitForFunction(() => document.querySelector('[data-testid=fleet-problem]').textContent === '');

    // 3. The rollout: a canary of one, then batches of two.
    await page.fill('[data-testid=fleet-change] input[name=canary]', '1');
    await page.fill('[data-testid=fleet-change] input[name=batch_size]', '2');
    await Promise.all([
      page.waitForURL(/\/changes\/[0-9a-f-]{36}$/, { timeout: STEP }),
      page.click('[data-testid=ask-fleet-change]'),
    ]);
    const changeUrl = page.url();
    await page.waitForSelector('[data-testid=change-state][data-state=succeeded]', { timeout: STEP });
    await waitForHydration(page);
    const rows = await steps(page);
    assert.deepEqual(Object.keys(rows).sort(), [...ids].sort(), 'one row per cluster');
    const batches = Object.values(rows).map((r) => r.batch).sort();
    const expected = ids.map((_, i) => (i === 0 ? 'canary' : String(1 + Math.floor((i - 1) / 2)))).sort();
    assert.deepEqual(batches, expected, `a canary of one, then batches of two: ${JSON.stringify(rows)}`);
    for (const [id, r] of Object.entries(rows)) {
      assert.equal(r.state, 'succeeded', `${id}: ${JSON.stringify(r)}`);
      // The preview read before: the key was not there.
      assert.match(r.preview, new RegExp(`tag ${KEY}: \\(none\\) → ${VALUE}`), r.preview);
      assert.equal((await tagsOf(page, id))[KEY], VALUE, `${id} carries the tag`);
    }

    // Revert: a new change that takes the tag away again, followed to its end.
    await page.click('[data-testid=revert-change]');
    const link = await page.waitForSelector('[data-testid=follow-up] a', { timeout: STEP });
    await Promise.all([page.waitForURL((u) => u.href !== changeUrl, { timeout: STEP }), link.click()]);
    await page.waitForFunction(() =>
      /^Revert: /.test(document.querySelector('[data-testid=change-title]')?.textContent || '')
      && document.querySelector('[data-testid=change-state]')?.dataset.state === 'succeeded',
    null, { timeout: STEP });
    assert.equal((await page.$$('[data-testid=steps-table] tbody tr[data-state=succeeded]')).length, ids.length);
    for (const id of ids) {
      assert.equal((await tagsOf(page, id))[KEY], undefined, `${id} no longer carries ${KEY}`);
      assert.ok((await tagsOf(page, id))[FILTER_KEY], `${id} keeps its other tags`);
    }
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
