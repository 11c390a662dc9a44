import { RedshiftDataClient } from "@aws-sdk/client-redshift-data";

/** The Redshift Data API client, once per container; `AWS_ENDPOINT_URL` points it at the local endpoint. */
let client: RedshiftDataClient | undefined;

export function redshiftDataClient(): RedshiftDataClient {
  return (client ??= new RedshiftDataClient({}));
}
