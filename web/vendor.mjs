// Copies the ES modules of the UI's libraries from node_modules into
// vendor/, which is committed: the daemon serves them as they are.
// Run after changing a version in package.json: `make vendor`.
// With --check, copies nothing and fails when vendor/ differs from
// node_modules (so the committed files are those of package-lock.json).
import { copyFileSync, cpSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";

const check = process.argv.includes("--check");

const files = [
  ["node_modules/preact/dist/preact.mjs", "vendor/preact.mjs"],
  ["node_modules/preact/hooks/dist/hooks.mjs", "vendor/preact-hooks.mjs"],
  ["node_modules/htm/dist/htm.mjs", "vendor/htm.mjs"],
  ["node_modules/htm/preact/index.mjs", "vendor/htm-preact.mjs"],
  ["node_modules/preact/LICENSE", "vendor/LICENSE.preact"],
  ["node_modules/htm/LICENSE", "vendor/LICENSE.htm"],
  ["node_modules/@novnc/novnc/LICENSE.txt", "vendor/novnc/LICENSE.txt"],
];
// noVNC is a tree of ES modules with relative imports: copied whole.
const trees = [
  ["node_modules/@novnc/novnc/core", "vendor/novnc/core"],
  ["node_modules/@novnc/novnc/vendor", "vendor/novnc/vendor"],
];

/** Every file under `dir`, relative to it. */
function walk(dir, prefix = "") {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path, join(prefix, name)) : [join(prefix, name)];
  });
}

if (check) {
  const pairs = [...files, ...trees.flatMap(([from, to]) => walk(from).map((f) => [join(from, f), join(to, f)]))];
  const extra = trees.flatMap(([from, to]) =>
    walk(to)
      .filter((f) => !walk(from).includes(f))
      .map((f) => join(to, f)),
  );
  const differ = pairs.filter(([from, to]) => {
    try {
      return !readFileSync(from).equals(readFileSync(to));
    } catch {
      return true;
    }
  });
  for (const [, to] of differ) console.error(`vendor: ${to} differs from node_modules`);
  for (const f of extra) console.error(`vendor: ${f} is not in node_modules`);
  if (differ.length || extra.length) {
    console.error("vendor: run `make vendor` and commit web/vendor/");
    process.exit(1);
  }
} else {
  rmSync("vendor/novnc", { recursive: true, force: true });
  mkdirSync("vendor/novnc", { recursive: true });
  for (const [from, to] of trees) {
    cpSync(from, to, { recursive: true });
    console.log(`${from} -> ${to}`);
  }
  for (const [from, to] of files) {
    copyFileSync(from, to);
    console.log(`${from} -> ${to}`);
  }
}
