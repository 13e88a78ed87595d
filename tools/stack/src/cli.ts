import { readStackConfig } from './stack.config';
import { down, status, up } from './stack';

/** Entry point of `./dev up | down | status` (the bash script provisions Node and runs this). */
async function main(argv: readonly string[]): Promise<number> {
  const cfg = readStackConfig();
  const log = (line: string) => process.stdout.write(`${line}\n`);
  switch (argv[0]) {
    case 'up': {
      const t0 = Date.now();
      await up(cfg, log);
      log(`stack up in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      return 0;
    }
    case 'down':
      await down(cfg, log);
      log('stack down');
      return 0;
    case 'status': {
      const rows = await status(cfg);
      log(['component'.padEnd(12), 'port'.padEnd(6), 'pid'.padEnd(8), 'state'].join(' '));
      for (const r of rows)
        log([r.name.padEnd(12), String(r.port).padEnd(6), String(r.pid ?? '-').padEnd(8), r.state].join(' '));
      return rows.every((r) => r.state === 'healthy') ? 0 : 3;
    }
    default:
      process.stderr.write('usage: stack up|down|status\n');
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
