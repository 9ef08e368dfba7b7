import {defineConfig} from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // Suites that share the embedded Postgres or a browser run one file at a time.
    fileParallelism: false,
    // CI reads this report to fail on any skipped test.
    reporters: process.env.VITEST_JSON_REPORT ? ["default", "json"] : ["default"],
    outputFile: process.env.VITEST_JSON_REPORT ? {json: process.env.VITEST_JSON_REPORT} : undefined
  }
});
