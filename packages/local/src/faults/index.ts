export { withDataApiFaults, type DataApiCall, type DataApiFaults } from "./data-api.ts";
export { AnswerLostError, InjectedFaultError, InvocationDiedError } from "./errors.ts";
export { withLakeFaults, type LakeFaults } from "./lake.ts";
export { FaultSwitch, type LocalFaults, type SwitchableFaults } from "./switch.ts";
export { MidBatchHang, type Hang, type MidBatchHangOptions } from "./hang.ts";
export { MidBatchDeath, type MidBatchDeathOptions } from "./transformer.ts";
export { SwitchableClock } from "./clock.ts";
