/**
 * `npm run test:terraform`: runs the real terraform (on PATH) on every Terraform fixture through the
 * stand-in AWS provider and checks the committed plan/state JSON is what it writes. It starts
 * terraform and a provider process per fixture, so it runs apart from `npm test`.
 */
import * as path from "path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    root: path.resolve(__dirname, "..", ".."),
    include: ["test/terraform/**/*.e2e.ts"],
    pool: "forks",
    // Without terraform on PATH the suite says so and defines no test: that run is not a failure.
    passWithNoTests: true,
    // init, plan, show (and apply) take seconds each on a busy two-core machine.
    testTimeout: 180_000,
    hookTimeout: 60_000,
    reporters: ["default"],
  },
});
