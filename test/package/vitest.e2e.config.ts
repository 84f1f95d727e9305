/**
 * `npm run test:package`: the installed-package test (test/package/*.e2e.ts). It packs the project
 * and installs it with npm into a scratch project, so it runs apart from `npm test`; `.ci/run` runs both.
 */
import * as path from "path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    root: path.resolve(__dirname, "..", ".."),
    include: ["test/package/**/*.e2e.ts"],
    pool: "forks",
    // The commands it runs take seconds each on a busy two-core machine.
    testTimeout: 180_000,
    hookTimeout: 900_000,
    reporters: ["default"],
  },
});
