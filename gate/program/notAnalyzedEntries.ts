/**
 * The "not analyzed" entries of a `keyguard check` report: what the offline run could not know
 * (an undecryptable `secure:` config value the program read, a referenced stack whose outputs were
 * not supplied), each with where it comes from and how to supply it.
 */
import * as fs from "fs";
import * as path from "path";
import { RESOURCE_TYPES } from "../../facts";
import type { PulumiProject } from "./pulumiProject";
import type { NotAnalyzed, ReportLocation } from "../report/report";
import type { ResourceRecord } from "../resourceRecord";
import type { OfflineLookup } from "./programChild";

/** Where a config key is set: its line in the file that holds it (1 when it cannot be found). */
function configKeyLocation(file: string, qualifiedKey: string, project: PulumiProject, cwd: string): ReportLocation {
  const bare = qualifiedKey.startsWith(`${project.project}:`)
    ? qualifiedKey.slice(project.project.length + 1)
    : undefined;
  const names = [qualifiedKey, ...(bare ? [bare] : [])];
  let line = 1;
  try {
    const index = fs
      .readFileSync(file, "utf8")
      .split("\n")
      .findIndex((text) =>
        names.some((name) =>
          new RegExp(`^\\s*(["']?)${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\1\\s*:`).test(text),
        ),
      );
    if (index >= 0) line = index + 1;
  } catch {
    // the file was read moments ago; a location is a courtesy
  }
  return { file: path.relative(cwd, file).split(path.sep).join("/") || path.basename(file), line };
}

/** A `secure:` value the program read, which the offline run could not decrypt. */
export function undecryptedConfigEntry(project: PulumiProject, key: string, cwd: string): NotAnalyzed {
  return {
    kind: "secure-config",
    subject: key,
    message:
      `config ${key} is a secure value that cannot be decrypted offline: the program got it as an unknown secret, so every check on its value ` +
      "(the component's, the pack's) waits for the deployment, as for a value unknown during preview (pulumi preview decrypts and checks it); " +
      "give its plaintext with --config FILE to check it here",
    location: configKeyLocation(project.undecryptable[key], key, project, cwd),
  };
}

/** A referenced stack whose outputs were not supplied: every value taken from it is unknown offline. */
export function unsuppliedStackReferenceEntry(
  stackName: string,
  resources: ResourceRecord[],
  cwd: string,
): NotAnalyzed {
  const reference = resources.find(
    (resource) => resource.type === RESOURCE_TYPES.stackReference && resource.inputs.name === stackName,
  );
  const source = reference?.sourceLocation;
  return {
    kind: "stack-reference",
    subject: stackName,
    ...(reference ? { urn: reference.urn, resourceType: reference.type, resourceName: reference.name } : {}),
    message:
      `the outputs of stack ${stackName} are not known offline (pulumi preview reads them from the backend), so every value the program takes from them is unknown here ` +
      `(a key from there is judged as a key outside the stack whose ARN could not be seen); give them with --stack-outputs FILE ` +
      `({ "${stackName}": <what pulumi stack output --json --show-secrets --stack ${stackName} prints> })`,
    ...(source
      ? {
          location: {
            file: path.relative(cwd, source.file).split(path.sep).join("/"),
            line: source.line,
            column: source.column,
          },
        }
      : {}),
  };
}

const OFFLINE_ANSWERS: Record<OfflineLookup["answer"], string> = {
  "offline-values":
    "answered with keyguard's offline values (a documentation account id 123456789012, the stack's region, ARNs built from the arguments)",
  "declared-outputs-unknown":
    "answered with every output its result type declares, unknown where AWS would give it (its arguments where the result echoes them)",
  "arguments-echoed": "answered with its own arguments (the provider declares no result type keyguard can read)",
};

/** A provider function the program called, which pulumi preview asks AWS and the offline run answered itself. */
export function offlineLookupEntry(lookup: OfflineLookup): NotAnalyzed {
  return {
    kind: "offline-lookup",
    subject: lookup.token,
    message:
      `data-source lookup ${lookup.token} (${lookup.calls} call${lookup.calls === 1 ? "" : "s"}) is not asked of AWS offline: ${OFFLINE_ANSWERS[lookup.answer]}; ` +
      "a value the program took from it is not the one pulumi preview would see, and a check on such a value waits for the deployment or judges the offline value",
  };
}
