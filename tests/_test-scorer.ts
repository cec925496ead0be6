/**
 * A small deterministic scorer for monitor tests (the real one lives in src/scoring): flags a few
 * invented marker words, so tests know exactly which mentions must reach the review queue.
 */

import type { Verdict } from '../src/core/verdict.ts';
import type { ScoreOptions } from '../src/scoring/types.ts';

const MARKERS: Array<[RegExp, string]> = [
  [/\bvermin\b/i, 'test.dehumanising'],
  [/\bsend them all back\b/i, 'test.exclusion'],
  [/\bburn their\b/i, 'test.threat'],
];

export function testScore(text: string, options: ScoreOptions = {}): Verdict {
  const reasons = MARKERS.flatMap(([re, rule]) => {
    const m = re.exec(text);
    return m
      ? [
          {
            rule,
            explanation: 'test marker',
            span: { start: m.index, end: m.index + m[0].length, text: m[0] },
          },
        ]
      : [];
  });
  const score = Math.min(1, reasons.length * 0.6);
  const threshold = options.threshold ?? 0.5;
  return {
    flagged: score >= threshold,
    score,
    severity: score >= threshold ? 'high' : 'none',
    sentiment: 0,
    reasons,
  };
}
