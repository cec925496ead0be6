/**
 * The `scoring` block of a campaign file. The campaign schema imports `ScoringConfigSchema`.
 */
import { z } from 'zod';
import type { ScoreOptions } from './types.ts';

/** Flag at or above this score. Tuned on the Davidson `dev` split (see README, section scoring). */
export const DEFAULT_THRESHOLD = 0.5;

export const ScoringConfigSchema = z
  .object({
    threshold: z
      .number()
      .min(0.05, 'threshold must be at least 0.05 (lower would flag nearly everything)')
      .max(1, 'threshold must be at most 1')
      .default(DEFAULT_THRESHOLD)
      .describe('Flag mentions whose score is at or above this (0.05..1). Default 0.5.'),
    language: z
      .enum(['en', 'fr', 'nl'])
      .optional()
      .describe('Language of the mentions; detected per mention when absent.'),
    protect: z
      .array(
        z.enum([
          'religion',
          'ethnicity',
          'migration',
          'sexual_orientation',
          'gender_identity',
          'gender',
          'disability',
        ]),
      )
      .optional()
      .describe(
        'Protected characteristics whose groups count as targets (default: all of them). Slurs always count.',
      ),
    never_flag: z
      .array(z.string().min(1))
      .default([])
      .describe('Words never counted as hate signals in this campaign (e.g. a community name).'),
  })
  .strict();

export type ScoringConfig = z.infer<typeof ScoringConfigSchema>;

/** The score options a campaign's `scoring` block sets; the bot and `solidarity score` both use it. */
export function scoreOptionsFrom(
  config: ScoringConfig,
): Pick<ScoreOptions, 'threshold' | 'lang' | 'neverFlag' | 'protect'> {
  return {
    threshold: config.threshold,
    ...(config.protect ? { protect: config.protect } : {}),
    ...(config.language ? { lang: config.language } : {}),
    ...(config.never_flag.length > 0 ? { neverFlag: config.never_flag } : {}),
  };
}
