import { printObserveLinks } from '../observe/demo-links';
import { readStackConfig } from '../stack.config';
import { runDemo } from './demo';

/** `./dev demo` (after `./dev up`); with `--observe`, it ends with the Jaeger and Prometheus links. */
const cfg = readStackConfig();
const out = (line = '') => process.stdout.write(`${line}\n`);
runDemo(cfg, out)
  .then((report) => (cfg.observe ? printObserveLinks(cfg, report, out) : undefined))
  .then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`demo failed: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
