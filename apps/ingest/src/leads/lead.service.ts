import type { Lead } from '@leadflow/lead-model';
import {
  brokerUnavailable,
  ProblemException,
  validationProblem,
  type Problem,
  type ProblemFieldError,
} from '../common/problem';
import type { IngestMetrics } from '../common/metrics';
import { BrokerUnavailableError, type LeadMessage } from '../publishing/lead-publisher';
import { CoalescerClosedError } from '@leadflow/kafka';
import { intakeLead, validIdempotencyKey } from './lead-intake';
import { leadMessage } from './lead-message';
import { BatchEnvelopeSchema } from './leads.schemas';

/** Which URL a lead came in by (a metrics label). */
export type LeadEndpoint = 'leads' | 'batch' | 'offer' | 'validation';

export interface Submission {
  readonly endpoint: LeadEndpoint;
  readonly pathOfferId?: string;
  readonly idempotencyKey?: string;
  readonly traceparent?: string;
}

export interface LeadSink {
  publish(message: LeadMessage): Promise<void>;
  publishAll(messages: readonly LeadMessage[]): Promise<void>;
}

export type BatchItemResult = { readonly leadId: string } | Problem;

/**
 * The lead use cases: validate, assign the leadId, publish, and answer only once the broker
 * acknowledged. Framework-free; the controller is a thin shell around it.
 */
export class LeadService {
  constructor(
    private readonly sink: LeadSink,
    private readonly metrics: IngestMetrics,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async submit(body: unknown, sub: Submission): Promise<{ leadId: string }> {
    checkIdempotencyKey(sub.idempotencyKey);
    const result = intakeLead(body, {
      now: this.clock(),
      ...(sub.pathOfferId !== undefined ? { pathOfferId: sub.pathOfferId } : {}),
      ...(sub.idempotencyKey !== undefined ? { idempotencyKey: sub.idempotencyKey } : {}),
    });
    if (!result.ok) throw new ProblemException(validationProblem(result.errors));
    await durably(this.sink.publish(leadMessage(result.lead, sub.traceparent)));
    this.metrics.leadsAccepted.inc({ endpoint: sub.endpoint });
    return { leadId: result.lead.leadId };
  }

  /**
   * Every valid item of the batch goes out in ONE produce request; invalid items answer with their
   * problem in place. Item i of a batch with an Idempotency-Key K gets the derived key "K:i".
   */
  async submitBatch(body: unknown, sub: Submission): Promise<{ results: BatchItemResult[] }> {
    checkIdempotencyKey(sub.idempotencyKey);
    const envelope = BatchEnvelopeSchema.safeParse(body);
    if (!envelope.success) {
      throw new ProblemException(
        validationProblem(envelope.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }))),
      );
    }
    const now = this.clock();
    const outcomes = envelope.data.leads.map((item, i) =>
      intakeLead(item, {
        now,
        ...(sub.idempotencyKey !== undefined ? { idempotencyKey: `${sub.idempotencyKey}:${i}` } : {}),
      }),
    );
    const messages: LeadMessage[] = [];
    const acceptedAt = new Date().toISOString();
    for (const o of outcomes) if (o.ok) messages.push(leadMessage(o.lead, sub.traceparent, acceptedAt));
    await durably(this.sink.publishAll(messages));
    this.metrics.leadsAccepted.inc({ endpoint: sub.endpoint }, messages.length);
    return { results: outcomes.map((o) => (o.ok ? { leadId: o.lead.leadId } : validationProblem(o.errors))) };
  }

  /** An already canonical lead (a validation lead) through the same pipeline as any other. */
  async publishLead(lead: Lead, traceparent?: string): Promise<void> {
    await durably(this.sink.publish(leadMessage(lead, traceparent)));
    this.metrics.leadsAccepted.inc({ endpoint: 'validation' });
  }
}

function checkIdempotencyKey(key: string | undefined): void {
  if (key !== undefined && !validIdempotencyKey(key)) {
    const errors: ProblemFieldError[] = [
      { path: 'Idempotency-Key', message: 'must be 1 to 255 visible ASCII characters' },
    ];
    throw new ProblemException(validationProblem(errors));
  }
}

/** A publish that did not reach the broker is a 503 with Retry-After: never a 202 for a lead that is not durable. */
async function durably(published: Promise<void>): Promise<void> {
  try {
    await published;
  } catch (err) {
    if (err instanceof BrokerUnavailableError) throw brokerUnavailable();
    if (err instanceof CoalescerClosedError)
      throw brokerUnavailable('The service is shutting down; retry the request.');
    throw err;
  }
}
