import * as v from "valibot";
import { detectSchemaVersion } from "../../events/reconcile.ts";
import { isJsonObject } from "../../events/fields.ts";
import { EventV2Schema } from "../../events/v2.ts";
import { withField, withoutFields, type RepairRule } from "../repair-rule.ts";

const V2_FIELDS: ReadonlySet<string> = new Set(Object.keys((EventV2Schema as v.StrictObjectSchema<v.ObjectEntries, undefined>).entries));

/**
 * A v2 event with fields the strict schema does not know: they are free-form data, so they move
 * under `properties`, unchanged, when `properties` is an object (or absent) that has no key of the
 * same name. A collision would overwrite what the producer put in `properties`: then the rule
 * does not apply.
 */
export const unknownTopLevelFields: RepairRule = {
  id: "unknown-top-level-fields",
  version: 1,
  description: "a v2 event's unknown top-level fields move under properties, unchanged, when properties has no field of the same name",
  repair(raw) {
    if (detectSchemaVersion(raw) !== 2) return undefined;
    const extra = Object.keys(raw).filter((key) => !V2_FIELDS.has(key));
    if (extra.length === 0) return undefined;
    const given = raw.properties;
    if (given !== undefined && given !== null && !isJsonObject(given)) return undefined;
    let properties: Record<string, unknown> = { ...(given ?? {}) };
    for (const key of extra) {
      if (Object.hasOwn(properties, key)) return undefined;
      properties = withField(properties, key, raw[key]);
    }
    return withField(withoutFields(raw, new Set(extra)), "properties", properties);
  },
};
