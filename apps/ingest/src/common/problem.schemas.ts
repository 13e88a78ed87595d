import { z } from 'zod';

/** RFC 9457 problem details as the ingest answers them (documentation of every error response). */
export const ProblemSchema = z.object({
  type: z.string().describe('Stable problem type URI'),
  title: z.string(),
  status: z.number().int(),
  detail: z.string().optional(),
  instance: z.string().optional().describe('The request path'),
  errors: z
    .array(z.object({ path: z.string().describe('Dotted path of the failing field'), message: z.string() }))
    .optional()
    .describe('Every failing field'),
  errorClass: z.string().optional().describe('Error catalog class, for configuration problems'),
  remediation: z.string().optional(),
});
