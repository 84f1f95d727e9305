/**
 * `--stack-outputs FILE`: the outputs of the stacks a program references with
 * `new pulumi.StackReference(name)`, which `pulumi preview` reads from the backend and the offline
 * run cannot. The file maps each stack name, exactly as the program passes it to StackReference,
 * to what `pulumi stack output --json --show-secrets --stack <name>` prints:
 *
 *   { "acme/security/prod": { "warehouseKeyArn": "arn:aws:kms:...:key/...", "vpcId": "vpc-..." } }
 *
 * Every value given here is treated as a secret (that listing does not say which outputs were), so
 * reports never print one.
 */
import * as fs from "fs";
import * as path from "path";
import { assertNotTooDeep, jsonSyntaxProblem } from "../jsonInput";
import { UsageError } from "../usageError";

/** What a value is, without the value (it is a secret). */
function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return `a ${typeof value}`;
}

/** What `pulumi stack output --json` prints for a secret without --show-secrets. */
const HIDDEN_SECRET = "[secret]";

export function readStackOutputs(file: string | undefined, cwd: string): Record<string, Record<string, unknown>> {
  if (file === undefined) return {};
  const what = `--stack-outputs ${file}`;
  let text: string;
  try {
    text = fs.readFileSync(path.resolve(cwd, file), "utf8");
  } catch (error) {
    throw new UsageError(`${what} cannot be read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    // Never the text itself: every value in the file is a secret.
    throw new UsageError(
      `${what} is not JSON (${jsonSyntaxProblem(error, text).description}); expected { "<org>/<project>/<stack>": <what pulumi stack output --json --show-secrets prints>, ... }`,
    );
  }
  if (typeof document !== "object" || document === null || Array.isArray(document)) {
    throw new UsageError(
      `${what} must be a JSON object keyed by stack name (as given to StackReference), got ${kindOf(document)}`,
    );
  }
  for (const [stack, outputs] of Object.entries(document)) {
    if (stack.trim().length === 0)
      throw new UsageError(
        `${what}: a stack name is empty; use the name the program gives StackReference, e.g. "acme/security/prod"`,
      );
    if (typeof outputs !== "object" || outputs === null || Array.isArray(outputs)) {
      throw new UsageError(
        `${what}: "${stack}" must be the object \`pulumi stack output --json --show-secrets --stack ${stack}\` prints, got ${kindOf(outputs)}`,
      );
    }
    for (const [name, value] of Object.entries(outputs)) {
      if (value === HIDDEN_SECRET) {
        throw new UsageError(
          `${what}: "${stack}".${name} is "${HIDDEN_SECRET}", a secret pulumi stack output hid; write the file with --show-secrets (keyguard keeps every supplied value secret)`,
        );
      }
    }
  }
  assertNotTooDeep(document, what);
  return document as Record<string, Record<string, unknown>>;
}
