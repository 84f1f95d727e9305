/** How an exemption in a policy's config matches a resource: exact URN or name, or a * / ? glob. */
import { expect, test } from "vitest";
import { RESOURCE_TYPES } from "../../facts";
import { findExemption } from "../../policy/config";
import { urnOf } from "../support/policyCases";

const target = { urn: urnOf(RESOURCE_TYPES.kmsKey, "data-key"), name: "data-key" };

test.each<[string, boolean]>([
  ["data-key", true],
  ["data-?ey", true],
  ["*::aws:kms/key:Key::*", true],
  ["data", false],
  ["data.key", false],
])("the exemption %j matches data-key: %s", (resource, matches) => {
  expect(findExemption([{ resource, reason: "r" }], target) !== undefined).toBe(matches);
});
