import 'reflect-metadata';
import { Controller, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, EventPattern, KafkaContext, Payload, Transport, type MicroserviceOptions } from '@nestjs/microservices';
import { logLevel } from 'kafkajs';
import { indexReceipt, readerEnv, readerMeter } from './reader-report';

/**
 * The same reader on @nestjs/microservices' Kafka transport: an event handler per topic, Nest's own kafkajs
 * client, consumer and parser (it decodes the value as JSON itself), auto-commit off as the status reader has it.
 */
const env = readerEnv();
const index = new Map<string, string>();
const meter = readerMeter(env.expected, () => index.size);

@Controller()
class StatusEvents {
  @EventPattern(env.topic)
  receipt(@Payload() receipt: unknown, @Ctx() _ctx: KafkaContext): void {
    indexReceipt(index, receipt);
    meter.record();
  }
}

@Module({ controllers: [StatusEvents] })
class ReaderModule {}

async function main(): Promise<void> {
  const app = await NestFactory.createMicroservice<MicroserviceOptions>(ReaderModule, {
    logger: false,
    transport: Transport.KAFKA,
    options: {
      // Nest appends '-server' to both ids; the group is still one of its own per run.
      client: { clientId: 'bench-nest-reader', brokers: env.brokers, logLevel: logLevel.NOTHING },
      consumer: {
        groupId: env.groupId,
        sessionTimeout: 10_000,
        heartbeatInterval: 1_000,
        maxWaitTimeInMs: 1_000,
        allowAutoTopicCreation: false,
      },
      subscribe: { fromBeginning: true },
      run: { autoCommit: false },
    },
  });
  await app.listen();
}

void main();
