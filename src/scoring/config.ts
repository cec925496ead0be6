import { z } from 'zod';

/** Per-campaign scoring settings (the `scoring` block of a campaign file). */
export const ScoringConfigSchema = z.strictObject({
  threshold: z
    .number()
    .min(0)
    .max(1)
    .default(0.5)
    .describe('Flag mentions whose score is at or above this (0..1).'),
});

export type ScoringConfig = z.infer<typeof ScoringConfigSchema>;
