import { randomUUID } from 'node:crypto';
import { Agent, request } from 'undici';

/** A lead the ingest API accepted (202): from here on it must be delivered or dead-lettered, never lost. */
export interface Accepted {
  readonly leadId: string;
  readonly offerId: string;
  /** When the 202 arrived (ms since epoch). */
  readonly at: number;
}

export interface LoadOptions {
  readonly ingestUrl: string;
  readonly token: string;
  /** Leads per second offered, whatever the answers (open loop). */
  readonly rate: number;
  /** Offers taken in turn. */
  readonly offers: readonly string[];
  readonly signal: AbortSignal;
  /** Requests in flight at most (a down ingest must not pile up sockets). */
  readonly maxInFlight?: number;
}

export interface LoadReport {
  readonly accepted: Accepted[];
  /** Attempts that did not get a 202 (503 while the broker moves, a reset while ingest restarts). */
  readonly retried: number;
  /** Leads offered but not yet accepted when the load stopped (still retried until `drain` ends). */
  readonly unaccepted: number;
}

/**
 * A producer as the marketplace is one: leads at a steady rate, each with its own Idempotency-Key, re-posted with
 * the same key until ingest answers 202 (a 503 while a partition leader moves, a connection refused while ingest
 * restarts). What counts afterwards is what got a 202.
 */
export async function steadyLoad(o: LoadOptions): Promise<LoadReport> {
  const dispatcher = new Agent({ connections: o.maxInFlight ?? 64, keepAliveTimeout: 10_000 });
  const accepted: Accepted[] = [];
  let retried = 0;
  let pending = 0;
  let n = 0;
  const inFlight = new Set<Promise<void>>();

  const post = async (offerId: string): Promise<void> => {
    const key = randomUUID();
    const body = JSON.stringify({
      offerId,
      source: 'AzureMarketplace',
      action: 'INS',
      offerTitle: 'Chaos Suite',
      customer: {
        firstName: 'Chris',
        lastName: 'Chaos',
        email: `chaos.${key.slice(0, 8)}@example.com`,
        company: 'Contoso',
      },
    });
    pending++;
    // After the load stops, a lead already offered keeps being re-posted for a while (a producer's outbox).
    const giveUpAt = () => (o.signal.aborted ? drainDeadline : Number.POSITIVE_INFINITY);
    for (let attempt = 1; Date.now() < giveUpAt(); attempt++) {
      try {
        const res = await request(`${o.ingestUrl}/v1/leads`, {
          method: 'POST',
          dispatcher,
          headers: { 'content-type': 'application/json', authorization: `Bearer ${o.token}`, 'idempotency-key': key },
          body,
          headersTimeout: 10_000,
          bodyTimeout: 10_000,
        });
        const text = await res.body.text();
        if (res.statusCode === 202) {
          accepted.push({ leadId: (JSON.parse(text) as { leadId: string }).leadId, offerId, at: Date.now() });
          pending--;
          return;
        }
      } catch {
        // connection refused or reset: ingest is restarting
      }
      retried++;
      await new Promise((r) => setTimeout(r, Math.min(2_000, 100 * attempt)));
    }
  };

  let drainDeadline = Number.POSITIVE_INFINITY;
  const interval = 1_000 / o.rate;
  const started = Date.now();
  while (!o.signal.aborted) {
    const due = started + n * interval;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    if (o.signal.aborted) break;
    if (inFlight.size < (o.maxInFlight ?? 64)) {
      const p = post(o.offers[n % o.offers.length] ?? '').finally(() => inFlight.delete(p));
      inFlight.add(p);
    }
    n++;
  }
  drainDeadline = Date.now() + 60_000;
  await Promise.all(inFlight);
  await dispatcher.close();
  return { accepted, retried, unaccepted: pending };
}
