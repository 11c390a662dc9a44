/** Display helpers shared by the panels. */
export const num = (n: number | null | undefined): string => (n === null || n === undefined ? "–" : n.toLocaleString("en-US"));

export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return "–";
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** `06:12:03` in UTC (the pipeline's zone everywhere). */
export const clock = (iso: string | null | undefined): string => (iso ? iso.slice(11, 19) : "–");

/** JSON text pretty-printed when it parses; as it is otherwise. */
export function pretty(text: string | null | undefined): string {
  if (text === null || text === undefined) return "";
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}
