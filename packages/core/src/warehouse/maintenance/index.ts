export * from "./errors.ts";
export * from "./settings.ts";
export { HEALTH_COLUMNS, MAINTAINED_TABLES, buildHealthQuery, type TableHealth } from "./health.ts";
export { analyzeSql, vacuumSql, type MaintenanceDecisionKind, type MaintenanceOperation, type VacuumKind } from "./operations.ts";
export { decideMaintenance, twoDecimals, type MaintenanceReason, type MaintenanceTrigger, type TableDecision } from "./decide.ts";
export { leaseIsLive, parseMaintenanceLease, type MaintenanceLease } from "./lease.ts";
export { MAINTAINER_ROLE_STATEMENTS } from "./role.ts";
