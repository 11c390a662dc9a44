import { SFNClient } from "@aws-sdk/client-sfn";

/** The Step Functions client, created once per Lambda container (endpoint from the environment). */
let sfn: SFNClient | undefined;

export function sfnClient(): SFNClient {
  return (sfn ??= new SFNClient({}));
}
