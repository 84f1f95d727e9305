/**
 * A mocked AWS for the component's tests: records every registration and invoke, and answers with
 * the values AWS would compute (ARNs, key ids, endpoints), so the tests can assert on exact inputs.
 * Call `installMockCloud()` before importing any module that builds resources.
 */
import * as pulumi from "@pulumi/pulumi";
import type { MockMonitor } from "@pulumi/pulumi/runtime/mocks";
import { computedOutputs, invokeResult } from "../support/awsAnswers";

/** The parts of pulumirpc.RegisterResourceRequest read here. */
interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getDependenciesList(): string[];
  getPropertydependenciesMap(): { forEach(callback: (entry: { getUrnsList(): string[] }, key: string) => void): void };
  getRetainondelete(): boolean;
}

export { ACCOUNT_ID, PROVIDER_REGION } from "../support/awsAnswers";
export const PROJECT = "keyguard";
export const STACK = "test";

/** What the engine is told about a registration besides its inputs (the mocks' callback does not see it). */
export interface EngineView {
  type: string;
  name: string;
  parent: string;
  dependencies: string[];
  propertyDependencies: Record<string, string[]>;
  /** The retainOnDelete resource option (false when not set). */
  retainOnDelete: boolean;
}

export interface MockCloud {
  registrations: pulumi.runtime.MockResourceArgs[];
  /** Per registration, as the request reached the monitor: parent URN, dependencies, property dependencies. */
  engineViews: EngineView[];
  calls: pulumi.runtime.MockCallArgs[];
  /** The state the mock monitor recorded for each URN (serialized, as the engine would see it). */
  recordedState(): Map<string, { urn: string; id: string | null; state: unknown }>;
}

export function installMockCloud(options: { preview?: boolean } = {}): MockCloud {
  const registrations: pulumi.runtime.MockResourceArgs[] = [];
  const calls: pulumi.runtime.MockCallArgs[] = [];
  pulumi.runtime.setMocks(
    {
      newResource(args) {
        registrations.push(args);
        const id = `${args.name}-id`;
        // In a preview, what AWS computes (ARNs, key ids, endpoints) is not known yet: leave it out,
        // and the SDK makes those outputs unknown, as the engine does.
        if (options.preview) return { id: "", state: { ...args.inputs } };
        return { id, state: { ...args.inputs, ...computedOutputs(args.type, args.name, args.inputs) } };
      },
      call(args) {
        calls.push(args);
        return invokeResult(args.token, args.inputs);
      },
    },
    PROJECT,
    STACK,
    options.preview ?? false,
  );
  // The mock monitor's request carries the parent and dependencies the engine would get: record them.
  const engineViews: EngineView[] = [];
  const monitor = pulumi.runtime.getMonitor() as unknown as MockMonitor & {
    registerResource(req: RegisterRequest, callback: unknown): Promise<void>;
  };
  const registerResource = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req: RegisterRequest, callback: unknown) => {
    const propertyDependencies: Record<string, string[]> = {};
    req.getPropertydependenciesMap().forEach((entry, key) => (propertyDependencies[key] = entry.getUrnsList()));
    engineViews.push({
      type: req.getType(),
      name: req.getName(),
      parent: req.getParent(),
      dependencies: req.getDependenciesList(),
      propertyDependencies,
      retainOnDelete: req.getRetainondelete(),
    });
    return registerResource(req, callback);
  };
  return {
    registrations,
    engineViews,
    calls,
    recordedState: () => (pulumi.runtime.getMonitor() as unknown as MockMonitor).getRegisteredResources(),
  };
}

/** The value of an Output once known (rejects if it fails). */
export function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
  return (output as unknown as { promise(): Promise<T> }).promise();
}

/** Whether an Output is a secret. */
export function isSecret(output: pulumi.Output<unknown>): Promise<boolean> {
  return pulumi.isSecret(output);
}
