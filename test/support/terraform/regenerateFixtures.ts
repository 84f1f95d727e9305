/**
 * `npm run terraform:fixtures [NAME…]`: runs the real terraform on every Terraform fixture (or the
 * named ones) through the stand-in AWS provider and writes plan.json (and state.json and
 * terraform.tfstate for state cases) next to each fixture's .tf files. Two cases run at a time,
 * against one stand-in provider process.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { FIXTURES_DIR, TERRAFORM_CASES, type TerraformCase } from "./fixtureCases";
import { fixtureFiles } from "./fixtureOutputs";
import { type StandIn, runTerraform, startStandIn, terraformVersion } from "./runTerraform";

const PARALLEL_RUNS = 2;

async function main(): Promise<void> {
  const version = await terraformVersion();
  if (!version)
    throw new Error(
      "terraform is not on PATH: the fixtures are what the real terraform writes, so none were regenerated",
    );
  const wanted = process.argv.slice(2);
  const unknownNames = wanted.filter((name) => !TERRAFORM_CASES.some((terraformCase) => terraformCase.name === name));
  if (unknownNames.length > 0)
    throw new Error(
      `no Terraform fixture named ${unknownNames.join(", ")}; the fixtures are: ${TERRAFORM_CASES.map((c) => c.name).join(", ")}`,
    );
  const cases = wanted.length > 0 ? TERRAFORM_CASES.filter((c) => wanted.includes(c.name)) : TERRAFORM_CASES;
  const started = Date.now();
  const standIn = await startStandIn();
  try {
    const queue = [...cases];
    const worker = async () => {
      for (let next = queue.shift(); next; next = queue.shift()) await regenerate(next, standIn);
    };
    await Promise.all(Array.from({ length: PARALLEL_RUNS }, worker));
  } finally {
    await standIn.stop();
  }
  console.log(
    `${cases.length} fixtures from ${version} in ${((Date.now() - started) / 1000).toFixed(1)} s; ` +
      `provider RPCs Terraform called: ${standIn.rpcs().sort().join(", ")}`,
  );
}

async function regenerate(terraformCase: TerraformCase, standIn: StandIn): Promise<void> {
  const started = Date.now();
  const fixtureDir = path.join(FIXTURES_DIR, terraformCase.name);
  const outputs = await runTerraform(fixtureDir, terraformCase, standIn);
  for (const [file, text] of Object.entries(fixtureFiles(outputs))) fs.writeFileSync(path.join(fixtureDir, file), text);
  console.log(`${terraformCase.name}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

main().catch((error: unknown) => {
  console.error((error as Error).message);
  process.exit(1);
});
