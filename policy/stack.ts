/**
 * The stack as the stack policies see it: every resource as a plain view, and every question a
 * policy asks about the stack answered from an index, so each policy's work grows linearly with the
 * stack. The index is built once per `validateStack` call (that is, per AnalyzeStack and policy:
 * @pulumi/policy hands each stack policy its own freshly deserialized resources), and each part only
 * when a policy first asks for it.
 */
import { RESOURCE_TYPES } from "../facts";
import {
  ALIAS_TYPES,
  KEY_TYPES,
  type KeyLookup,
  type PolicyResourceLike,
  type ResourceView,
  aliasNameOf,
  toView,
} from "./keyResolution";
import { isUnknown, readProperty, readString } from "./verdict";

/** Every question a stack policy may ask about its stack. */
export interface StackLookup extends KeyLookup {
  /** The stack's resources of these types, in the stack's order. */
  resourcesOfTypes(types: ReadonlySet<string>): readonly ResourceView[];
  /** The RedshiftKeyRotation resources that depend on this URN (by `dependencies` or `propertyDependencies`). */
  rotationsDependingOn(urn: string): readonly ResourceView[];
  /** The RedshiftKeyRotation resources whose `clusterIdentifier` is this string. */
  rotationsWithIdentifier(identifier: string): readonly ResourceView[];
  /** How many RedshiftKeyRotation resources the stack has, and whether any `clusterIdentifier` is unknown in preview. */
  rotationSummary(): { count: number; someIdentifierUnknown: boolean };
}

interface KeyMaps {
  byUrn: Map<string, ResourceView>;
  keysByIdentifier: Map<string, ResourceView>;
  aliasesByName: Map<string, ResourceView>;
}

interface RotationMaps {
  byDependency: Map<string, ResourceView[]>;
  byIdentifier: Map<string, ResourceView[]>;
  count: number;
  someIdentifierUnknown: boolean;
}

function push(map: Map<string, ResourceView[]>, key: string, resource: ResourceView): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [resource]);
  else list.push(resource);
}

/** The first resource to claim an identifier keeps it (as the stack is read in order). */
function claim(map: Map<string, ResourceView>, value: unknown, resource: ResourceView): void {
  if (typeof value === "string" && value !== "" && !isUnknown(value) && !map.has(value)) map.set(value, resource);
}

export class StackIndex implements StackLookup {
  readonly views: readonly ResourceView[];
  private keyMaps?: KeyMaps;
  private rotationMaps?: RotationMaps;

  constructor(resources: readonly PolicyResourceLike[]) {
    this.views = resources.map(toView);
  }

  resourcesOfTypes(types: ReadonlySet<string>): readonly ResourceView[] {
    return this.views.filter((view) => types.has(view.type));
  }

  resourceByUrn(urn: string): ResourceView | undefined {
    return this.keys().byUrn.get(urn);
  }

  keyByIdentifier(identifier: string): ResourceView | undefined {
    return this.keys().keysByIdentifier.get(identifier);
  }

  aliasByReference(reference: string): ResourceView | undefined {
    return this.keys().aliasesByName.get(aliasNameOf(reference));
  }

  rotationsDependingOn(urn: string): readonly ResourceView[] {
    return this.rotations().byDependency.get(urn) ?? [];
  }

  rotationsWithIdentifier(identifier: string): readonly ResourceView[] {
    return this.rotations().byIdentifier.get(identifier) ?? [];
  }

  rotationSummary(): { count: number; someIdentifierUnknown: boolean } {
    const { count, someIdentifierUnknown } = this.rotations();
    return { count, someIdentifierUnknown };
  }

  /** Keys by every name a cluster's `kmsKeyId` can use (ARN, key id, id), aliases by name and ARN. */
  private keys(): KeyMaps {
    if (this.keyMaps) return this.keyMaps;
    const maps: KeyMaps = { byUrn: new Map(), keysByIdentifier: new Map(), aliasesByName: new Map() };
    for (const resource of this.views) {
      // Last one wins on a repeated URN, as @pulumi/policy's server links dependencies.
      maps.byUrn.set(resource.urn, resource);
      if (KEY_TYPES.has(resource.type)) {
        for (const property of ["arn", "keyId", "id"])
          claim(maps.keysByIdentifier, readProperty(resource.props, property), resource);
      } else if (ALIAS_TYPES.has(resource.type)) {
        for (const property of ["name", "aliasName", "arn"]) {
          const value = readProperty(resource.props, property);
          claim(maps.aliasesByName, typeof value === "string" ? aliasNameOf(value) : value, resource);
        }
      }
    }
    return (this.keyMaps = maps);
  }

  /** RedshiftKeyRotation resources by the URNs they depend on and by their `clusterIdentifier`. */
  private rotations(): RotationMaps {
    if (this.rotationMaps) return this.rotationMaps;
    const maps: RotationMaps = {
      byDependency: new Map(),
      byIdentifier: new Map(),
      count: 0,
      someIdentifierUnknown: false,
    };
    for (const rotation of this.views) {
      if (rotation.type !== RESOURCE_TYPES.redshiftKeyRotation) continue;
      maps.count++;
      const dependencies = new Set([
        ...rotation.dependencyUrns,
        ...Object.values(rotation.propertyDependencyUrns).flat(),
      ]);
      for (const urn of dependencies) push(maps.byDependency, urn, rotation);
      const identifier = readString(rotation.props, "clusterIdentifier");
      if (identifier.kind === "unknown") maps.someIdentifierUnknown = true;
      if (identifier.kind === "string") push(maps.byIdentifier, identifier.value, rotation);
    }
    return (this.rotationMaps = maps);
  }
}
