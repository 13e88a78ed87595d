import type { Command } from 'commander';
import {
  deadLetterView,
  parseFilter,
  ReplayFencedError,
  summarize,
  type DeadLetterFilter,
  type DeadLetterStore,
  type RawFilter,
} from '@leadflow/dead-letters';
import { auditFilter, type AuditEntry } from '@leadflow/audit';
import { CliError, ExitCode } from './exit-codes';
import type { CliIo } from './io';
import { replayActor, type GlobalFlags } from './leadctl.config';
import { progressReporter } from './progress';
import { detail, jsonLine, listTable, summaryTable } from './render';

export interface DlqContext {
  readonly io: CliIo;
  /** The engine on the configured brokers and topics. */
  store(flags: GlobalFlags): DeadLetterStore;
  /** Appends one record to the audit trail (replays; PII shown unmasked). */
  audit(flags: GlobalFlags, entry: AuditEntry): Promise<void>;
}

interface FilterFlags extends RawFilter {
  readonly json?: boolean;
  readonly showPii?: boolean;
  readonly by?: string;
}

function withFilters(cmd: Command): Command {
  return cmd
    .option('--stage <stages>', 'router, dynamics, salesforce, marketo, azure-table, https (comma-separated)')
    .option('--class <classes>', 'error classes, e.g. TABLE.AUTH_FAILED, or a family: TABLE.*')
    .option('--category <categories>', 'configuration, data, transient-exhausted, internal')
    .option('--offer <offerIds>', 'offer ids (publisherid.offerid)')
    .option('--since <time>', 'failed at or after: RFC 3339 time, or an age such as 30m, 2h, 7d')
    .option('--until <time>', 'failed before: RFC 3339 time, or an age');
}

function filterOf(flags: RawFilter, extra: Partial<RawFilter> = {}): DeadLetterFilter {
  const parsed = parseFilter({ ...pick(flags), ...extra });
  if (!parsed.ok) throw new CliError(ExitCode.usage, parsed.issues.map((i) => `--${i.path}: ${i.message}`).join('\n'));
  return parsed.value;
}

function pick(f: RawFilter): RawFilter {
  const out: Record<string, string> = {};
  for (const k of ['stage', 'class', 'category', 'offer', 'since', 'until'] as const) {
    const v = f[k];
    if (v !== undefined) out[k] = v;
  }
  return out;
}

const hasFilter = (f: RawFilter) => Object.keys(pick(f)).length > 0;

function nothingMatched(): CliError {
  return new CliError(ExitCode.nothingMatched, 'no dead letter matches');
}

/** `leadctl dlq …`: what was dead-lettered, why, and replaying it once it is fixed. */
export function registerDlq(program: Command, ctx: DlqContext, globals: (cmd: Command) => GlobalFlags): void {
  const { io } = ctx;
  const dlq = program
    .command('dlq')
    .description('dead letters: why leads were not delivered, and replaying them once fixed');

  withFilters(
    dlq
      .command('summary')
      .description('dead letters by stage, error class and offer: count, oldest, newest, remediation'),
  )
    .option('--json', 'one JSON object per line')
    .action(async (flags: FilterFlags, cmd: Command) => {
      const store = ctx.store(globals(cmd));
      const { deadLetters, ledger } = await store.read(filterOf(flags));
      if (deadLetters.length === 0) throw nothingMatched();
      const rows = summarize(deadLetters, (id) => ledger.has(id));
      if (flags.json) for (const r of rows) jsonLine(io.stdout, r);
      else io.stdout.write(`${summaryTable(rows)}\n${deadLetters.length} dead letter(s)\n`);
    });

  withFilters(dlq.command('list').description('the dead letters, oldest first (names, e-mail and phone masked)'))
    .option('--json', 'one JSON object per line')
    .option('--show-pii', 'print names, e-mail and phone unmasked (recorded in the audit trail)')
    .option('--by <name>', 'who looks (the audit record of --show-pii); default LEADFLOW_REPLAY_BY or user@host')
    .option('--limit <n>', 'at most n dead letters (the newest)', positiveInt('--limit'))
    .action(async (flags: FilterFlags & { limit?: number }, cmd: Command) => {
      const store = ctx.store(globals(cmd));
      const { deadLetters, ledger } = await store.read(filterOf(flags));
      if (deadLetters.length === 0) throw nothingMatched();
      const sorted = [...deadLetters].sort((a, b) => a.failedAt.localeCompare(b.failedAt));
      const shown = flags.limit ? sorted.slice(-flags.limit) : sorted;
      if (flags.showPii) await revealed(ctx, globals(cmd), 'dlq list', filterOf(flags), shown.length, flags.by);
      const views = shown.map((d) => {
        const replayed = ledger.get(d.id);
        return deadLetterView(d, { showPii: flags.showPii === true, ...(replayed ? { replayed } : {}) });
      });
      if (flags.json) for (const v of views) jsonLine(io.stdout, v);
      else io.stdout.write(`${listTable(views)}\n${views.length} of ${deadLetters.length} dead letter(s)\n`);
    });

  dlq
    .command('show')
    .description('every dead letter of one lead, in full (PII masked unless --show-pii)')
    .argument('<leadId>', 'the lead id (ce_id)')
    .option('--json', 'one JSON object per line')
    .option('--show-pii', 'print names, e-mail and phone unmasked (recorded in the audit trail)')
    .option('--by <name>', 'who looks (the audit record of --show-pii); default LEADFLOW_REPLAY_BY or user@host')
    .action(async (leadId: string, flags: FilterFlags, cmd: Command) => {
      const store = ctx.store(globals(cmd));
      const { deadLetters, ledger } = await store.read({ leadIds: [leadId] });
      if (deadLetters.length === 0) throw new CliError(ExitCode.nothingMatched, `no dead letter of lead ${leadId}`);
      if (flags.showPii)
        await revealed(ctx, globals(cmd), 'dlq show', { leadIds: [leadId] }, deadLetters.length, flags.by);
      for (const d of deadLetters) {
        const replayed = ledger.get(d.id);
        const view = deadLetterView(d, { showPii: flags.showPii === true, ...(replayed ? { replayed } : {}) });
        if (flags.json) jsonLine(io.stdout, view);
        else io.stdout.write(`${detail(view)}\n`);
      }
    });

  withFilters(
    dlq
      .command('replay')
      .description(
        're-publish the selected dead letters to leads.ingested (the current configuration decides the route), each once',
      ),
  )
    .option('--all', 'replay every dead letter (a replay without any filter needs it)')
    .option('--dry-run', 'list what would be replayed and change nothing')
    .option('--rate <n>', 'at most n leads per second', positiveInt('--rate'))
    .option('--by <name>', 'who replays (leadflow.replay.by); default LEADFLOW_REPLAY_BY or user@host')
    .option('--json', 'one JSON object per line')
    .option('--show-pii', 'with --dry-run: print names, e-mail and phone unmasked (recorded in the audit trail)')
    .action(
      async (flags: FilterFlags & { all?: boolean; dryRun?: boolean; rate?: number; by?: string }, cmd: Command) => {
        if (!hasFilter(flags) && !flags.all)
          throw new CliError(ExitCode.usage, 'name what to replay (--offer, --class, --stage, …) or pass --all');
        const filter = filterOf(flags);
        const store = ctx.store(globals(cmd));
        const by = replayActor(flags.by, io.env);
        const progress = flags.json || flags.dryRun ? undefined : progressReporter(io.stderr);
        let report;
        try {
          report = await store.replay(filter, {
            by,
            dryRun: flags.dryRun === true,
            ...(flags.rate ? { rate: flags.rate } : {}),
            ...(progress ? { onProgress: (p: { done: number; total: number }) => progress.update(p) } : {}),
            ...(io.signal ? { signal: io.signal } : {}),
          });
        } catch (err) {
          if (err instanceof ReplayFencedError) throw new CliError(ExitCode.replayInterrupted, err.message);
          throw err;
        } finally {
          progress?.stop();
        }
        if (report.matched === 0) throw nothingMatched();
        const totals = {
          dryRun: report.dryRun,
          matched: report.matched,
          alreadyReplayed: report.alreadyReplayed,
          replayed: report.replayed,
          ...(report.dryRun ? { pending: report.selected.length } : {}),
          by,
        };
        if (!report.dryRun) {
          await ctx.audit(globals(cmd), {
            actor: by,
            action: 'deadletters.replay',
            replay: { filter: auditFilter(filter), count: report.replayed, auto: false },
          });
        }
        if (report.dryRun) {
          if (flags.showPii && report.selected.length > 0)
            await revealed(ctx, globals(cmd), 'dlq replay --dry-run', filter, report.selected.length, flags.by);
          const views = report.selected.map((d) => deadLetterView(d, { showPii: flags.showPii === true }));
          if (flags.json) for (const v of views) jsonLine(io.stdout, { wouldReplay: v });
          else if (views.length > 0) io.stdout.write(`${listTable(views)}\n`);
        }
        if (flags.json) jsonLine(io.stdout, totals);
        else if (report.dryRun)
          io.stdout.write(
            `dry run: ${report.selected.length} would be replayed; ${report.alreadyReplayed} of ${report.matched} matched were already replayed. Nothing was changed.\n`,
          );
        else if (report.replayed === 0)
          io.stdout.write(`nothing to replay: all ${report.matched} matched dead letter(s) were already replayed\n`);
        else
          io.stdout.write(
            `replayed ${report.replayed} lead(s) to leads.ingested as ${by}; ${report.alreadyReplayed} of ${report.matched} matched were already replayed\n`,
          );
      },
    );
}

/**
 * Records that personal data is about to be shown unmasked, before it is printed: if the trail cannot be written,
 * nothing is shown (the command fails with the broker's error).
 */
async function revealed(
  ctx: DlqContext,
  flags: GlobalFlags,
  command: string,
  filter: DeadLetterFilter,
  count: number,
  by: string | undefined,
): Promise<void> {
  await ctx.audit(flags, {
    actor: replayActor(by, ctx.io.env),
    action: 'pii.reveal',
    reveal: { command, filter: auditFilter(filter), count },
  });
}

/** A commander value parser for a positive integer option. */
export function positiveInt(name: string): (raw: string) => number {
  return (raw) => {
    const n = Number(raw);
    if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n) || n < 1)
      throw new CliError(ExitCode.usage, `${name}: '${raw}' is not a positive integer`);
    return n;
  };
}
