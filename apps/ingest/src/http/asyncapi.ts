import { buildAsyncApiDocument } from '@leadflow/lead-model';
import { SINK_SERVICES } from '@leadflow/sink-runtime';

/**
 * The Kafka contract (AsyncAPI 3.1), built by lead-model from the schemas and topic map this process runs
 * with: what docs/asyncapi.yaml holds (tools/docs writes that file from the same builder; a test keeps the
 * two equal), served as JSON beside the OpenAPI document.
 */
export function buildAsyncApiForIngest(): object {
  return buildAsyncApiDocument({ sinks: SINK_SERVICES });
}
