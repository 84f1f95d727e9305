/**
 * A resource's inputs as the engine hands them to a policy pack: its Analyzer marshals property
 * values without `KeepResources` (sdk/go/common/resource/plugin/rpc.go MarshalPropertyValue), so a
 * resource passed as an input (`role: lambdaRole`) reaches the pack as the referenced resource's id
 * (unknown during preview until the resource exists), or as its URN when it has no id (a component).
 * The SDK under mocks sends resource references (the mock monitor supports them), which
 * @pulumi/policy cannot read ("Unrecognized signature").
 */
import { isUnknown, RESOURCE_REFERENCE_SIGNATURE, SPECIAL_SIGNATURE_KEY, UNKNOWN_STRING_SENTINEL } from "../../facts";

/** The value of one resource reference as the engine marshals it for the pack. */
function referenceAsEngineSendsIt(reference: Record<string, unknown>): unknown {
  if (!("id" in reference)) return reference.urn;
  const id = reference.id;
  // An empty id is how the SDK spells an id not known yet; the engine sends that as unknown.
  if (id === "" || id === undefined || isUnknown(id)) return UNKNOWN_STRING_SENTINEL;
  return id;
}

/** `value` with every resource reference replaced as the engine replaces it; other values unchanged. */
export function withoutResourceReferences(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutResourceReferences);
  if (typeof value !== "object" || value === null) return value;
  const object = value as Record<string, unknown>;
  if (object[SPECIAL_SIGNATURE_KEY] === RESOURCE_REFERENCE_SIGNATURE) return referenceAsEngineSendsIt(object);
  const result: Record<string, unknown> = {};
  for (const [key, element] of Object.entries(object)) result[key] = withoutResourceReferences(element);
  return result;
}
