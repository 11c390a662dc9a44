import { isOp, keyword, type Token } from "./tokens.ts";

/**
 * The Redshift access-control statements Freshet's migrations send, which the local engine accepts
 * and does nothing for: DuckDB has no roles or privileges, and on one machine every statement runs
 * as the same local user. Exactly these forms (significant tokens, no `;`):
 *   CREATE ROLE <name>
 *   GRANT … TO ROLE <name> [, ROLE <name> …]
 *   ALTER DEFAULT PRIVILEGES [FOR USER …] [IN SCHEMA …] GRANT … TO ROLE <name> [, ROLE <name> …]
 * Anything else (a GRANT to a user, REVOKE, DROP ROLE, …) is not recognised and reaches DuckDB,
 * which rejects it, so a migration cannot come to depend on an access-control form nobody checked.
 */
export function isNoOpAccessControl(tokens: readonly Token[]): boolean {
  const first = keyword(tokens[0]);
  if (first === "CREATE") return keyword(tokens[1]) === "ROLE" && tokens.length === 3 && isName(tokens[2]);
  if (first === "GRANT") return grantsToRolesOnly(tokens, 1);
  if (first === "ALTER" && keyword(tokens[1]) === "DEFAULT" && keyword(tokens[2]) === "PRIVILEGES") {
    const grant = tokens.findIndex((t, i) => i > 2 && keyword(t) === "GRANT");
    return grant !== -1 && grantsToRolesOnly(tokens, grant + 1);
  }
  return false;
}

/** From `from`: privileges and objects, then a last `TO` followed only by `ROLE <name>` items. */
function grantsToRolesOnly(tokens: readonly Token[], from: number): boolean {
  let to = -1;
  for (let i = tokens.length - 1; i > from; i--) {
    if (keyword(tokens[i]) === "TO") {
      to = i;
      break;
    }
  }
  if (to === -1) return false;
  const grantees = tokens.slice(to + 1);
  if (grantees.length === 0) return false;
  for (let i = 0; i < grantees.length; i += 3) {
    if (keyword(grantees[i]) !== "ROLE" || !isName(grantees[i + 1])) return false;
    const separator = grantees[i + 2];
    if (separator !== undefined && !(isOp(separator, ",") && i + 3 < grantees.length)) return false;
  }
  return true;
}

function isName(token: Token | undefined): boolean {
  return token?.kind === "word" || token?.kind === "quoted";
}
