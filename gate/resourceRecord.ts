/**
 * What the gate knows about one resource, whether it came from running a program under mocks
 * (`keyguard check`) or from a `pulumi stack export` file (`keyguard audit`). Property bags are
 * kept in Pulumi's wire form: secrets as `{ "4dabf...": "1b47...", value }`, unknowns as the
 * engine's sentinel strings, exactly what the pack's Analyzer interface receives from the engine.
 */
import { RESOURCE_TYPES } from "../facts";

export interface SourceLocation {
  /** Absolute path of the program file whose code declared the resource. */
  file: string;
  /** 1-based line and column of the `new` expression. */
  line: number;
  column: number;
}

export interface ResourceRecord {
  urn: string;
  type: string;
  name: string;
  /** A custom (provider-managed) resource, as opposed to a component or the stack. */
  custom: boolean;
  parent?: string;
  dependencies: string[];
  propertyDependencies: Record<string, string[]>;
  /** The resource's inputs, as Analyze receives them. */
  inputs: Record<string, unknown>;
  /** The resource's outputs (in preview: inputs plus unknowns), as AnalyzeStack receives them. */
  outputs: Record<string, unknown>;
  /** The provider reference (`<provider urn>::<provider id>`), when one was given. */
  provider?: string;
  protect?: boolean;
  /**
   * A multi-language component (`super(type, name, args, opts, true)`): its children are created by
   * its plugin's Construct, which the offline run does not execute (check only).
   */
  remote?: boolean;
  /**
   * Read, not registered (a StackReference, a `.get()`): part of the stack for AnalyzeStack, with its
   * read state as inputs and outputs, but never sent to Analyze, as the engine does (check only).
   */
  read?: boolean;
  /** Where the program declared the resource, when that can be found (check only). */
  sourceLocation?: SourceLocation;
}

/** Every resource but the stack itself, which reports do not count or list as a resource. */
export function isReportedResource(resource: { type: string }): boolean {
  return resource.type !== RESOURCE_TYPES.pulumiStack;
}

/** The project a set of records came from. */
export interface StackIdentity {
  project: string;
  stack: string;
}
