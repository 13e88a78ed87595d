/** AES-256 keys are 32 bytes. */
const KEY_BYTES = 32;
const KID = /^[A-Za-z0-9._-]{1,64}$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * The keys that seal destination secrets. The first key of the spec is active (new secrets are sealed
 * with it); the others only open secrets sealed before a rotation. Key material is held privately and
 * never appears in `JSON.stringify`, `util.inspect` or a log line: only the key ids do.
 */
export class Keyring {
  readonly #keys: ReadonlyMap<string, Buffer>;

  /** Use {@link parseKeyring}; this constructor trusts its input. */
  constructor(
    readonly activeKid: string,
    keys: ReadonlyMap<string, Buffer>,
  ) {
    this.#keys = keys;
  }

  /** Every key id, the active one first. */
  get kids(): readonly string[] {
    return [...this.#keys.keys()];
  }

  /** The key for `kid`, or undefined when this ring does not hold it. */
  key(kid: string): Buffer | undefined {
    return this.#keys.get(kid);
  }

  toJSON(): { activeKid: string; kids: readonly string[] } {
    return { activeKid: this.activeKid, kids: this.kids };
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `Keyring(active=${this.activeKid}, kids=${this.kids.join(',')})`;
  }
}

/** A keyring spec that cannot be used. The message names the entry by position and never echoes key material. */
export class KeyringError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyringError';
  }
}

/**
 * Parses `"kid:base64key[,kid:base64key...]"` (each key 32 bytes, standard base64). The first entry is
 * the active key. Throws {@link KeyringError} on an empty spec, a malformed entry, a key of the wrong
 * size or a repeated key id.
 */
export function parseKeyring(spec: string): Keyring {
  const entries = spec
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e.length > 0);
  if (entries.length === 0) throw new KeyringError('keyring is empty: expected "kid:base64key[,kid:base64key]"');
  const keys = new Map<string, Buffer>();
  entries.forEach((entry, i) => {
    const at = `keyring entry ${i + 1}`;
    const sep = entry.indexOf(':');
    if (sep <= 0) throw new KeyringError(`${at} is not "kid:base64key"`);
    const kid = entry.slice(0, sep);
    const b64 = entry.slice(sep + 1);
    if (!KID.test(kid)) throw new KeyringError(`${at}: key id must be 1-64 letters, digits, ".", "_" or "-"`);
    if (!BASE64.test(b64)) throw new KeyringError(`${at} (kid ${kid}): key is not base64`);
    const key = Buffer.from(b64, 'base64');
    if (key.length !== KEY_BYTES) {
      throw new KeyringError(`${at} (kid ${kid}): key must be ${KEY_BYTES} bytes, got ${key.length}`);
    }
    if (keys.has(kid)) throw new KeyringError(`${at}: key id ${kid} appears twice`);
    keys.set(kid, key);
  });
  const [active] = keys.keys();
  // entries is non-empty, so there is an active key.
  return new Keyring(active as string, keys);
}
