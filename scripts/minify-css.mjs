// The release's stylesheet without its comments and runs of white space: the comments are
// for whoever edits style/main.css, not for every browser's first load. What Chromium
// parses from the result is rule for rule what it parses from the source
// (tests/e2e/css.test.mjs).
//   node scripts/minify-css.mjs style/main.css out.css
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export function minify(css) {
  return css
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/\s+/g, ' ')
    .replace(/\s*([{};>])\s*/g, '$1')
    .trim() + '\n';
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [input, output] = process.argv.slice(2);
  writeFileSync(output, minify(readFileSync(input, 'utf8')));
}
