/**
 * The shipped pack is one bundle with @pulumi/policy inside, its server patched to deserialize a
 * request's resources once for all policies and to say "not applicable" without a stack trace
 * (scripts/bundlePolicyPack.ts). It must keep every
 * verdict of the plain build (stock @pulumi/policy, loaded from node_modules), so both are started
 * as the engine starts a pack and asked the same questions over pulumirpc.Analyzer: Configure with
 * per-policy enforcement levels and settings, Analyze and Remediate on every resource's inputs,
 * AnalyzeStack on the stack. Their answers must be identical, on the bench's stacks (what
 * EncryptedRedshiftCluster deploys, the mix of everything the pack reads, keys and clusters) and on
 * fuzzed stacks (fast-check, seeded): every resource type the pack reads, property bags mixing valid
 * values, unknowns, secrets and wrong types, random dependencies, random levels.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { STACK_SHAPES, shapedStack, type StackShape } from "../../bench/stackShapes";
import {
  type AnalyzeResult,
  type AnalyzerHost,
  type AnalyzerStackResource,
  type PolicyPackConfig,
  UNKNOWN,
  secret,
  startAnalyzer,
} from "../../engine";
import { RESOURCE_TYPES } from "../../facts";
import { bundlePolicyPack, patchPolicyServer } from "../../scripts/bundlePolicyPack";

const root = path.resolve(__dirname, "../..");
const SEED = Number(process.env.KEYGUARD_FUZZ_SEED ?? 20261201);
const CASES = 40;
const SHAPE_RESOURCES = 40;

let workDirectory: string;
let shipped: AnalyzerHost;
let plain: AnalyzerHost;

async function buildPack(name: string, bundleFramework: boolean): Promise<string> {
  const directory = path.join(workDirectory, name);
  fs.mkdirSync(path.join(directory, "dist"), { recursive: true });
  for (const file of ["PulumiPolicy.yaml", "package.json"])
    fs.copyFileSync(path.join(root, "policy", file), path.join(directory, file));
  await bundlePolicyPack({ outfile: path.join(directory, "dist", "index.js"), bundleFramework });
  return directory;
}

beforeAll(async () => {
  workDirectory = path.join(root, ".keyguard-tmp", `pack-bundle-${process.pid}`);
  fs.rmSync(workDirectory, { recursive: true, force: true });
  const [shippedDirectory, plainDirectory] = await Promise.all([buildPack("shipped", true), buildPack("plain", false)]);
  [shipped, plain] = await Promise.all([
    startAnalyzer({ packDir: shippedDirectory }),
    startAnalyzer({ packDir: plainDirectory }),
  ]);
}, 60_000);

afterAll(async () => {
  await shipped?.close();
  await plain?.close();
  if (workDirectory) fs.rmSync(workDirectory, { recursive: true, force: true });
});

/** Everything a pack answered, in a stable order: the comparison is on all of it. */
function answerLines(result: AnalyzeResult, urn: string): string[] {
  return [
    ...result.diagnostics.map((d) =>
      JSON.stringify([
        "diagnostic",
        d.policyName,
        d.enforcementLevel,
        d.severity,
        d.urn || urn,
        d.description,
        d.message,
      ]),
    ),
    ...result.notApplicable.map((n) => JSON.stringify(["not-applicable", n.policyName, urn, n.reason])),
  ];
}

/** Configure, then Analyze and Remediate every resource, then AnalyzeStack; all answers, or the error. */
async function everything(
  host: AnalyzerHost,
  config: PolicyPackConfig,
  resources: AnalyzerStackResource[],
): Promise<string[]> {
  const lines: string[] = [];
  try {
    lines.push(JSON.stringify(await host.configure(config)));
    for (const resource of resources) {
      const inputs = { urn: resource.urn, type: resource.type, name: resource.name, properties: resource.properties };
      lines.push(...answerLines(await host.analyze(inputs), resource.urn));
      lines.push(JSON.stringify((await host.remediate(inputs)).remediations));
    }
    lines.push(...answerLines(await host.analyzeStack(resources), "stack").sort());
  } catch (error) {
    lines.push(`error: ${(error as Error).message}`);
  }
  return lines;
}

async function expectSameAnswers(config: PolicyPackConfig, resources: AnalyzerStackResource[]): Promise<string[]> {
  const fromShipped = await everything(shipped, config, resources);
  const fromPlain = await everything(plain, config, resources);
  expect(fromShipped).toEqual(fromPlain);
  return fromShipped;
}

const LEVELS = ["advisory", "mandatory", "remediate", "disabled"] as const;
const POLICIES = [
  "kms-key-rotation-enabled",
  "kms-key-rotation-period",
  "redshift-cluster-encrypted",
  "redshift-cluster-key-rotated",
  "redshift-cluster-external-key",
  "redshift-cluster-rotation-on-key-change",
];

describe("the shipped bundle and the plain build give the same answers", () => {
  it.each(Object.keys(STACK_SHAPES) as StackShape[])(
    "on the bench's %s stack, with the default config and with every policy's level changed",
    async (shape) => {
      const resources = shapedStack(shape, SHAPE_RESOURCES);
      const byDefault = await expectSameAnswers({}, resources);
      // The stacks do produce findings, so agreeing is not agreeing on nothing.
      if (shape !== "component") expect(byDefault.some((line) => line.startsWith('["diagnostic"'))).toBe(true);
      const levels = Object.fromEntries(
        POLICIES.map((policy, index) => [policy, LEVELS[(index + shape.length) % LEVELS.length]]),
      );
      await expectSameAnswers(
        { ...levels, "kms-key-rotation-period": { enforcementLevel: "mandatory", maxRotationPeriodInDays: 120 } },
        resources,
      );
    },
  );

  it(`on fuzzed stacks and configs (${CASES} cases, seed ${SEED})`, async () => {
    const types = Object.values(RESOURCE_TYPES);
    const names = [
      "enableKeyRotation",
      "rotationPeriodInDays",
      "customerMasterKeySpec",
      "keySpec",
      "keyUsage",
      "origin",
      "customKeyStoreId",
      "multiRegion",
      "arn",
      "keyId",
      "id",
      "name",
      "aliasName",
      "targetKeyId",
      "primaryKeyArn",
      "encrypted",
      "kmsKeyId",
      "clusterIdentifier",
      "namespaceName",
      "__provider",
    ];
    const scalar = fc.oneof(
      fc.constantFrom<unknown>(
        true,
        false,
        "true",
        "false",
        90,
        365,
        5,
        3000,
        -0,
        1e308,
        null,
        "SYMMETRIC_DEFAULT",
        "RSA_2048",
        "ENCRYPT_DECRYPT",
        "AWS_KMS",
        "EXTERNAL",
        "alias/a1",
        "alias/aws/redshift",
        "x".repeat(3000),
      ),
      fc.constantFrom<unknown>(...Object.values(UNKNOWN)),
      fc.string({ maxLength: 12 }),
      fc.integer(),
    );
    const value = fc.oneof(
      { weight: 6, arbitrary: scalar },
      { weight: 1, arbitrary: scalar.map((inner) => secret(inner)) },
      { weight: 1, arbitrary: fc.array(scalar, { maxLength: 3 }) },
      { weight: 1, arbitrary: fc.dictionary(fc.constantFrom("a", "b"), scalar) },
    );
    const resource = fc.record({
      type: fc.constantFrom(...types),
      properties: fc.dictionary(fc.constantFrom(...names), value, { maxKeys: 8 }),
      links: fc.array(fc.nat(), { maxLength: 3 }),
      linkedProperty: fc.constantFrom("kmsKeyId", "targetKeyId", "primaryKeyArn", "clusterIdentifier"),
      referenceOther: fc.option(fc.nat(), { nil: undefined }),
    });
    const level = fc.option(fc.constantFrom(...LEVELS), { nil: undefined });
    const stackCase = fc.record({
      resources: fc.array(resource, { minLength: 1, maxLength: 16 }),
      levels: fc.array(level, { minLength: POLICIES.length, maxLength: POLICIES.length }),
    });
    let diagnostics = 0;
    await fc.assert(
      fc.asyncProperty(stackCase, async ({ resources, levels }) => {
        const urns = resources.map((r, index) => `urn:pulumi:fuzz::keyguard::${r.type}::r${index}`);
        const stack: AnalyzerStackResource[] = resources.map((r, index) => {
          const properties: Record<string, unknown> = { ...r.properties };
          // References between resources, by value (an ARN, an alias name) and through the engine's links.
          if (r.referenceOther !== undefined)
            properties[r.linkedProperty] =
              `arn:aws:kms:us-east-1:111122223333:key/r${r.referenceOther % resources.length}`;
          const linked = r.links.map((link) => urns[link % urns.length]).filter((urn) => urn !== urns[index]);
          return {
            urn: urns[index],
            type: r.type,
            name: `r${index}`,
            properties,
            dependencies: linked,
            propertyDependencies: linked.length ? { [r.linkedProperty]: linked } : {},
          };
        });
        const config = Object.fromEntries(
          POLICIES.flatMap((policy, index) => (levels[index] ? [[policy, levels[index]]] : [])),
        );
        const answers = await expectSameAnswers(config, stack);
        diagnostics += answers.filter((line) => line.startsWith('["diagnostic"')).length;
      }),
      { numRuns: CASES, seed: SEED },
    );
    // The fuzzed stacks exercise the policies (findings), not only their not-applicable paths.
    expect(diagnostics).toBeGreaterThan(CASES);
  }, 120_000);
});

describe("the server patches", () => {
  it("refuses a @pulumi/policy whose server no longer has the code it changes, naming what is missing", () => {
    const server = fs.readFileSync(require.resolve("@pulumi/policy/server.js"), "utf8");
    expect(patchPolicyServer(server)).toContain("sharedStackResources = intermediates");
    expect(patchPolicyServer(server)).toContain("Error.stackTraceLimit = 0;");
    expect(() =>
      patchPolicyServer(server.replace("const intermediates = [];", "const intermediates = new Array();")),
    ).toThrow(
      /makeAnalyzeStackRpcFun, the code to build the stack's resource objects only for the first stack policy .* was found 0 times/,
    );
  });
});
