import { Command, CommanderError } from 'commander';
import { AuditLog, readAuditTrail } from '@leadflow/audit';
import { DeadLetterStore, deadLetterTopics } from '@leadflow/dead-letters';
import { createKafka } from '@leadflow/kafka';
import { Topics } from '@leadflow/lead-model';
import { registerAudit } from './audit.commands';
import { registerDlq } from './dlq.commands';
import { CliError, ExitCode, isBrokerUnreachable } from './exit-codes';
import type { CliIo } from './io';
import { kafkaSettings, type GlobalFlags } from './leadctl.config';
import { registerLeads } from './leads.commands';
import { registerOffers } from './offers.commands';

const EXAMPLES = `
Examples:
  leadctl dlq summary
  leadctl dlq list --offer contoso.crm --since 24h --json
  leadctl dlq replay --offer contoso.crm --dry-run
  leadctl dlq replay --offer contoso.crm --class TABLE.AUTH_FAILED --rate 50
  leadctl offers set contoso.crm --file destination.json --wait
  leadctl leads send --file lead.json
  leadctl audit list --offer contoso.crm --since 7d

Exit codes: 0 ok, 1 unexpected, 2 usage, 3 broker unreachable, 4 nothing matched,
5 ingest refused (4xx), 6 ingest failed (5xx or unreachable), 7 replay interrupted, 8 validation failed.`;

/** The whole command tree, writing to `io`. Built per run: commander keeps parsed state on its objects. */
export function buildProgram(io: CliIo): Command {
  const program = new Command('leadctl')
    .description('leadflow operator and analyst tool: dead letters, replay, offers, test leads')
    .option(
      '--brokers <list>',
      'Kafka bootstrap brokers, host:port[,host:port] (default KAFKA_BROKERS or 127.0.0.1:9092)',
    )
    .option('--topic-prefix <prefix>', 'prefix of every topic name (default LEADFLOW_TOPIC_PREFIX, empty)')
    .option('--ingest-url <url>', 'ingest API base URL (default LEADFLOW_INGEST_URL or http://127.0.0.1:8080)')
    .option(
      '--token <token>',
      'bearer token for the ingest API (default LEADFLOW_TOKEN; or client credentials: LEADFLOW_OIDC_TOKEN_URL, LEADFLOW_CLIENT_ID, LEADFLOW_CLIENT_SECRET)',
    )
    .option('--admin-token <token>', 'admin token for offers (default LEADFLOW_ADMIN_TOKEN)')
    .option('--ingest-token <token>', 'producer token for leads (default LEADFLOW_INGEST_TOKEN)')
    .addHelpText('after', EXAMPLES)
    .showHelpAfterError('(add --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => void io.stdout.write(s),
      writeErr: (s) => void io.stderr.write(s),
    });
  const globals = (cmd: Command): GlobalFlags => cmd.optsWithGlobals<GlobalFlags>();
  const kafkaOf = (flags: GlobalFlags) => {
    const settings = kafkaSettings(flags, io.env);
    const kafka = createKafka({
      brokers: settings.brokers,
      clientId: 'leadctl',
      security: settings.security,
      // An operator waits for the answer: give up on an unreachable broker within seconds.
      connectionTimeoutMs: 3_000,
      retry: { retries: 2, initialRetryTime: 300, maxRetryTime: 2_000 },
    });
    return { settings, kafka };
  };
  registerDlq(
    program,
    {
      io,
      audit: async (flags, entry) => {
        const { settings, kafka } = kafkaOf(flags);
        const log = new AuditLog(kafka, `${settings.topicPrefix}${Topics.audit}`);
        try {
          await log.append(entry);
        } finally {
          await log.disconnect();
        }
      },
      store: (flags) => {
        const { settings, kafka } = kafkaOf(flags);
        return new DeadLetterStore({
          kafka,
          topics: deadLetterTopics(settings.topicPrefix),
          groupPrefix: `${settings.topicPrefix}leadctl`,
        });
      },
    },
    globals,
  );
  registerAudit(
    program,
    {
      io,
      read: (flags, filter) => {
        const { settings, kafka } = kafkaOf(flags);
        return readAuditTrail(kafka, `${settings.topicPrefix}${Topics.audit}`, filter, {
          groupPrefix: `${settings.topicPrefix}leadctl-audit`,
        });
      },
    },
    globals,
  );
  registerOffers(program, io, globals);
  registerLeads(program, io, globals);
  return program;
}

/**
 * Runs leadctl with `argv` (the arguments after the program name) and returns the exit code. Never
 * throws: every failure is one message on stderr and a code from ExitCode.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const program = buildProgram(io);
  try {
    if (argv.length === 0) {
      program.outputHelp();
      return ExitCode.usage;
    }
    await program.parseAsync([...argv], { from: 'user' });
    return ExitCode.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version end here too; commander already printed its message.
      if (err.exitCode === 0) return ExitCode.ok;
      return ExitCode.usage;
    }
    if (err instanceof CliError) {
      io.stderr.write(`leadctl: ${err.message}\n`);
      return err.exitCode;
    }
    if (isBrokerUnreachable(err)) {
      io.stderr.write(
        `leadctl: no Kafka broker answered (${err instanceof Error ? err.message : String(err)}); check --brokers or KAFKA_BROKERS\n`,
      );
      return ExitCode.brokerUnreachable;
    }
    io.stderr.write(`leadctl: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return ExitCode.unexpected;
  }
}
