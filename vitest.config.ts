import { configDefaults, defineConfig } from "vitest/config";
import { SLOW_SUITES } from "./test/slowSuites";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // The slow end-to-end suites run with `npm run test:slow` (test/slowSuites.ts).
    exclude: [...configDefaults.exclude, ...SLOW_SUITES],
    // The pack runs precompiled from policy/dist, the component package from dist/: rebuild them first when their sources are newer.
    globalSetup: ["test/support/packBundle.ts", "test/support/distBuild.ts"],
    // Pulumi's runtime state (setMocks, the stack resource) is per process: every test file gets its own.
    pool: "forks",
    isolate: true,
    // Two files at a time on the two-core machines: most test time is spent waiting on the child
    // processes they start (pack, provider host, programs), and vitest's default here is one.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 30_000,
    reporters: ["default"],
  },
});
