import { scrubber } from './scrub';

describe('scrubber', () => {
  it('removes known values case-insensitively, tokens, secrets in form bodies and e-mail addresses', () => {
    const scrub = scrubber(['Kim', 'P@ss word', undefined, 'US']);
    expect(
      scrub(
        'user KIM (kim.doe@fabrikam.example) sent password=P%40ss&client_secret=abc with Bearer eyJ0eXAi.eyJhdWQi.c2ln; P@ss word leaked in US',
      ),
    ).toBe('user *** (<email>) sent password=***&client_secret=*** with Bearer <token>; *** leaked in US');
  });
});
