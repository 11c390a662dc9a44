/**
 * The JSONPath subset EventBridge accepts in `InputPath` and `InputPathsMap`: `$`, `.name`,
 * `['name']` and `[index]` steps. Returns undefined for a path that leads nowhere.
 */
export function readJsonPath(root: unknown, path: string): unknown {
  const steps = parseJsonPath(path);
  if (!steps) return undefined;
  let value: unknown = root;
  for (const step of steps) {
    if (value === null || typeof value !== "object") return undefined;
    if (typeof step === "number") {
      if (!Array.isArray(value)) return undefined;
      value = value[step];
    } else {
      if (Array.isArray(value)) return undefined;
      value = (value as Record<string, unknown>)[step];
    }
    if (value === undefined) return undefined;
  }
  return value;
}

/** The steps of a path, or undefined when it is not one EventBridge accepts. */
export function parseJsonPath(path: string): (string | number)[] | undefined {
  if (!path.startsWith("$")) return undefined;
  const steps: (string | number)[] = [];
  let i = 1;
  while (i < path.length) {
    if (path[i] === ".") {
      const match = /^\.([^.[\]]+)/.exec(path.slice(i));
      if (!match) return undefined;
      steps.push(match[1]!);
      i += match[0].length;
    } else if (path[i] === "[") {
      const match = /^\[(?:(\d+)|'([^']*)'|"([^"]*)")\]/.exec(path.slice(i));
      if (!match) return undefined;
      steps.push(match[1] !== undefined ? Number(match[1]) : (match[2] ?? match[3])!);
      i += match[0].length;
    } else {
      return undefined;
    }
  }
  return steps;
}
