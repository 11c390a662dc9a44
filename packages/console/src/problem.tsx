import { ApiError } from "./api.ts";

/** Why a panel has no (fresh) data: not signed in, or the read failed. */
export function Problem({ error }: { error: Error | undefined }) {
  if (!error) return null;
  if (error instanceof ApiError && error.status === 401) return <p class="problem">Not signed in: open the console with the link <code>npm start</code> printed (…/console/?key=…).</p>;
  return <p class="problem">{error.message}</p>;
}
