import { EmailQueue, personKey } from './email-queue';

/** A run that finishes when the test says so, recording when it started. */
function gate(log: string[], name: string) {
  let open: () => void = () => undefined;
  const opened = new Promise<void>((r) => (open = r));
  return {
    open,
    fn: async () => {
      log.push(`start ${name}`);
      await opened;
      log.push(`end ${name}`);
    },
  };
}
const flush = () => new Promise((r) => setImmediate(r));

describe('EmailQueue', () => {
  it('runs upserts of one person one after another, and of other people at once', async () => {
    const q = new EmailQueue();
    const log: string[] = [];
    const a1 = gate(log, 'a1');
    const b = gate(log, 'b');
    const a2 = gate(log, 'a2');
    const ab = gate(log, 'ab');
    const runs = [
      q.run([personKey('123-abc-456', 'Kim@Contoso.example')], a1.fn),
      q.run([personKey('123-ABC-456', 'lee@contoso.example')], b.fn),
      q.run([personKey('123-ABC-456', 'kim@contoso.example ')], a2.fn),
      q.run([personKey('123-ABC-456', 'lee@contoso.example'), personKey('123-ABC-456', 'kim@contoso.example')], ab.fn),
    ];
    await flush();
    expect(log).toEqual(['start a1', 'start b']);
    a1.open();
    await flush();
    expect(log).toEqual(['start a1', 'start b', 'end a1', 'start a2']);
    b.open();
    a2.open();
    await flush();
    expect(log.slice(-3)).toEqual(['end b', 'end a2', 'start ab']);
    ab.open();
    await Promise.all(runs);
  });

  it('lets the next run go when one fails', async () => {
    const q = new EmailQueue();
    const failing = q.run(['k'], () => Promise.reject(new Error('refused')));
    await expect(failing).rejects.toThrow('refused');
    await expect(q.run(['k'], async () => 'next')).resolves.toBe('next');
  });

  it('keeps the same person apart in different Marketo instances', () => {
    expect(personKey('111-AAA-111', 'kim@contoso.example')).not.toBe(personKey('222-BBB-222', 'kim@contoso.example'));
  });
});
