import { Maintenance, MAINTENANCE_SCHEDULE_NAME, type Json } from "@freshet/workflows";
import type { StageConfig } from "./config.ts";

/**
 * The stage's Maintenance schedule: its own cron (config.maintenance.schedule) and an input
 * carrying its thresholds and budget, so the nightly run decides with the stage's settings
 * while an on-demand run (`freshet executions start Maintenance`) falls back to core's defaults
 * unless its input says otherwise.
 */
type ScheduleRef = { workflow: string; name: string; expression: string };

const isMaintenance = (s: { workflow: string; name: string }) => s.workflow === Maintenance.name && s.name === MAINTENANCE_SCHEDULE_NAME;

export function maintenanceScheduleExpression(config: StageConfig, s: ScheduleRef): string | undefined {
  return isMaintenance(s) ? config.maintenance.schedule : undefined;
}

export function maintenanceScheduleInput(config: StageConfig): (s: ScheduleRef) => Json | undefined {
  return (s) => (isMaintenance(s) ? { thresholds: { ...config.maintenance.thresholds }, budgetMinutes: config.maintenance.budgetMinutes } : undefined);
}
