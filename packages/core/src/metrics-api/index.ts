export * from "./errors.ts";
export * from "./parameters.ts";
export * from "./view-catalog.ts";
export * from "./routes.ts";
