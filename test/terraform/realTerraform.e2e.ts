/**
 * The committed Terraform fixtures are what the real terraform writes: for every fixture, run
 * terraform (init, plan, show; apply, show, state pull for state cases) through the stand-in AWS
 * provider and compare its output with the committed plan.json / state.json / terraform.tfstate
 * (normalised as fixtureOutputs.ts does: pretty-printed, the plan's timestamp fixed). When they
 * differ, `npm run terraform:fixtures` regenerates them; the diff shows what changed.
 *
 * Without terraform on PATH the suite says so in one line and ends; the other suites keep using the
 * committed JSON.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FIXTURES_DIR, GENERATED_FILES, TERRAFORM_CASES } from "../support/terraform/fixtureCases";
import { fixtureFiles } from "../support/terraform/fixtureOutputs";
import { type StandIn, runTerraform, startStandIn } from "../support/terraform/runTerraform";

const terraformOnPath = spawnSync("terraform", ["version"], { encoding: "utf8" }).status === 0;

if (!terraformOnPath) {
  console.log(
    "terraform is not on PATH: the real-terraform fixture check did not run (the committed JSON is used as is)",
  );
} else {
  describe("every Terraform fixture folder is a listed case", () => {
    it("lists each folder under test/terraform/fixtures in TERRAFORM_CASES", () => {
      const folders = fs
        .readdirSync(FIXTURES_DIR, { withFileTypes: true })
        .filter((entry) => entry.isDirectory())
        .map((entry) => entry.name)
        .sort();
      expect(folders).toEqual(TERRAFORM_CASES.map((terraformCase) => terraformCase.name).sort());
    });
  });

  describe("the committed JSON is what terraform writes", () => {
    let standIn: StandIn;
    beforeAll(async () => {
      standIn = await startStandIn();
    });
    afterAll(async () => {
      await standIn?.stop();
    });

    for (const terraformCase of TERRAFORM_CASES) {
      it(terraformCase.name, async () => {
        const fixtureDir = path.join(FIXTURES_DIR, terraformCase.name);
        const fresh = fixtureFiles(await runTerraform(fixtureDir, terraformCase, standIn));
        const committed = GENERATED_FILES.filter((file) => fs.existsSync(path.join(fixtureDir, file)));
        expect(committed.sort()).toEqual(Object.keys(fresh).sort());
        for (const [file, text] of Object.entries(fresh)) {
          const committedText = fs.readFileSync(path.join(fixtureDir, file), "utf8");
          expect(JSON.parse(text), `${terraformCase.name}/${file}`).toEqual(JSON.parse(committedText));
        }
      });
    }
  });
}
