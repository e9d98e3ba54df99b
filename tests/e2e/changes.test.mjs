// Changes and approvals in the browser (#15): an administrator adds an approval policy on
// /settings/approvals (renaming clusters tagged env=prod needs one administrator's
// approval); an Operator's rename of a prod cluster is held back and offers "Request
// approval"; the Operator asks with a reason and cannot approve it; the administrator finds
// it under "Awaiting my approval", approves, and the change runs and is followed to its end.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launch, signIn, waitForHydration, openFromList, BASE } from './harness.mjs';

const NAME = `e2e-chg-${Date.now() % 100000}`;
const OWN = 'changes-operator-password';
const POLICY = 'e2e-prod-renames';
const CLUSTER = 'sg-edge';
const RENAMED = 'sg-edge-approved';

async function rename(page, to) {
  await page.click('[data-testid=edit-description]');
  await page.fill('[data-testid=description-input]', to);
  await page.click('[data-testid=save-description]');
}

test('a prod rename waits for an administrator\'s approval, then runs', async () => {
  const admin = await launch();
  let oneTime;
  try {
    await signIn(admin.page);
    const page = admin.page;
    await page.goto(`${BASE}/settings/approvals`);
    await page.waitForSelector('[data-testid=add-policy]');
    await waitForHydration(page);
    await page.fill('[data-testid=add-policy] input[name=name]', POLICY);
    await page.fill('[data-testid=add-policy] input[name=actions]', 'ModifyDBClusterDescription');
    await page.fill('[data-testid=add-policy] input[name=tag_key]', 'env');
    await page.fill('[data-testid=add-policy] input[name=tag_value]', 'prod');
    await page.click('[data-testid=add-policy] button[type=submit]');
    await page.waitForSelector(`tr[data-policy=${POLICY}]`);
    assert.match(await page.textContent(`tr[data-policy=${POLICY}]`), /env=prod/);

    // An Operator to ask (as on the users page).
    await page.goto(`${BASE}/settings/users`);
    await page.waitForSelector('[data-testid=users-table]');
    await waitForHydration(page);
    await page.fill('[data-testid=new-user-name]', NAME);
    await page.fill('[data-testid=new-user-display]', 'E2E Requester');
    await page.selectOption('[data-testid=new-user-role]', 'operator');
    await page.click('[data-testid=add-user-submit]');
    oneTime = (await (await page.waitForSelector('[data-testid=one-time-password]')).textContent()).trim();
  } finally {
    await admin.context.close();
  }

  let changeUrl;
  const op = await launch();
  try {
    const { page } = op;
    await page.goto(`${BASE}/signin`);
    await page.fill('input[name=username]', NAME);
    await page.fill('input[name=password]', oneTime);
    await Promise.all([page.waitForURL(/\/settings\/password$/), page.click('button[type=submit]')]);
    await waitForHydration(page);
    await page.fill('input[name=current_password]', oneTime);
    await page.fill('input[name=new_password]', OWN);
    await page.fill('input[name=confirm_password]', OWN);
    await page.click('[data-testid=change-password]');
    await page.waitForSelector('[data-testid=password-changed]');

    // The rename is held back: nothing sent, a link to ask for approval.
    await openFromList(page, CLUSTER);
    await rename(page, RENAMED);
    await page.waitForSelector('[data-testid=change-error] [data-testid=request-approval]');
    assert.match(await page.textContent('[data-testid=change-error]'), new RegExp(POLICY));
    assert.equal((await page.textContent('[data-testid=field-description]')).trim(), CLUSTER);
    await Promise.all([
      page.waitForURL(/\/changes\/[0-9a-f-]{36}$/),
      page.click('[data-testid=request-approval]'),
    ]);
    changeUrl = page.url();
    await page.waitForSelector('[data-testid=draft-form]');
    await waitForHydration(page);
    assert.equal(await page.getAttribute('[data-testid=change-state]', 'data-state'), 'draft');
    await page.fill('[data-testid=draft-form] textarea[name=reason]', 'new naming scheme for the edge');
    await page.click('[data-testid=submit-change]');
    await page.waitForSelector('[data-testid=change-state][data-state=awaiting_approval]');
    // Their own change: no decision buttons.
    assert.equal(await page.$('[data-testid=approve]'), null);
    assert.ok(await page.$('[data-testid=cancel-change]'), 'the requester may cancel');
  } finally {
    await op.context.close();
  }

  const again = await launch();
  try {
    const { page, errors } = again;
    await signIn(page);
    await page.goto(`${BASE}/changes`);
    await page.waitForSelector('button[data-tab=awaiting]');
    await waitForHydration(page);
    await page.click('button[data-tab=awaiting]');
    const id = changeUrl.split('/').pop();
    await page.waitForSelector(`[data-testid=changes-table] tr[data-change="${id}"]`);
    await Promise.all([
      page.waitForURL(new RegExp(`/changes/${id}$`)),
      page.click(`tr[data-change="${id}"] a`),
    ]);
    await page.waitForSelector('[data-testid=approve]');
    await waitForHydration(page);
    assert.match(await page.textContent('[data-testid=change-approvals]'), /0 of 1/);
    await page.fill('[data-testid=decide] input[name=comment]', 'fine');
    await page.click('[data-testid=approve]');
    // Approved, run by the scheduler, followed on the page until it settles.
    await page.waitForSelector('[data-testid=change-state][data-state=succeeded]', { timeout: 60000 });
    assert.match(await page.textContent('[data-testid=decisions]'), /approved/);
    assert.match(await page.textContent('[data-testid=steps-table]'), /Succeeded/);

    await openFromList(page, RENAMED);
    // Put things back: the policy goes, then the old name.
    await page.goto(`${BASE}/settings/approvals`);
    await page.waitForSelector(`tr[data-policy=${POLICY}]`);
    await waitForHydration(page);
    await page.click(`tr[data-policy=${POLICY}] button:has-text("Remove")`);
    await page.waitForSelector(`tr[data-policy=${POLICY}]`, { state: 'detached' });
    await openFromList(page, RENAMED);
    await rename(page, CLUSTER);
    await page.waitForFunction(
      (want) => document.querySelector('[data-testid=field-description]')?.textContent.trim() === want,
      CLUSTER, { timeout: 30000 });
    assert.deepEqual(errors.filter((e) => !/status of (403|409)/.test(e)), []);
  } finally {
    await again.context.close();
  }
});
