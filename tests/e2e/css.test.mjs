// The release serves style/main.css minified (scripts/minify-css.mjs): Chromium must parse
// the same rules, rule for rule, from what is served as from the source.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { launch } from './harness.mjs';
import { minify } from '../../scripts/minify-css.mjs';

const rules = (page, css) => page.evaluate((css) => {
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(css);
  return [...sheet.cssRules].map((r) => r.cssText);
}, css);

test('the minified stylesheet is the source\'s, rule for rule', async () => {
  const source = readFileSync(new URL('../../style/main.css', import.meta.url), 'utf8');
  const served = minify(source);
  assert.ok(served.length < source.length * 0.95, 'the minified stylesheet is smaller');
  const { context, page } = await launch();
  try {
    const want = await rules(page, source);
    assert.ok(want.length > 100, `the source parses into its rules (${want.length})`);
    assert.deepEqual(await rules(page, served), want);
    // The check can fail: a rule whose text the minifier would change is caught.
    const quoted = '.x::after { content: "a > b"; }';
    assert.notDeepEqual(await rules(page, minify(quoted)), await rules(page, quoted));
  } finally {
    await context.close();
  }
});
