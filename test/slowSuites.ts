/**
 * The end-to-end suites that spend most of their time in the processes they start (programs under
 * deadlines, the component plugin's host, installed scratch projects' twins): half of all test time
 * in seven files. `npm test` leaves them out to stay near a minute; `npm run test:slow` runs them,
 * and `.ci/run` runs both.
 */
export const SLOW_SUITES = [
  "test/gate/previewFidelity.test.ts",
  "test/gate/runEnds.test.ts",
  "test/gate/secrets.test.ts",
  "test/gate/projectKinds.test.ts",
  "test/component/componentPackage.test.ts",
  "test/terraform/equivalence.test.ts",
  "test/policy/packBundle.test.ts",
];
