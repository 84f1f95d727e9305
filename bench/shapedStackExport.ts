// A `pulumi stack export` document (version-3 deployment, indented as the CLI writes it) holding one
// of the bench's stack shapes (stackShapes.ts), for measuring `keyguard audit` at scale. Written to
// a file resource by resource: a 200,000-resource export is ~130 MB, which is built here without
// ever holding the whole text in one string.
import * as fs from "fs";
import { SECRET_SIGNATURE, SPECIAL_SIGNATURE_KEY } from "../facts";
import { shapedStack, type StackShape } from "./stackShapes";

const PROVIDER_TYPE = "pulumi:providers:aws";
const CREATED = "2026-03-02T09:14:27.118Z";

/**
 * "indented": as `pulumi stack export` writes it (four spaces). "compact": a resource a line, the
 * same document in a third of the size (a 200,000-resource indented export would be ~580 MB).
 */
export type ExportLayout = "indented" | "compact";

/** Writes an export of `resourceCount` resources of `shape` (plus the stack and its provider) to `file`. */
export function writeShapedStackExport(
  file: string,
  shape: StackShape,
  resourceCount: number,
  layout: ExportLayout = "indented",
): void {
  const indentedResource = (resource: Record<string, unknown>): string =>
    layout === "compact"
      ? JSON.stringify(resource)
      : JSON.stringify(resource, null, 4)
          .split("\n")
          .map((line) => `        ${line}`)
          .join("\n");
  const resources = shapedStack(shape, resourceCount);
  const [, stackName, projectName] = /^urn:pulumi:([^:]+)::([^:]+)::/.exec(resources[0].urn) ?? [];
  const stackUrn = `urn:pulumi:${stackName}::${projectName}::pulumi:pulumi:Stack::${projectName}-${stackName}`;
  const providerUrn = `urn:pulumi:${stackName}::${projectName}::${PROVIDER_TYPE}::default_7_48_0`;
  const providerId = "4b2a0f5e-1c7d-4a4e-9f65-8d2e7c3b1a90";
  const descriptor = fs.openSync(file, "w");
  const write = (text: string) => fs.writeSync(descriptor, text);
  try {
    write(
      `{\n    "version": 3,\n    "deployment": {\n        "manifest": {\n            "time": "${CREATED}",\n            "magic": "3f3d1c1e",\n            "version": "v3.210.0"\n        },\n` +
        `        "secrets_providers": {\n            "type": "passphrase",\n            "state": { "salt": "v1:AAAAAAAAAAA=:v1:AAAAAAAAAAAAAAAA:AAAAAAAAAAAAAAAAAAAAAAAA" }\n        },\n        "resources": [\n`,
    );
    write(indentedResource({ urn: stackUrn, custom: false, type: "pulumi:pulumi:Stack", outputs: {} }));
    write(",\n");
    write(
      indentedResource({
        urn: providerUrn,
        custom: true,
        id: providerId,
        type: PROVIDER_TYPE,
        inputs: { region: "us-east-1", version: "7.48.0" },
        outputs: { region: "us-east-1", version: "7.48.0" },
        parent: stackUrn,
        created: CREATED,
        modified: CREATED,
      }),
    );
    for (const resource of resources) {
      const custom = !resource.type.includes("keyguard:");
      const outputs: Record<string, unknown> = { ...resource.properties };
      // State keeps a cluster's master password encrypted, as `pulumi stack export` writes it.
      if ("clusterIdentifier" in outputs && "nodeType" in outputs)
        outputs.masterPassword = {
          [SPECIAL_SIGNATURE_KEY]: SECRET_SIGNATURE,
          ciphertext: "v1:q1X0cHcvV2p3bWc9:7yqgk3m4",
        };
      write(",\n");
      write(
        indentedResource({
          urn: resource.urn,
          custom,
          ...(custom ? { id: String(resource.properties.id ?? resource.name) } : {}),
          type: resource.type,
          inputs: resource.properties,
          outputs,
          parent: resource.parent ?? stackUrn,
          dependencies: resource.dependencies,
          ...(custom ? { provider: `${providerUrn}::${providerId}` } : {}),
          propertyDependencies: resource.propertyDependencies,
          created: CREATED,
          modified: CREATED,
        }),
      );
    }
    write("\n        ]\n    }\n}\n");
  } finally {
    fs.closeSync(descriptor);
  }
}
