/** `npm run test:slow`: the end-to-end suites `npm test` leaves out (test/slowSuites.ts), same settings. */
import * as path from "path";
import { configDefaults, defineConfig } from "vitest/config";
import base from "../vitest.config";
import { SLOW_SUITES } from "./slowSuites";

export default defineConfig({
  ...base,
  test: { ...base.test, root: path.resolve(__dirname, ".."), include: SLOW_SUITES, exclude: configDefaults.exclude },
});
