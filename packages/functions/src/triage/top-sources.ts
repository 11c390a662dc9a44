/**
 * The most frequent sources by name, the rest summed under `(others)`. Sources are stream
 * partition keys (the ingest keys records by event id), so a burst of dead letters has as many
 * sources as letters: each object's result and the execution's summary keep only the top, or the
 * Map's results would outgrow Step Functions' 256 KiB limit on state data.
 */
export function topSources(sources: Readonly<Record<string, number>>, top: number): Record<string, number> {
  const sorted = Object.entries(sources).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const kept = Object.fromEntries(sorted.slice(0, top));
  const rest = sorted.slice(top).reduce((n, [, c]) => n + c, 0);
  return rest > 0 ? { ...kept, "(others)": (kept["(others)"] ?? 0) + rest } : kept;
}
