import { isJsonObject } from "../../events/fields.ts";
import { withField, type RepairRule } from "../repair-rule.ts";

/**
 * `properties` sent as JSON text of an object (`"{\"plan\":\"pro\"}"`, a producer that encoded it
 * twice) → that object. Only text that parses to a JSON object: anything else stays rejected.
 */
export const propertiesJsonString: RepairRule = {
  id: "properties-json-string",
  version: 1,
  description: "properties sent as the JSON text of an object (encoded twice) becomes that object",
  repair(raw) {
    const properties = raw.properties;
    if (typeof properties !== "string" || !properties.trimStart().startsWith("{")) return undefined;
    let parsed: unknown;
    try {
      parsed = JSON.parse(properties);
    } catch {
      return undefined;
    }
    return isJsonObject(parsed) ? withField(raw, "properties", parsed) : undefined;
  },
};
