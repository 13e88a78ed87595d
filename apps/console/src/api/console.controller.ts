import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuditEntry } from '@leadflow/audit';
import { deadLetterView, type DeadLetterStore } from '@leadflow/dead-letters';
import type { Logger } from '@leadflow/observability';
import type { AccessPolicy, Principal } from '../access/access';
import { authorize, principalOf, RequireAccess } from '../http/gate';
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

  /** The offers whose data this caller may read (publishers and scoped analysts: their publishers'). */
  private keep(principal: Principal): (offerId: string | undefined) => boolean {
    const scope = this.d.policy.visible(principal);
    return scope === 'all' ? () => true : scope;
  }

  /** The offer of a lead, as the index knows it (undefined: none known). */
  private offerOfLead(leadId: string): string | undefined {
    return this.d.queries.lead(leadId)?.offerId ?? undefined;
  }

  /** The replay job, if it exists and the caller may act on every offer its filter names; 404 otherwise. */
  private job(req: FastifyRequest, id: string, kind: 'read' | 'replay'): ReplayJobView {
    const job = this.d.jobs.get(id);
    const missing = () => notFound(`No replay ${id}.`);
    if (!job) {
      authorize(this.d.policy, req, { kind: 'read' });
      throw missing();
    }
    // Reading a job is as reading its offers; a job over every offer is seen by the unscoped only.
    const offerIds = toFilter(job.filter).offers ?? [];
    if (kind === 'replay') authorize(this.d.policy, req, { kind: 'replay', offerIds }, missing);
    else {
      authorize(this.d.policy, req, { kind: 'read' });
      const principal = principalOf(req);
      const keep = this.d.policy.visible(principal);
      if (keep !== 'all' && (offerIds.length === 0 || !offerIds.every((o) => keep(o)))) throw missing();
    }
    return job;
  }

  @Get('session')
  @RequireAccess('console')
  session(@Req() req: FastifyRequest): { name: string } {
    return { name: authorize(this.d.policy, req, { kind: 'read' }).name };
  }

  @Get('overview')
  @RequireAccess('console')
  overview(@Req() req: FastifyRequest): Overview {
    const principal = authorize(this.d.policy, req, { kind: 'read' });
    const scope = this.d.policy.visible(principal);
    return this.d.queries.overview(scope === 'all' ? undefined : scope);
  }

  @Get('offers')
  @RequireAccess('console')
  offers(@Req() req: FastifyRequest) {
    const principal = authorize(this.d.policy, req, { kind: 'read' });
    return this.d.queries.offers(this.keep(principal));
  }

  @Get('offers/:offerId')
  @RequireAccess('console')
  offer(@Req() req: FastifyRequest, @Param('offerId') rawOfferId: string): OfferView {
    const offerId = parse(OfferIdSchema, rawOfferId, 'offerId');
    const missing = () => notFound(`The console knows nothing of offer ${offerId}.`);
    authorize(this.d.policy, req, { kind: 'read', offerId }, missing);
    const view = this.d.queries.offer(offerId);
    if (!view) throw missing();
    return view;
  }

  @Get('dead-letters')
  @RequireAccess('console')
  deadLetters(@Req() req: FastifyRequest, @Query() query: unknown) {
    const { limit, ...raw } = parse(DeadLetterListQuerySchema, query, 'query');
    const keep = this.keep(authorize(this.d.policy, req, { kind: 'read' }));
    // Every match the caller may see, replayed or not (each carries its replay), newest first.
    const visible = this.d.index.select(toFilter(raw, 'query'), keep);
    return this.d.queries.deadLetters(visible, limit ?? 50);
  }

  @Get('leads/:leadId')
  @RequireAccess('console')
  lead(@Req() req: FastifyRequest, @Param('leadId') rawLeadId: string): LeadHistory {
    const leadId = parse(idSchema, rawLeadId, 'leadId');
    const keep = this.keep(authorize(this.d.policy, req, { kind: 'read' }));
    const history = this.d.queries.lead(leadId);
    // Another publisher's lead answers exactly as an unknown one.
    if (!history || !keep(history.offerId ?? undefined))
      throw notFound(`The console's index holds no record of lead ${leadId}.`);
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
    const principal = authorize(
      this.d.policy,
      req,
      { kind: 'reveal-pii', ...(history?.offerId ? { offerId: history.offerId } : {}) },
      () => notFound(`No dead letter of lead ${leadId} holds its data.`),
    );
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
  @Post('lead-searches')
  @RequireAccess('console')
  @HttpCode(200)
  search(@Req() req: FastifyRequest, @Body() body: unknown) {
    const { email } = parse(EmailSearchRequestSchema, body);
    const keep = this.keep(authorize(this.d.policy, req, { kind: 'read' }));
    const leadIds = this.d.index.leadsByEmailHash(this.d.hashEmail(email));
    return { leadIds: leadIds.filter((id) => keep(this.offerOfLead(id))) };
  }

  /** The dry run: what a replay with this filter would publish, counted from the index (the ledger included). */
  @Post('replay-dry-runs')
  @RequireAccess('console')
  @HttpCode(200)
  preview(@Req() req: FastifyRequest, @Body() body: unknown) {
    const { filter: raw, all } = parse(ReplayPreviewRequestSchema, body);
    const filter = toFilter(raw);
    authorize(this.d.policy, req, { kind: 'replay', offerIds: filter.offers ?? [] });
    if (isEmptyFilter(raw) && all !== true) throw nothingToReplay();
    const selected = this.d.index.select(filter);
    return {
      matched: selected.matched,
      alreadyReplayed: selected.alreadyReplayed,
      wouldReplay: selected.wouldReplay,
      sample: this.d.queries.deadLetters(selected, 20, true).deadLetters,
    };
  }

  @Post('replays')
  @RequireAccess('console')
  @HttpCode(202)
  startReplay(@Req() req: FastifyRequest, @Body() body: unknown): ReplayJobView {
    const { filter: raw, all, rate } = parse(ReplayStartRequestSchema, body);
    const filter = toFilter(raw);
    // A scoped analyst replays only with a filter naming its own offers; a publisher or producer never replays.
    const principal = authorize(this.d.policy, req, { kind: 'replay', offerIds: filter.offers ?? [] });
    if (isEmptyFilter(raw) && all !== true) throw nothingToReplay();
    try {
      return this.d.jobs.start(filter, raw, `console:${principal.name}`, rate);
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
    return this.job(req, id, 'read');
  }

  @Post('replays/:id/cancel')
  @RequireAccess('console')
  @HttpCode(202)
  cancel(@Req() req: FastifyRequest, @Param('id') id: string): ReplayJobView {
    const job = this.job(req, id, 'replay');
    this.d.jobs.cancel(id);
    return job;
  }

  /** The replay's typed events over SSE: phase, progress, done (or error); the stream ends after done. */
  @Get('replays/:id/events')
  @RequireAccess('console')
  events(@Req() req: FastifyRequest, @Param('id') id: string, @Res() reply: FastifyReply): void {
    this.job(req, id, 'read');
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
    // A scoped caller hears only of its own offers' changes.
    const scope = this.d.policy.visible(principalOf(req));
    cleanup.remove = this.d.live.add(stream, scope === 'all' ? 'all' : (offerId) => scope(offerId ?? undefined));
  }
}
