import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // The pack runs precompiled from policy/dist: rebuild it first when its sources are newer.
    globalSetup: ["test/support/packBundle.ts"],
    // Pulumi's runtime state (setMocks, the stack resource) is per process: every test file gets its own.
    pool: "forks",
    isolate: true,
    testTimeout: 30_000,
    hookTimeout: 30_000,
    reporters: ["default"],
  },
});
