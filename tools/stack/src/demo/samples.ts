import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A sample lead as a producer would POST it, with the offer the URL would carry (if any). */
export interface Sample {
  readonly name: string;
  readonly body: unknown;
  /** The marketplace's HTTPS-endpoint body carries no offer id: it comes from the URL. */
  readonly offerId?: string;
}

export function loadSamples(root: string): Sample[] {
  const read = (file: string): unknown =>
    JSON.parse(readFileSync(join(root, 'tools', 'stack', 'samples', file), 'utf8'));
  return [
    { name: 'marketplace HTTPS body', body: read('marketplace-https.json'), offerId: 'contoso.crm-connector' },
    { name: 'legacy flat form', body: read('legacy-flat.json') },
    { name: 'canonical', body: read('canonical.json') },
    { name: 'canonical, .edu customer', body: read('canonical-edu.json') },
  ];
}
