export { createRedshiftDataService, type RedshiftDataService, type RedshiftDataServiceOptions } from "./service.ts";
export type { HeldBatch, HeldVacuum, StatementFaults } from "./statements/faults.ts";
export { CopyError, RedshiftDataApiError, RedshiftStorageError, SqlTranslationError, StatementCancelledError, TableMaintenanceError } from "./errors.ts";
export { translateStatement, type Step, type Parameters } from "./sql/translate.ts";
export { splitStatements, tokenize } from "./sql/tokens.ts";
