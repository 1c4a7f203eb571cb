// Parses Mermaid diagrams with the real Mermaid parser, headless (jsdom stands in for the
// browser DOM Mermaid expects), so a diagram mlgen writes is known to render on GitHub.
//
//   node .ci/mermaid-check.mjs FILE…
//
// A `.md` file is checked block by block (every ```mermaid fence); any other file is one
// diagram (`mlgen graph` output). Exit 0 when every diagram parses, 1 otherwise, 2 on usage
// or setup errors.
//
// Setup, once per machine (about 30 s; the packages go to a folder outside the repository):
//   npm install --prefix "${MERMAID_CHECK_MODULES:-/tmp/mlgen-mermaid}" --no-save --no-audit \
//     --no-fund mermaid@11.17.2 jsdom@29.1.1
// The script loads them from $MERMAID_CHECK_MODULES (default /tmp/mlgen-mermaid).

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const modules = process.env.MERMAID_CHECK_MODULES || '/tmp/mlgen-mermaid';
const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: node .ci/mermaid-check.mjs FILE…');
  process.exit(2);
}

let JSDOM, mermaid;
try {
  const require = createRequire(join(modules, 'package.json'));
  ({ JSDOM } = require('jsdom'));
  const dom = new JSDOM('<!doctype html><html><body></body></html>');
  globalThis.window = dom.window;
  globalThis.document = dom.window.document;
  mermaid = (await import(pathToFileURL(require.resolve('mermaid')).href)).default;
  mermaid.initialize({ startOnLoad: false });
} catch (err) {
  console.error(`mermaid-check: cannot load mermaid and jsdom from ${modules}: ${err.message}`);
  console.error('install them as the comment at the top of this script says');
  process.exit(2);
}

/// The diagrams of one file: every ```mermaid block of Markdown, or the whole file.
function diagrams(file, text) {
  if (!file.endsWith('.md')) return [text];
  const blocks = [];
  const fence = /^```mermaid\n([\s\S]*?)^```$/gm;
  for (let m = fence.exec(text); m !== null; m = fence.exec(text)) blocks.push(m[1]);
  return blocks;
}

let checked = 0;
let failed = 0;
for (const file of files) {
  const found = diagrams(file, readFileSync(file, 'utf8'));
  if (found.length === 0) {
    console.log(`FAIL ${file}: no mermaid diagram`);
    failed++;
  }
  for (const [i, text] of found.entries()) {
    checked++;
    try {
      const result = await mermaid.parse(text);
      console.log(`ok ${file} #${i + 1} (${result.diagramType})`);
    } catch (err) {
      failed++;
      console.log(`FAIL ${file} #${i + 1}: ${err.message ?? err}`);
    }
  }
}
console.log(`mermaid-check: ${checked - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
