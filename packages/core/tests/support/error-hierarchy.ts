import { describe, expect, it } from "vitest";

/** Shared by every package's `errors.test.ts`: the checks one error hierarchy must pass. */

/** An error class, whatever its constructor takes. */
export type ErrorClass = abstract new (...args: never[]) => Error;

export interface ErrorCase {
  readonly type: ErrorClass;
  /** Builds one that carries `cause` as its cause, if the class takes one. */
  readonly make: (cause: Error) => Error;
  /** Set when its `cause` is not the underlying error, saying what it is instead (`undefined`: none). */
  readonly expectedCause?: unknown;
}

/** The error classes among a module namespace's exports. */
export function errorClassesOf(...modules: readonly object[]): ErrorClass[] {
  return modules
    .flatMap((module) => Object.values(module) as unknown[])
    .filter((value): value is ErrorClass => typeof value === "function" && value.prototype instanceof Error);
}

/**
 * Every case is an instance of `base` and of its own class, is named for its class (a subclass
 * that forgets its `name` would show its parent's), and keeps its cause; and every error class in
 * `exported` has a case, so a new class cannot slip past the checks.
 */
export function describeErrorHierarchy(title: string, base: ErrorClass, cases: readonly ErrorCase[], exported: readonly ErrorClass[]): void {
  describe(title, () => {
    it.each(cases.map((c) => [c.type.name, c] as const))("%s extends the base, is named for its class and keeps its cause", (_, c) => {
      const underlying = new Error("the underlying failure");
      const error = c.make(underlying);
      expect(error).toBeInstanceOf(c.type);
      expect(error).toBeInstanceOf(base);
      expect(error.name).toBe(c.type.name);
      expect(error.cause).toBe("expectedCause" in c ? c.expectedCause : underlying);
    });

    it("has a case for every error class the package exports", () => {
      const covered = new Set<ErrorClass>(cases.map((c) => c.type));
      expect(exported.filter((type) => !covered.has(type)).map((type) => type.name)).toEqual([]);
    });
  });
}
