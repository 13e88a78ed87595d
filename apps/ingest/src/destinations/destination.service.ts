import type { AuditEntry } from '@leadflow/audit';
import {
  changedFields,
  createTestLead,
  ERROR_CATALOG,
  isErrorClass,
  maskDestination,
  OfferIdSchema,
  parseDestination,
  type OfferDestinationRecord,
  type ParseDestinationResult,
} from '@leadflow/lead-model';
import {
  OfferRecordRejectedError,
  openDestination,
  sealDestination,
  SecretError,
  type Keyring,
} from '@leadflow/offer-table';
import { offerLeadUrl } from '../auth/url-signature';
import { brokerUnavailable, offerNotFound, ProblemException, ProblemType, validationProblem } from '../common/problem';
import { validationLeadId } from '../leads/lead-ids';
import type { LeadService } from '../leads/lead.service';
import type { OfferStatusIndex } from '../status/status-index';
import type { DestinationStore } from './destination-store';

/** The slice of `OfferDestinationPublisher` the service writes through. */
export interface DestinationWriter {
  put(record: OfferDestinationRecord): Promise<void>;
  remove(offerId: string): Promise<void>;
}

export interface DestinationServiceDeps {
  readonly store: DestinationStore;
  readonly writer: DestinationWriter;
  readonly leads: Pick<LeadService, 'publishLead'>;
  readonly index: OfferStatusIndex;
  readonly keyring: Keyring;
  readonly urlSigningKey: string;
  readonly publicUrl: string;
  /** The audit trail: every configuration change leaves one record (who, versions, field names). */
  readonly audit: { append(entry: AuditEntry): Promise<unknown> };
  readonly clock?: () => Date;
}

export interface DestinationView {
  readonly offerId: string;
  readonly version: number;
  readonly destination: unknown;
  readonly leadUrl: string;
  readonly updatedAt: string;
}

/**
 * Offer destination use cases. Secrets are sealed before they leave this process, are never logged
 * and never answered: views carry masked destinations only.
 */
export class DestinationService {
  private readonly clock: () => Date;

  constructor(private readonly deps: DestinationServiceDeps) {
    this.clock = deps.clock ?? (() => new Date());
  }

  /**
   * Validates, seals and publishes a new version, then sends a validation lead through the pipeline.
   * The answer comes after both were acknowledged by the broker.
   */
  async put(offerId: string, body: unknown, actor: string, traceparent?: string) {
    checkOfferId(offerId);
    const parsed = parseDestination(body);
    if (!parsed.ok) throw destinationProblem(parsed);
    const destination = parsed.destination;
    return this.deps.store.exclusive(offerId, async () => {
      const now = this.clock();
      const previous = this.deps.store.current(offerId);
      const record: OfferDestinationRecord = {
        offerId,
        version: this.deps.store.nextVersion(offerId),
        destination: sealDestination(destination, this.deps.keyring, offerId),
        updatedAt: now.toISOString(),
      };
      await written(
        this.deps.writer.put(record),
        'The destination was not saved because the message broker is unavailable; retry later.',
      );
      this.deps.store.saved(record);
      await this.audited(record.version, {
        actor,
        action: 'offer.destination.put',
        offerId,
        change: {
          fromVersion: previous?.version ?? null,
          toVersion: record.version,
          fields: this.changed(previous, destination, record),
        },
      });
      const testLeadId = validationLeadId(offerId, record.version, record.updatedAt);
      const testLead = createTestLead({ offerId, leadId: testLeadId, now });
      try {
        await this.deps.leads.publishLead(testLead, traceparent);
      } catch (err) {
        if (err instanceof ProblemException && err.problem.status === 503) {
          throw brokerUnavailable(
            `The destination was saved as version ${record.version}, but its validation lead could not be sent; save it again to validate.`,
          );
        }
        throw err;
      }
      return {
        offerId,
        version: record.version,
        destination: maskDestination(destination),
        leadUrl: this.leadUrl(offerId),
        validation: { status: 'pending' as const, testLeadId },
      };
    });
  }

  get(offerId: string): DestinationView {
    const record = this.require(offerId);
    return {
      offerId,
      version: record.version,
      destination: this.masked(record),
      leadUrl: this.leadUrl(offerId),
      updatedAt: record.updatedAt,
    };
  }

  /** Publishes a tombstone; idempotent (removing an unknown offer is not an error, and changes nothing to audit). */
  async remove(offerId: string, actor: string): Promise<void> {
    checkOfferId(offerId);
    await this.deps.store.exclusive(offerId, async () => {
      const previous = this.deps.store.current(offerId);
      await written(
        this.deps.writer.remove(offerId),
        'The destination was not removed because the message broker is unavailable; retry later.',
      );
      this.deps.store.removed(offerId);
      if (previous) {
        await this.audited(null, {
          actor,
          action: 'offer.destination.delete',
          offerId,
          change: { fromVersion: previous.version, toVersion: null, fields: this.changed(previous, undefined) },
        });
      }
    });
  }

  /**
   * The audit record of a change already acknowledged by the broker. Its failure is answered (503) rather than
   * swallowed: a change nobody can account for must not look like an ordinary success.
   */
  private async audited(version: number | null, entry: AuditEntry): Promise<void> {
    try {
      await this.deps.audit.append(entry);
    } catch {
      throw brokerUnavailable(
        version === null
          ? 'The destination was removed, but its audit record could not be written; tell an operator.'
          : `The destination was saved as version ${version}, but its audit record could not be written; tell an operator.`,
      );
    }
  }

  /**
   * Field names that differ between the stored destination and the new one, compared in the clear inside this
   * process so a changed secret is named; a stored secret this keyring cannot open counts as changed.
   */
  private changed(
    previous: OfferDestinationRecord | undefined,
    next: unknown,
    sealed?: OfferDestinationRecord,
  ): string[] {
    if (!previous) return changedFields(undefined, next);
    try {
      return changedFields(openDestination(previous.destination, this.deps.keyring, previous.offerId), next);
    } catch (err) {
      if (!(err instanceof SecretError)) throw err;
      return changedFields(previous.destination, sealed?.destination);
    }
  }

  status(offerId: string) {
    const record = this.require(offerId);
    const testLeadId = validationLeadId(offerId, record.version, record.updatedAt);
    const outcome = this.deps.index.validation(offerId, testLeadId);
    const activity = this.deps.index.offer(offerId);
    const validation =
      outcome.status === 'failed'
        ? {
            status: outcome.status,
            testLeadId,
            errorClass: outcome.errorClass,
            remediation:
              outcome.remediation ??
              (isErrorClass(outcome.errorClass) ? ERROR_CATALOG[outcome.errorClass].remediation : undefined),
            checkedAt: outcome.checkedAt,
          }
        : outcome.status === 'passed'
          ? { status: outcome.status, testLeadId, checkedAt: outcome.checkedAt }
          : { status: outcome.status, testLeadId };
    return {
      offerId,
      version: record.version,
      validation,
      ...(activity.lastDelivery ? { lastDelivery: activity.lastDelivery } : {}),
      deadLetters: activity.deadLetters,
      ...(activity.autoReplay ? { autoReplay: activity.autoReplay } : {}),
      ...(activity.quotaWaits ? { quotaWaits: activity.quotaWaits } : {}),
    };
  }

  /**
   * Opened, then masked, so a connection string keeps what identifies the account (as PUT answers).
   * A secret this keyring cannot open (a key rotated out) is masked in its sealed form instead.
   */
  private masked(record: OfferDestinationRecord): unknown {
    try {
      return maskDestination(openDestination(record.destination, this.deps.keyring, record.offerId));
    } catch (err) {
      if (err instanceof SecretError) return maskDestination(record.destination);
      throw err;
    }
  }

  private leadUrl(offerId: string): string {
    return offerLeadUrl(this.deps.publicUrl, this.deps.urlSigningKey, offerId);
  }

  private require(offerId: string): OfferDestinationRecord {
    checkOfferId(offerId);
    const record = this.deps.store.current(offerId);
    if (!record) throw offerNotFound(offerId);
    return record;
  }
}

/** A configuration write the broker did not acknowledge is a 503; a record the publisher refused is a bug. */
async function written(write: Promise<void>, detail: string): Promise<void> {
  try {
    await write;
  } catch (err) {
    if (err instanceof OfferRecordRejectedError) throw err;
    throw brokerUnavailable(detail);
  }
}

function checkOfferId(offerId: string): void {
  const r = OfferIdSchema.safeParse(offerId);
  if (!r.success)
    throw new ProblemException(validationProblem(r.error.issues.map((i) => ({ path: 'offerId', message: i.message }))));
}

function destinationProblem(parsed: Extract<ParseDestinationResult, { ok: false }>): ProblemException {
  if (parsed.errorClass === 'ROUTER.DESTINATION_RETIRED') {
    const entry = ERROR_CATALOG['ROUTER.DESTINATION_RETIRED'];
    return new ProblemException({
      ...validationProblem(parsed.issues, 'Azure Blob destinations are retired.'),
      type: ProblemType.destinationRetired,
      title: 'Destination type retired',
      errorClass: 'ROUTER.DESTINATION_RETIRED',
      remediation: entry.remediation,
    });
  }
  return new ProblemException(validationProblem(parsed.issues));
}
