/** The engine side's wire helpers and host, as the gate, the tests and the bench use them. */
import { describe, expect, it } from "vitest";
import { SECRET_SIGNATURE, SPECIAL_SIGNATURE_KEY } from "../../facts";
import { UNKNOWN, isWireSecret, secret, startAnalyzer, toStruct } from "../../engine";

describe("engine wire helpers", () => {
  it("puts unknowns, secrets, -0 and NaN on the wire as the engine does, dropping undefined members", () => {
    const wire = toStruct({
      a: UNKNOWN.string,
      s: secret({ n: -0 }),
      nan: NaN,
      gone: undefined,
      list: [undefined, 1],
    }).toJavaScript();
    expect(wire).toEqual({
      a: UNKNOWN.string,
      s: { [SPECIAL_SIGNATURE_KEY]: SECRET_SIGNATURE, value: { n: -0 } },
      nan: NaN,
      list: [null, 1],
    });
    expect(Object.is((wire.s as { value: { n: number } }).value.n, -0)).toBe(true);
    expect(isWireSecret(wire.s)).toBe(true);
    expect(isWireSecret({ value: 1 })).toBe(false);
  });

  it("refuses values that cannot travel, naming the property", () => {
    expect(() => toStruct({ outer: { fn: () => 1 } })).toThrow(
      "analyzerHost: property properties.outer.fn is a function",
    );
    expect(() => toStruct([] as never)).toThrow("properties must be a plain object, got an array");
  });

  it("reports a pack directory that does not exist, naming it", async () => {
    await expect(startAnalyzer({ packDir: "/nonexistent/keyguard-pack", startTimeoutMs: 5_000 })).rejects.toThrow(
      /policy pack in \/nonexistent\/keyguard-pack could not be started/,
    );
  });
});
