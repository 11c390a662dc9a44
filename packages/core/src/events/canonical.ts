/** Schema versions producers may send. */
export type SchemaVersion = 1 | 2;

/** One event after schema reconciliation: the same shape whichever version the producer sent. */
export interface CanonicalEvent {
  readonly eventId: string;
  readonly eventType: string;
  readonly occurredAt: Date;
  readonly userId: string;
  readonly accountId: string;
  readonly campaignId: string | null;
  readonly adGroupId: string | null;
  readonly adId: string | null;
  readonly keyword: string | null;
  readonly channel: string | null;
  readonly revenue: number | null;
  readonly currency: string | null;
  readonly properties: Readonly<Record<string, unknown>>;
  readonly sourceSchemaVersion: SchemaVersion;
}
