import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuditEntry } from '@leadflow/audit';
import { deadLetterView, type DeadLetterStore } from '@leadflow/dead-letters';
import type { Logger } from '@leadflow/observability';
import type { AccessPolicy } from '../access/access';
import { authorize, RequireAccess } from '../http/gate';
import { ProblemException, ProblemType, statusTitle, validationProblem } from '../http/problem';
import { openSse, type LiveHub } from '../live/live-hub';
import { ReplayBusyError, type ReplayJobs } from '../replay/replay-jobs';
import type { ConsoleIndex } from '../index/console-index';
import {
  DeadLetterListQuerySchema,
  EmailSearchRequestSchema,
  LeadIdSchema,
  OfferIdSchema,
  ReplayPreviewRequestSchema,
  ReplayStartRequestSchema,
  type LeadHistory,
  type OfferView,
  type Overview,
  type ReplayJobView,
} from './api.schemas';
import type { ConsoleQueries } from './console-queries';
import { isEmptyFilter, notFound, parse, toFilter } from './validate';

export const API = Symbol('CONSOLE_API');

export interface ApiDeps {
  readonly policy: AccessPolicy;
  readonly queries: ConsoleQueries;
  readonly index: ConsoleIndex;
  readonly jobs: ReplayJobs;
  readonly live: LiveHub;
  readonly store: DeadLetterStore;
  readonly hashEmail: (email: string) => string;
  readonly logger: Logger;
  /** The audit trail (`leads.audit`): a reveal is recorded before the data is answered. */
  readonly audit: { append(entry: AuditEntry): Promise<unknown> };
}

const idSchema = LeadIdSchema;

function nothingToReplay(): ProblemException {
  return new ProblemException(
    validationProblem(
      [{ path: 'filter', message: 'name what to replay (stage, class, offer, time) or set all: true' }],
      'An empty filter selects every dead letter; set all: true to mean it.',
    ),
  );
}

/** The console's JSON API and its two event streams. Every route asks the access policy (one place). */
@Controller('api')
export class ConsoleController {
  constructor(@Inject(API) private readonly d: ApiDeps) {}

  @Get('session')
  @RequireAccess('console')
  session(@Req() req: FastifyRequest): { name: string } {
    return { name: authorize(this.d.policy, req, { kind: 'read' }).name };
  }

  @Get('overview')
  @RequireAccess('console')
  overview(@Req() req: FastifyRequest): Overview {
    authorize(this.d.policy, req, { kind: 'read' });
    return this.d.queries.overview();
  }

  @Get('offers')
  @RequireAccess('console')
  offers(@Req() req: FastifyRequest) {
    authorize(this.d.policy, req, { kind: 'read' });
    return this.d.queries.offers();
  }

  @Get('offers/:offerId')
  @RequireAccess('console')
  offer(@Req() req: FastifyRequest, @Param('offerId') rawOfferId: string): OfferView {
    const offerId = parse(OfferIdSchema, rawOfferId, 'offerId');
    authorize(this.d.policy, req, { kind: 'read', offerId });
    const view = this.d.queries.offer(offerId);
    if (!view) throw notFound(`The console knows nothing of offer ${offerId}.`);
    return view;
  }

  @Get('dead-letters')
  @RequireAccess('console')
  deadLetters(@Req() req: FastifyRequest, @Query() query: unknown) {
    const { limit, ...raw } = parse(DeadLetterListQuerySchema, query, 'query');
    authorize(this.d.policy, req, { kind: 'read' });
    // Every match, replayed or not (each carries its replay), newest first.
    return this.d.queries.deadLetters(this.d.index.select(toFilter(raw, 'query')).all, limit ?? 50);
  }

  @Get('leads/:leadId')
  @RequireAccess('console')
  lead(@Req() req: FastifyRequest, @Param('leadId') rawLeadId: string): LeadHistory {
    const leadId = parse(idSchema, rawLeadId, 'leadId');
    authorize(this.d.policy, req, { kind: 'read' });
    const history = this.d.queries.lead(leadId);
    if (!history) throw notFound(`The console's index holds no record of lead ${leadId}.`);
    return history;
  }

  /**
   * Unmasked names, e-mail and phone of a lead's dead letters: an explicit action, logged (who and which lead,
   * never the data). Reads the dead-letter topics with the engine, as `leadctl dlq show --show-pii` does.
   */
  @Post('leads/:leadId/reveal')
  @RequireAccess('console')
  @HttpCode(200)
  async reveal(@Req() req: FastifyRequest, @Param('leadId') rawLeadId: string) {
    const leadId = parse(idSchema, rawLeadId, 'leadId');
    const history = this.d.queries.lead(leadId);
    const principal = authorize(this.d.policy, req, {
      kind: 'reveal-pii',
      ...(history?.offerId ? { offerId: history.offerId } : {}),
    });
    const { deadLetters } = await this.d.store.read({ leadIds: [leadId] });
    this.d.logger.info(
      { audit: 'pii-revealed', by: principal.name, leadId, records: deadLetters.length },
      'PII revealed',
    );
    if (deadLetters.length === 0) throw notFound(`No dead letter of lead ${leadId} holds its data.`);
    try {
      await this.d.audit.append({
        actor: `console:${principal.name}`,
        action: 'pii.reveal',
        ...(history?.offerId ? { offerId: history.offerId } : {}),
        reveal: { command: 'console reveal', filter: { leadIds: [leadId] }, count: deadLetters.length },
      });
    } catch {
      // No record, no data: an unmasked view nobody can account for is not answered.
      throw new ProblemException(
        {
          type: ProblemType.notReady,
          title: statusTitle(503),
          status: 503,
          detail: 'The data was not shown because its audit record could not be written; retry later.',
        },
        { 'retry-after': '5' },
      );
    }
    return {
      leadId,
      revealedBy: principal.name,
      leads: deadLetters.map((d) => ({ deadLetterId: d.id, lead: deadLetterView(d, { showPii: true }).lead })),
    };
  }

  /** By e-mail: the address is hashed with the console's key and matched on hashes; it is never stored or logged. */
  @Post('leads/search')
  @RequireAccess('console')
  @HttpCode(200)
  search(@Req() req: FastifyRequest, @Body() body: unknown) {
    const { email } = parse(EmailSearchRequestSchema, body);
    authorize(this.d.policy, req, { kind: 'read' });
    return { leadIds: [...this.d.index.leadsByEmailHash(this.d.hashEmail(email))] };
  }

  /** The dry run: what a replay with this filter would publish, counted from the index (the ledger included). */
  @Post('replay-dry-runs')
  @RequireAccess('console')
  @HttpCode(200)
  preview(@Req() req: FastifyRequest, @Body() body: unknown) {
    const { filter: raw, all } = parse(ReplayPreviewRequestSchema, body);
    authorize(this.d.policy, req, { kind: 'replay' });
    if (isEmptyFilter(raw) && all !== true) throw nothingToReplay();
    const selected = this.d.index.select(toFilter(raw));
    return {
      matched: selected.matched,
      alreadyReplayed: selected.alreadyReplayed,
      wouldReplay: selected.pending.length,
      sample: this.d.queries.deadLetters(selected.pending, 20).deadLetters,
    };
  }

  @Post('replays')
  @RequireAccess('console')
  @HttpCode(202)
  startReplay(@Req() req: FastifyRequest, @Body() body: unknown): ReplayJobView {
    const { filter: raw, all, rate } = parse(ReplayStartRequestSchema, body);
    const principal = authorize(this.d.policy, req, { kind: 'replay' });
    if (isEmptyFilter(raw) && all !== true) throw nothingToReplay();
    try {
      return this.d.jobs.start(toFilter(raw), raw, `console:${principal.name}`, rate);
    } catch (err) {
      if (err instanceof ReplayBusyError)
        throw new ProblemException({
          type: ProblemType.conflict,
          title: statusTitle(409),
          status: 409,
          detail: `Replay ${err.running} is still running; follow it or wait for it to finish.`,
        });
      throw err;
    }
  }

  @Get('replays/:id')
  @RequireAccess('console')
  replay(@Req() req: FastifyRequest, @Param('id') id: string): ReplayJobView {
    authorize(this.d.policy, req, { kind: 'read' });
    const job = this.d.jobs.get(id);
    if (!job) throw notFound(`No replay ${id}.`);
    return job;
  }

  @Post('replays/:id/cancel')
  @RequireAccess('console')
  @HttpCode(202)
  cancel(@Req() req: FastifyRequest, @Param('id') id: string): ReplayJobView {
    authorize(this.d.policy, req, { kind: 'replay' });
    const job = this.d.jobs.get(id);
    if (!job) throw notFound(`No replay ${id}.`);
    this.d.jobs.cancel(id);
    return job;
  }

  /** The replay's typed events over SSE: phase, progress, done (or error); the stream ends after done. */
  @Get('replays/:id/events')
  @RequireAccess('console')
  events(@Req() req: FastifyRequest, @Param('id') id: string, @Res() reply: FastifyReply): void {
    authorize(this.d.policy, req, { kind: 'read' });
    if (!this.d.jobs.get(id)) throw notFound(`No replay ${id}.`);
    const cleanup: { unfollow?: () => void } = {};
    const stream = openSse(reply, () => cleanup.unfollow?.());
    cleanup.unfollow = this.d.jobs.follow(id, (e) => {
      stream.send(e.type, e);
      if (e.type === 'done' || e.type === 'error') setImmediate(() => stream.close());
    });
  }

  /** Changes as they happen: dead letters, deliveries, replays (coalesced; no customer data). */
  @Get('live')
  @RequireAccess('console')
  liveEvents(@Req() req: FastifyRequest, @Res() reply: FastifyReply): void {
    authorize(this.d.policy, req, { kind: 'read' });
    const cleanup: { remove?: () => void } = {};
    const stream = openSse(reply, () => cleanup.remove?.());
    cleanup.remove = this.d.live.add(stream);
  }
}
