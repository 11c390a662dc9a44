import * as v from "valibot";
import { EventV1Schema } from "./v1.ts";
import { EventV2Schema } from "./v2.ts";

/** Everything a producer may send: the published contract (see `schemas/event.schema.json`). */
export const InputEventSchema = v.union([EventV2Schema, EventV1Schema]);
