import { classifySendError } from './smtp-errors';

describe('classifySendError', () => {
  it.each([
    [{ code: 'ECONNECTION' }, true, undefined],
    [{ code: 'ETIMEDOUT' }, true, undefined],
    [{ code: 'EAUTH', responseCode: 454 }, true, undefined],
    [{ code: 'EENVELOPE', command: 'RCPT TO', responseCode: 451 }, true, undefined],
    [{ code: 'EENVELOPE', command: 'RCPT TO', responseCode: 550 }, false, 'NOTIFIER.RECIPIENT_REFUSED'],
    [{ code: 'EENVELOPE' }, false, 'NOTIFIER.RECIPIENT_REFUSED'],
    [{ code: 'EMESSAGE', command: 'DATA', responseCode: 554 }, false, 'NOTIFIER.MESSAGE_REFUSED'],
    [new TypeError('x'), false, 'NOTIFIER.UNEXPECTED'],
  ])('%j → retry %s %s', (err, retry, errorClass) => {
    const v = classifySendError(err);
    expect(v.retry).toBe(retry);
    if (!v.retry) expect(v.errorClass).toBe(errorClass);
  });
});
