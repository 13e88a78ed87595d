import { createKafka, type KafkaLogSink } from './client';

describe('the kafkajs log bridge', () => {
  it('keeps retried routine errors out of the error log: CONCURRENT_TRANSACTIONS at debug, a moved leader at warn', () => {
    const seen: [string, string][] = [];
    const at =
      (level: string) =>
      (_fields: object, msg: string): void => {
        seen.push([level, msg]);
      };
    const sink: KafkaLogSink = { error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug') };
    const log = createKafka({ brokers: ['127.0.0.1:1'], clientId: 'bridge-test', logger: sink }).logger();

    const concurrent =
      'The producer attempted to update a transaction while another concurrent operation on the same transaction was ongoing';
    log.namespace('Producer').error(`Failed to send messages: ${concurrent}`, { retryCount: 0 });
    log.namespace('Connection').error('Response AddPartitionsToTxn(key: 24, version: 1)', { error: concurrent });
    log.namespace('Connection').error('Response Heartbeat(key: 12, version: 3)', {
      error: 'This is not the correct coordinator for this group',
    });
    log.namespace('Connection').error('Connection error: connect ECONNREFUSED 127.0.0.1:1');
    log.namespace('Consumer').info('Starting', {});

    expect(seen).toEqual([
      ['debug', `Failed to send messages: ${concurrent}`],
      ['debug', 'Response AddPartitionsToTxn(key: 24, version: 1)'],
      ['warn', 'Response Heartbeat(key: 12, version: 3)'],
      ['error', 'Connection error: connect ECONNREFUSED 127.0.0.1:1'],
      ['info', 'Starting'],
    ]);
  });
});
