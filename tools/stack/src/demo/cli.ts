import { readStackConfig } from '../stack.config';
import { runDemo } from './demo';

/** `./dev demo` (after `./dev up`). */
runDemo(readStackConfig(), (line = '') => process.stdout.write(`${line}\n`)).then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`demo failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
