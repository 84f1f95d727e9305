/**
 * Records what every keyguard policy says over the fuzzing's seeded cases (./policyFuzzCases.ts),
 * through the pack's own entry points (./policyArgs.ts): per case and policy, the verdict kind, the
 * messages and not-applicable reason the Analyzer protocol carries, the kind the gate decodes from
 * each message, and the remediation. A refactoring of how verdicts are written or carried runs it
 * before and after and compares the two files: any changed verdict or message shows as a line.
 *
 *   node -r ts-node/register/transpile-only test/support/verdictCorpus.ts OUT.jsonl [CASES] [SEED]
 *
 * CASES (default 3,000) cases of each kind (resources, stacks, policy configs); SEED defaults to the
 * fuzz tests' seed. One JSON line per case; a summary (counts and the file's SHA-256) on stdout.
 */
import { createHash } from "crypto";
import * as fs from "fs";
import fc from "fast-check";
import { findingKind } from "../../gate/evaluate";
import { kmsKeyRotationEnabled } from "../../policy/policies/kms-key-rotation-enabled";
import { kmsKeyRotationPeriod } from "../../policy/policies/kms-key-rotation-period";
import { redshiftClusterEncrypted } from "../../policy/policies/redshift-cluster-encrypted";
import { rawProps } from "../../policy/verdict";
import {
  type PolicyOutcome,
  engineProps,
  engineStackResources,
  runRemediation,
  runResourcePolicy,
  runStackPolicy,
} from "./policyArgs";
import {
  DEFAULT_FUZZ_SEED,
  STACK_POLICIES,
  boundsConfig,
  configCaseRunner,
  policyConfigArb,
  resourceCase,
  resourceCaseInput,
  stackCase,
  stackCaseInput,
} from "./policyFuzzCases";

/** One policy's word on one case: the verdict kinds (and reasons), and what reached the Analyzer protocol. */
interface Said {
  policy: string;
  verdicts: { urn: string; kind: string; reason?: string }[];
  violations: { urn?: string; message: string; gateKind: string }[];
  notApplicable?: string;
  unknownValueError?: string;
}

function said(
  policy: string,
  verdicts: { urn: string; verdict: { kind: string; reason?: string } }[],
  outcome: PolicyOutcome,
): Said {
  return {
    policy,
    verdicts: verdicts.map(({ urn, verdict }) => ({
      urn,
      kind: verdict.kind,
      ...(verdict.kind === "not-applicable" ? { reason: verdict.reason } : {}),
    })),
    violations: outcome.violations.map((violation) => ({ ...violation, gateKind: findingKind(violation.message) })),
    ...(outcome.notApplicable !== undefined ? { notApplicable: outcome.notApplicable } : {}),
    ...(outcome.unknownValueError !== undefined ? { unknownValueError: outcome.unknownValueError } : {}),
  };
}

/** Counts per policy, for the summary. */
type Tally = Record<string, Record<string, number>>;
function tally(counts: Tally, entry: Said): void {
  const policy = (counts[entry.policy] ??= {});
  policy.cases = (policy.cases ?? 0) + 1;
  for (const { kind } of entry.verdicts) policy[kind] = (policy[kind] ?? 0) + 1;
  policy.messages = (policy.messages ?? 0) + entry.violations.length;
}

export async function recordVerdicts(cases: number, seed: number): Promise<{ lines: string[]; counts: Tally }> {
  const lines: string[] = [];
  const counts: Tally = {};
  const record = (kind: string, index: number, entries: Said[], extra: Record<string, unknown> = {}) => {
    for (const entry of entries) tally(counts, entry);
    lines.push(JSON.stringify({ case: `${kind} ${index}`, ...extra, said: entries }));
  };
  const settings = { numRuns: cases, seed, endOnFailure: true };

  let index = 0;
  await fc.assert(
    fc.asyncProperty(resourceCase, async (testCase) => {
      const { target, bounds } = resourceCaseInput(testCase);
      const props = engineProps(target.properties, false, false);
      const input = { urn: target.urn, type: target.type, name: target.name, props: rawProps(props) };
      const entries: Said[] = [];
      for (const [policy, config] of [
        [kmsKeyRotationEnabled, {}],
        [kmsKeyRotationPeriod, boundsConfig(bounds)],
        [redshiftClusterEncrypted, {}],
      ] as const) {
        const outcome = await runResourcePolicy(policy, target, config, { props });
        entries.push(said(policy.name, [{ urn: target.urn, verdict: policy.verdict(input, config) }], outcome));
      }
      const remediation = await runRemediation(kmsKeyRotationEnabled, target, {}, false);
      record("resource", index++, entries, { remediation });
    }),
    settings,
  );

  index = 0;
  await fc.assert(
    fc.asyncProperty(stackCase, async (testCase) => {
      const { resources, configs } = stackCaseInput(testCase);
      const built = { built: engineStackResources(resources, false) };
      const entries: Said[] = [];
      for (const policy of STACK_POLICIES) {
        const outcome = await runStackPolicy(policy, built, configs[policy.name]);
        const verdicts = await policy.verdicts(built.built, configs[policy.name]);
        entries.push(
          said(
            policy.name,
            verdicts.map(({ resource, verdict }) => ({ urn: resource.urn, verdict })),
            outcome,
          ),
        );
      }
      record("stack", index++, entries);
    }),
    settings,
  );

  index = 0;
  const runConfigCase = configCaseRunner();
  await fc.assert(
    fc.asyncProperty(policyConfigArb, async (testCase) => {
      const { policy, config, outcome } = runConfigCase(testCase);
      const result = await outcome.then(
        (value) => said(policy.name, [], value),
        (error: unknown) => ({ policy: policy.name, error: String(error) }),
      );
      lines.push(JSON.stringify({ case: `config ${index++}`, config, said: [result] }));
    }),
    settings,
  );
  return { lines, counts };
}

async function main(argv: string[]): Promise<void> {
  const [out, casesArg, seedArg] = argv;
  const cases = Number(casesArg ?? 3_000);
  const seed = Number(seedArg ?? DEFAULT_FUZZ_SEED);
  if (!out || !Number.isInteger(cases) || cases < 1 || !Number.isInteger(seed)) {
    throw new Error(
      `usage: verdictCorpus.ts OUT.jsonl [CASES] [SEED]: OUT is the file to write, CASES a whole number of at least 1 (got ${JSON.stringify(casesArg)}), SEED a whole number (got ${JSON.stringify(seedArg)})`,
    );
  }
  const { lines, counts } = await recordVerdicts(cases, seed);
  const text = `${lines.join("\n")}\n`;
  fs.writeFileSync(out, text);
  const sha256 = createHash("sha256").update(text).digest("hex");
  console.log(
    JSON.stringify({ out, cases, seed, lines: lines.length, bytes: Buffer.byteLength(text), sha256, counts }, null, 2),
  );
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : String(error));
      process.exit(2);
    },
  );
}
