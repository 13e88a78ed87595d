import type { Command } from 'commander';
import { createTestLead } from '@leadflow/lead-model';
import { IngestClient, offerPath } from './ingest-client';
import type { CliIo } from './io';
import { ingestSettings, type GlobalFlags } from './leadctl.config';
import { jsonInput } from './offers.commands';

/** `leadctl leads …`: sending leads over the ingest API (producer token), as a marketplace does. */
export function registerLeads(program: Command, io: CliIo, globals: (cmd: Command) => GlobalFlags): void {
  const client = (cmd: Command) => new IngestClient(ingestSettings(globals(cmd), io.env, 'producer'));
  const leads = program.command('leads').description('send leads over the ingest API (producer token)');

  leads
    .command('send')
    .description('send a lead in any of the three input shapes; a JSON array is sent as one batch')
    .option('--file <path>', "the lead JSON ('-' reads standard input)")
    .option('--data <json>', 'the lead JSON, inline')
    .option('--offer <offerId>', 'post to /v1/offers/{offerId}/leads (for bodies that name no offer)')
    .option('--idempotency-key <key>', 'a retry with the same key gets the same lead id')
    .action(async (flags: { file?: string; data?: string; offer?: string; idempotencyKey?: string }, cmd: Command) => {
      const body = await jsonInput(io, flags, 'lead');
      const c = client(cmd);
      const headers = flags.idempotencyKey ? { 'idempotency-key': flags.idempotencyKey } : undefined;
      if (Array.isArray(body)) {
        const res = await c.call<{ results?: unknown[] }>('POST', '/v1/leads/batch', { leads: body }, headers);
        for (const r of res.body.results ?? []) io.stdout.write(`${JSON.stringify(r)}\n`);
        return;
      }
      const path = flags.offer ? offerPath(flags.offer, '/leads') : '/v1/leads';
      const res = await c.call<{ leadId?: string }>('POST', path, body, headers);
      io.stdout.write(`${JSON.stringify(res.body)}\n`);
    });

  leads
    .command('test')
    .description("send a marketplace-style test lead (MSFT_TEST_ in every field) to an offer's destination")
    .argument('<offerId>', 'publisherid.offerid')
    .action(async (offerId: string, _flags: unknown, cmd: Command) => {
      // No lead id: the ingest assigns one, as it does for the marketplace's own test leads.
      const { leadId: _id, ...lead } = createTestLead({ offerId, leadId: 'x', now: new Date() });
      const res = await client(cmd).call<{ leadId?: string }>('POST', offerPath(offerId, '/leads'), lead);
      io.stdout.write(`${JSON.stringify(res.body)}\n`);
    });
}
