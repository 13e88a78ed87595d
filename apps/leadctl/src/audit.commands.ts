import type { Command } from 'commander';
import Table from 'cli-table3';
import type { AuditFilter } from '@leadflow/audit';
import { parseInstant } from '@leadflow/dead-letters';
import type { AuditRecord } from '@leadflow/lead-model';
import { CliError, ExitCode } from './exit-codes';
import type { CliIo } from './io';
import type { GlobalFlags } from './leadctl.config';
import { jsonLine, shortTime } from './render';

export interface AuditContext {
  readonly io: CliIo;
  /** The trail up to now, oldest first, filtered. */
  read(flags: GlobalFlags, filter: AuditFilter): Promise<{ records: AuditRecord[]; unreadable: number }>;
}

/** What a record says, in one line: versions and field names, a replay's count, a reveal's command. */
function what(r: AuditRecord): string {
  if (r.change) {
    const from = r.change.fromVersion === null ? 'none' : `v${r.change.fromVersion}`;
    const to = r.change.toVersion === null ? 'removed' : `v${r.change.toVersion}`;
    return `${from} -> ${to}${r.change.fields.length ? `: ${r.change.fields.join(', ')}` : ': no field changed'}`;
  }
  const filter = (f: Record<string, unknown>) =>
    Object.entries(f)
      .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(',') : String(v)}`)
      .join(' ');
  if (r.replay) return `${r.replay.count} replayed${r.replay.auto ? ' (auto)' : ''}; ${filter(r.replay.filter)}`;
  if (r.reveal) return `${r.reveal.count} shown by ${r.reveal.command}; ${filter(r.reveal.filter)}`;
  return '';
}

export function auditTable(records: readonly AuditRecord[]): string {
  const t = new Table({
    head: ['At', 'Actor', 'Action', 'Offer', 'What'],
    colWidths: [22, null, null, null, 70],
    wordWrap: true,
    style: { head: [], border: [] },
  });
  for (const r of records) t.push([shortTime(r.at), r.actor, r.action, r.offerId ?? '', what(r)]);
  return t.toString();
}

/** `leadctl audit list`: who changed which offer's configuration, who replayed, who saw personal data. */
export function registerAudit(program: Command, ctx: AuditContext, globals: (cmd: Command) => GlobalFlags): void {
  const audit = program
    .command('audit')
    .description('the audit trail (leads.audit): configuration changes, replays, personal data shown unmasked');
  audit
    .command('list')
    .description('audit records, oldest first')
    .option(
      '--offer <offerIds>',
      'records about these offers (comma-separated): changes, and replays or reveals naming them',
    )
    .option('--actor <actor>', 'records of one actor, exactly as listed (e.g. static:ops, <tid>/<oid>, kim@host)')
    .option('--since <time>', 'at or after: RFC 3339 time, or an age such as 30m, 2h, 7d')
    .option('--json', 'one JSON object per line')
    .action(async (flags: { offer?: string; actor?: string; since?: string; json?: boolean }, cmd: Command) => {
      const since = flags.since === undefined ? undefined : parseInstant(flags.since, new Date());
      if (flags.since !== undefined && since === undefined)
        throw new CliError(
          ExitCode.usage,
          `--since: '${flags.since}' is not a time (RFC 3339, or an age such as 30m, 2h, 7d)`,
        );
      const offers = flags.offer
        ?.split(',')
        .map((o) => o.trim())
        .filter((o) => o.length > 0);
      const filter: AuditFilter = {
        ...(offers?.length ? { offers } : {}),
        ...(flags.actor ? { actor: flags.actor } : {}),
        ...(since ? { since } : {}),
      };
      const { records, unreadable } = await ctx.read(globals(cmd), filter);
      if (unreadable > 0) ctx.io.stderr.write(`leadctl: ${unreadable} audit record(s) could not be read\n`);
      if (records.length === 0) throw new CliError(ExitCode.nothingMatched, 'no audit record matches');
      if (flags.json) for (const r of records) jsonLine(ctx.io.stdout, r);
      else ctx.io.stdout.write(`${auditTable(records)}\n${records.length} record(s)\n`);
    });
}
