// Copies the ES modules of the UI's libraries from node_modules into
// vendor/, which is committed: the daemon serves them as they are.
// Run after changing a version in package.json: `npm install && npm run vendor`.
import { copyFileSync, mkdirSync } from "node:fs";

const files = [
  ["node_modules/preact/dist/preact.mjs", "vendor/preact.mjs"],
  ["node_modules/preact/hooks/dist/hooks.mjs", "vendor/preact-hooks.mjs"],
  ["node_modules/htm/dist/htm.mjs", "vendor/htm.mjs"],
  ["node_modules/htm/preact/index.mjs", "vendor/htm-preact.mjs"],
  ["node_modules/preact/LICENSE", "vendor/LICENSE.preact"],
  ["node_modules/htm/LICENSE", "vendor/LICENSE.htm"],
];
mkdirSync("vendor", { recursive: true });
for (const [from, to] of files) {
  copyFileSync(from, to);
  console.log(`${from} -> ${to}`);
}
