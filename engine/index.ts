/**
 * The engine side of a policy pack, as `pulumi preview --policy-pack` runs it: launch the pack, speak
 * `pulumirpc.Analyzer` to it, put values on the wire as the engine does. The gate, the tests and the
 * bench use it through this module.
 *
 *   startAnalyzer(options) -> Promise<AnalyzerHost>
 *   host.getAnalyzerInfo(), host.configure(config), host.configureStack(stack), host.analyze(resource),
 *   host.analyzeStack(resources), host.remediate(resource), host.close()
 *   secret(value), UNKNOWN, toStruct(props), fromStruct(struct), normalizePolicyPackConfig(config, info)
 */
export {
  AnalyzerHost,
  PolicyPackCallError,
  PolicyPackStartError,
  runPolicyPackPath,
  startAnalyzer,
  type StartAnalyzerOptions,
} from "./analyzerHost";
export {
  normalizePolicyPackConfig,
  PolicyPackConfigError,
  type PolicyPackConfig,
  type ResolvedPolicyConfig,
} from "./packConfig";
export * from "./protocol";
export { UNKNOWN, fromStruct, isWireSecret, secret, toStruct, type WireSecret } from "./wireValues";
