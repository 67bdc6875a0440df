// `npm run test:fast` ends here: it reads the JSON report of the unit projects and fails, naming them,
// when a test file took longer than the budget (RUNLOG_FAST_FILE_BUDGET_MS, default 5000). Such a file
// starts processes, services or browsers, or loops for long: it belongs in vitest.config.ts's SLOW table.
// A check on the report rather than a timed assertion inside a test, and only for the fast set:
// CI's `npm test` runs every file whatever it takes.
import { readFileSync } from "node:fs";
import { relative } from "node:path";

const reportFile = process.argv[2] ?? ".vitest-fast.json";
const budgetMs = Number(process.env.RUNLOG_FAST_FILE_BUDGET_MS ?? 5000);
if (!(budgetMs > 0)) {
  console.error(`RUNLOG_FAST_FILE_BUDGET_MS must be a number of milliseconds above 0 (got "${process.env.RUNLOG_FAST_FILE_BUDGET_MS}").`);
  process.exit(2);
}
const report = JSON.parse(readFileSync(reportFile, "utf8"));

const files = report.testResults
  .map((file) => ({ name: relative(process.cwd(), file.name), ms: file.endTime - file.startTime }))
  .sort((a, b) => b.ms - a.ms);
const totalMs = files.reduce((sum, file) => sum + file.ms, 0);
const over = files.filter((file) => file.ms > budgetMs);

console.log(`fast set: ${files.length} files, ${(totalMs / 1000).toFixed(1)} s summed over files; slowest:`);
for (const file of files.slice(0, 5)) console.log(`  ${(file.ms / 1000).toFixed(1).padStart(6)} s  ${file.name}`);
if (over.length > 0) {
  console.error(`\n${over.length} file(s) over the fast set's ${budgetMs} ms budget; move them into SLOW in vitest.config.ts:`);
  for (const file of over) console.error(`  ${(file.ms / 1000).toFixed(1).padStart(6)} s  ${file.name}`);
  process.exit(1);
}
