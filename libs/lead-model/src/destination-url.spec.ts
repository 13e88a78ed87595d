import { HTTP_URL_PATTERN, parseDestination } from './index';

describe('destination URLs', () => {
  it.each([
    ['https://org.crm.dynamics.com', true],
    ['http://127.0.0.1:10002/devstoreaccount1', true],
    ['https://hooks.example.com:65535/leads?x=%20&y=1', true],
    ['http://host.example/%r', false],
    ['http://1.2.3.4.5/', false],
    ['https://xn--a.example', false],
    ['http://localhost:65536', false],
    ['ftp://files.example.com', false],
  ])('%s is accepted: %s', (url, accepted) => {
    expect(HTTP_URL_PATTERN.test(url)).toBe(accepted);
    expect(parseDestination({ type: 'https', url }).ok).toBe(accepted);
  });
});
