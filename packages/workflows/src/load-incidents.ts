import { LOAD_INCIDENT_KEYS } from "@freshet/core";
import { jsonata, type Retrier, type State } from "./asl.ts";
import { TRANSIENT } from "./retriers.ts";
import type { WorkflowPermission, WorkflowResources } from "./types.ts";

/**
 * The Load's incidents: OpsAlerts hears once per incident, not once per failing run, and once
 * more when loads work again. A warehouse down for hours fails every scheduled run (every 5
 * minutes in AWS, every second locally); each would otherwise alert.
 *
 * - A failing run classifies its failure: `rejected` when COPY reported load errors (a file the
 *   warehouse refuses: someone must repair or remove it), `outage` for everything else (the
 *   warehouse or a service the Load calls failed or timed out: it usually heals by itself).
 * - It creates the kind's marker in the lake (`LOAD_INCIDENT_KEYS`) with If-None-Match: `*`.
 *   The run whose create succeeds opened the incident and alerts; a 412 (or a 409, another run
 *   creating it at that moment) means the incident is open already: no alert. The two kinds are
 *   separate incidents, so a rejected file during an outage alerts once too (its remedy differs).
 * - If the marker cannot be written for another reason the run alerts anyway (a repeated alert
 *   beats a missed one); if the alert cannot be published, the run deletes the marker it opened,
 *   so the next failing run alerts instead.
 * - A run that loads, or that finds nothing pending, nothing in flight and no pause (the failed
 *   work got loaded), closes every open incident: reads each marker, deletes it, and publishes
 *   one recovery notice with how long loads failed and the backlog it starts to drain.
 *
 * Step Functions names an aws-sdk error `<Service>.<ErrorName>Exception` when the API models
 * the error; S3 models no PreconditionFailed for PutObject, so its 412 (like AccessDenied) comes
 * as `S3.S3Exception` with `Status Code: 412` in the cause. Both names are caught and the status
 * decides.
 */

/** The incident a failure belongs to (see above); `$loadErrors` is only filled by GetLoadErrors. */
const KIND = "($count($loadErrors) > 0 ? 'rejected' : 'outage')";
const KEY_OF_KIND = `(${KIND} = 'rejected' ? '${LOAD_INCIDENT_KEYS.rejected}' : '${LOAD_INCIDENT_KEYS.outage}')`;
const PRECONDITION_ERRORS = ["S3.PreconditionFailedException", "S3.S3Exception"];
/** A failed precondition is an answer, not a fault: never retried (the first matching retrier decides). */
const NO_RETRY_ON_PRECONDITION: Retrier = { ErrorEquals: PRECONDITION_ERRORS, MaxAttempts: 0 };

/** `6 h 2 min` between the earliest incident opened and now (the run's clock). */
const FAILING_FOR = `($ms := $millis() - $min($closed.$toMillis(openedAt)); $h := $floor($ms / 3600000);
  ($h > 0 ? $string($h) & ' h ' : '') & $string($floor(($ms - $h * 3600000) / 60000)) & ' min')`;

export function incidentStates(r: WorkflowResources): Record<string, State> {
  const bucket = r.lakeBucket;
  return {
    AlertLoadFailed: {
      Type: "Task",
      Comment: "Opens this failure's incident (If-None-Match: the marker must not exist): only the run that opens it alerts OpsAlerts.",
      Resource: "arn:aws:states:::aws-sdk:s3:putObject",
      Arguments: {
        Bucket: bucket,
        Key: jsonata(KEY_OF_KIND),
        IfNoneMatch: "*",
        ContentType: "application/json",
        Body: jsonata(
          `$string({ 'kind': ${KIND}, 'openedAt': $fromMillis($millis()), 'step': $failure.step, 'error': $failure.error,
            'loadId': $plan.loadId, 'executionId': $states.context.Execution.Id })`,
        ),
      },
      TimeoutSeconds: 20,
      Retry: [NO_RETRY_ON_PRECONDITION, TRANSIENT],
      Catch: [
        { ErrorEquals: PRECONDITION_ERRORS, Assign: { incidentKey: jsonata(KEY_OF_KIND), openedIncident: false, incidentError: jsonata("$states.errorOutput") }, Next: "IncidentAlreadyOpen" },
        // The marker store itself failed: alert without one.
        { ErrorEquals: ["States.ALL"], Assign: { incidentKey: jsonata(KEY_OF_KIND), openedIncident: false }, Next: "PublishLoadFailed" },
      ],
      Assign: { incidentKey: jsonata(KEY_OF_KIND), openedIncident: true },
      Next: "PublishLoadFailed",
    },
    IncidentAlreadyOpen: {
      Type: "Choice",
      Choices: [
        {
          // 412: the marker exists, an earlier run alerted. 409: another run is creating it now.
          Condition: jsonata(
            `$incidentError.Error = 'S3.PreconditionFailedException' or $contains($string($incidentError.Cause), 'Status Code: 412')
              or $contains($string($incidentError.Cause), 'Status Code: 409')`,
          ),
          Next: "FailedWithClaim",
        },
      ],
      // Another S3 error (access denied, …): whether the incident is open is unknown, so alert.
      Default: "PublishLoadFailed",
    },
    PublishLoadFailed: {
      Type: "Task",
      Resource: "arn:aws:states:::sns:publish",
      Arguments: {
        TopicArn: r.opsAlertsTopicArn,
        Subject: jsonata("'Freshet: warehouse load failed at ' & $failure.step"),
        Message: jsonata(
          `'The Load workflow failed at ' & $failure.step & ' (' & $failure.error & ': ' & $string($failure.cause) & ').' &
            ($plan.loadId ? ' Load ' & $plan.loadId & ' (' & $string($plan.objects) & ' objects, manifest s3://${bucket}/' &
              $plan.manifestKey & ') was not loaded; the manifest is kept and the next run tries again.' : '') &
            ($count($loadErrors) > 0 ? ' Load errors: ' & $join($loadErrors, '; ') & '.' : '') &
            (${KIND} = 'rejected'
              ? ' Incident: rejected file. Loads stay blocked until the file is repaired or removed.'
              : ' Incident: outage. The transformer keeps writing the lake, which holds the backlog until loads succeed.') &
            ' This incident is alerted once (s3://${bucket}/' & $incidentKey & '); a recovery notice follows when a load succeeds.' &
            ' Execution ' & $states.context.Execution.Id & '.'`,
        ),
      },
      TimeoutSeconds: 20,
      Retry: [TRANSIENT],
      Catch: [{ ErrorEquals: ["States.ALL"], Next: "AlertLost" }],
      Next: "FailedWithClaim",
    },
    AlertLost: {
      Type: "Choice",
      Comment: "The alert could not be sent: an incident this run opened must not stay open unannounced.",
      Choices: [{ Condition: jsonata("$openedIncident = true"), Next: "WithdrawIncident" }],
      Default: "FailedWithClaim",
    },
    WithdrawIncident: {
      Type: "Task",
      Resource: "arn:aws:states:::aws-sdk:s3:deleteObject",
      Arguments: { Bucket: bucket, Key: jsonata("$incidentKey") },
      TimeoutSeconds: 20,
      Retry: [TRANSIENT],
      Catch: [{ ErrorEquals: ["States.ALL"], Next: "FailedWithClaim" }],
      Next: "FailedWithClaim",
    },
    NothingPending: {
      Type: "Choice",
      Comment: "Nothing planned: when nothing is pending, in flight or paused either, the failed work got loaded: close incidents.",
      Choices: [
        {
          Condition: jsonata("$plan.pending = 0 and $plan.inFlight = 0 and $not($exists($plan.paused) and $plan.paused != null) and $not($plan.contended = true)"),
          Next: "CloseIncidents",
        },
      ],
      Default: "NothingToLoad",
    },
    CloseIncidents: {
      Type: "Map",
      Comment: "Each open incident marker: read it, delete it. Absent markers (the usual case) end the iteration at once.",
      Items: jsonata(`[${Object.entries(LOAD_INCIDENT_KEYS).map(([kind, key]) => `{ 'kind': '${kind}', 'key': '${key}' }`).join(", ")}]`),
      ItemProcessor: {
        ProcessorConfig: { Mode: "INLINE" },
        StartAt: "ReadIncident",
        States: {
          ReadIncident: {
            Type: "Task",
            Resource: "arn:aws:states:::aws-sdk:s3:getObject",
            Arguments: { Bucket: bucket, Key: jsonata("$states.input.key") },
            TimeoutSeconds: 20,
            // NoSuchKey (no incident of this kind) or unreadable: nothing to close now.
            Catch: [{ ErrorEquals: ["States.ALL"], Next: "NotOpen" }],
            Output: jsonata("$merge([$parse($states.result.Body), { 'kind': $states.input.kind, 'key': $states.input.key }])"),
            Next: "DeleteIncident",
          },
          DeleteIncident: {
            Type: "Task",
            Resource: "arn:aws:states:::aws-sdk:s3:deleteObject",
            Arguments: { Bucket: bucket, Key: jsonata("$states.input.key") },
            TimeoutSeconds: 20,
            Retry: [TRANSIENT],
            // Still open: the next successful run closes it (and announces the recovery then).
            Catch: [{ ErrorEquals: ["States.ALL"], Next: "NotOpen" }],
            Output: jsonata("$states.input"),
            End: true,
          },
          NotOpen: { Type: "Pass", Output: {}, End: true },
        },
      },
      // The load itself is done: failing to close incidents is not worth failing it.
      Catch: [{ ErrorEquals: ["States.ALL"], Assign: { closed: [] }, Next: "Finished" }],
      Assign: { closed: jsonata("[$states.result[$exists(kind)]]") },
      Output: {},
      Next: "WasFailing",
    },
    WasFailing: {
      Type: "Choice",
      Choices: [{ Condition: jsonata("$count($closed) > 0"), Next: "AnnounceRecovery" }],
      Default: "Finished",
    },
    AnnounceRecovery: {
      Type: "Task",
      Comment: "The end of the alerted incidents, so no alert is left open.",
      Resource: "arn:aws:states:::sns:publish",
      Arguments: {
        TopicArn: r.opsAlertsTopicArn,
        Subject: "Freshet: warehouse loads recovered",
        Message: jsonata(
          // The planner counts pending objects only as far as it read receipts (a load's worth and a few): a lower bound.
          `'Warehouse loads recovered after ' & ${FAILING_FOR} & '; ' & ($plan.pending > $plan.objects ? 'at least ' : '') &
            $string($plan.pending) & ' objects backlog' &
            ($plan.loadId ? ' (this load took the oldest ' & $string($plan.objects) & '; the next runs load the rest, oldest first).' : '.') &
            ' Closed: ' & $join($closed.(kind & ' since ' & openedAt & ' (first failure at ' & step & ': ' & error & ')'), '; ') & '.' &
            ' Execution ' & $states.context.Execution.Id & '.'`,
        ),
      },
      TimeoutSeconds: 20,
      Retry: [TRANSIENT],
      // A lost notice is not worth failing a load that succeeded.
      Catch: [{ ErrorEquals: ["States.ALL"], Next: "Finished" }],
      Next: "Finished",
    },
    Finished: {
      Type: "Choice",
      Choices: [{ Condition: jsonata("$plan.objects > 0 or $plan.receipts > 0"), Next: "Loaded" }],
      Default: "NothingToLoad",
    },
  };
}

/** Create, read and delete the incident markers: those two keys only. */
export function incidentPermissions(r: WorkflowResources): WorkflowPermission[] {
  const keys = Object.values(LOAD_INCIDENT_KEYS).map((key) => `arn:${r.partition}:s3:::${r.lakeBucket}/${key}`);
  return [{ actions: ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"], resources: keys }];
}
