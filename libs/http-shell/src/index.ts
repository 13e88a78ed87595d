// What every HTTP service of ours (ingest, the console) shares around its NestJS/Fastify surface.
export { AllowedMethods } from './allowed-methods';
export { NestPinoLogger } from './nest-logger';
export { traceRequests } from './server-spans';
