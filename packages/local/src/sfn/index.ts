/** Freshet's local Step Functions: the JSONata interpreter and the service that runs it on the endpoint. */
export * from "./service/index.ts";
export * from "./interpreter/index.ts";
