export * from "./errors.ts";
export * from "./settings.ts";
export * from "./metrics.ts";
export * from "./series.ts";
export * from "./decide.ts";
export * from "./describe.ts";
export * from "./table.ts";
export * from "./rows.ts";
