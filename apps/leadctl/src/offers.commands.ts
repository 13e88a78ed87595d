import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { CliError, ExitCode } from './exit-codes';
import { IngestClient, offerPath } from './ingest-client';
import type { CliIo } from './io';
import { ingestSettings, type GlobalFlags } from './leadctl.config';
import { positiveInt } from './dlq.commands';

/** A JSON document from `--file <path>` (or `-` for standard input) or inline `--data`. */
export async function jsonInput(io: CliIo, flags: { file?: string; data?: string }, what: string): Promise<unknown> {
  if (flags.file !== undefined && flags.data !== undefined)
    throw new CliError(ExitCode.usage, 'give either --file or --data, not both');
  let text: string;
  if (flags.data !== undefined) text = flags.data;
  else if (flags.file === '-') {
    if (!io.readStdin) throw new CliError(ExitCode.usage, 'standard input is not available');
    text = await io.readStdin();
  } else if (flags.file !== undefined) {
    try {
      text = await readFile(flags.file, 'utf8');
    } catch (err) {
      throw new CliError(ExitCode.usage, `cannot read ${flags.file}: ${err instanceof Error ? err.message : err}`);
    }
  } else throw new CliError(ExitCode.usage, `the ${what} is needed: --file <path|-> or --data '<json>'`);
  try {
    return JSON.parse(text);
  } catch {
    throw new CliError(ExitCode.usage, `the ${what} is not JSON`);
  }
}

function print(io: CliIo, value: unknown, compact: boolean | undefined): void {
  io.stdout.write(`${compact ? JSON.stringify(value) : JSON.stringify(value, null, 2)}\n`);
}

interface Status {
  readonly validation?: { readonly status?: string; readonly errorClass?: string; readonly remediation?: string };
}

/** `leadctl offers …`: an offer's destination over the ingest API (admin token). */
export function registerOffers(program: Command, io: CliIo, globals: (cmd: Command) => GlobalFlags): void {
  const client = (cmd: Command) => new IngestClient(ingestSettings(globals(cmd), io.env, 'admin'));
  const offers = program
    .command('offers')
    .description("an offer's lead destination, over the ingest API (admin token)");

  offers
    .command('set')
    .description('save the destination (a new version) and send a validation lead through the pipeline')
    .argument('<offerId>', 'publisherid.offerid')
    .option('--file <path>', "the destination JSON ('-' reads standard input)")
    .option('--data <json>', 'the destination JSON, inline')
    .option('--wait [seconds]', 'wait for the validation lead to pass or fail (default 60 s)')
    .option('--json', 'compact JSON on one line')
    .action(
      async (
        offerId: string,
        flags: { file?: string; data?: string; wait?: true | string; json?: boolean },
        cmd: Command,
      ) => {
        const body = await jsonInput(io, flags, 'destination');
        const c = client(cmd);
        const saved = await c.call('PUT', offerPath(offerId, '/destination'), body);
        print(io, saved.body, flags.json);
        if (flags.wait === undefined) return;
        const seconds = flags.wait === true ? 60 : positiveInt('--wait')(flags.wait);
        const deadline = Date.now() + seconds * 1000;
        for (;;) {
          const { body: status } = await c.call<Status>('GET', offerPath(offerId, '/status'));
          const v = status.validation;
          if (v?.status === 'passed') {
            io.stderr.write('validation lead delivered: the destination works\n');
            return;
          }
          if (v?.status === 'failed')
            throw new CliError(
              ExitCode.validationFailed,
              `validation lead failed: ${v.errorClass ?? 'unknown error'}${v.remediation ? `\n  remediation: ${v.remediation}` : ''}`,
            );
          if (Date.now() > deadline)
            throw new CliError(ExitCode.validationFailed, `validation lead still pending after ${seconds} s`);
          await new Promise((r) => setTimeout(r, 250));
        }
      },
    );

  offers
    .command('get')
    .description('the destination (secrets masked) and the signed lead URL')
    .argument('<offerId>', 'publisherid.offerid')
    .option('--json', 'compact JSON on one line')
    .action(async (offerId: string, flags: { json?: boolean }, cmd: Command) => {
      print(io, (await client(cmd).call('GET', offerPath(offerId, '/destination'))).body, flags.json);
    });

  offers
    .command('status')
    .description('validation lead outcome, last delivery, dead letters, auto-replay, leads waiting for a quota')
    .argument('<offerId>', 'publisherid.offerid')
    .option('--json', 'compact JSON on one line')
    .action(async (offerId: string, flags: { json?: boolean }, cmd: Command) => {
      print(io, (await client(cmd).call('GET', offerPath(offerId, '/status'))).body, flags.json);
    });

  offers
    .command('rm')
    .description('remove the destination (leads then dead-letter as ROUTER.OFFER_NOT_CONFIGURED)')
    .argument('<offerId>', 'publisherid.offerid')
    .action(async (offerId: string, _flags: unknown, cmd: Command) => {
      await client(cmd).call('DELETE', offerPath(offerId, '/destination'));
      io.stderr.write(`removed the destination of ${offerId}\n`);
    });
}
