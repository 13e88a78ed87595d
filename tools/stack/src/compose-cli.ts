import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderCompose } from './compose';

/** Writes docker-compose.yml from the sink catalog; with --check, exits 1 when the committed file differs. */
const file = join(__dirname, '..', '..', '..', 'docker-compose.yml');
const rendered = renderCompose();
if (process.argv.includes('--check')) {
  const same = readFileSync(file, 'utf8') === rendered;
  process.stdout.write(
    same ? 'docker-compose.yml is up to date\n' : 'docker-compose.yml differs from the sink catalog\n',
  );
  process.exit(same ? 0 : 1);
}
writeFileSync(file, rendered);
process.stdout.write(`wrote ${file}\n`);
