import type { Writable } from 'node:stream';
import { z } from 'zod';
import { loadCampaign } from '../../campaign/load.ts';
import { SolidarityError } from '../../errors.ts';
import { textLines } from '../../lines.ts';
import { campaignVerdictContext, mentionVerdict, plainVerdictContext } from '../../monitor/verdict.ts';
import { ScoringConfigSchema } from '../../scoring/config.ts';
import { defaultScorer } from '../../scoring/index.ts';
import type { ScoreOptions } from '../../scoring/types.ts';
import { type Command, stringOption, writeLine } from '../command.ts';

/** One input line: a post to score. */
const InputSchema = z.object({
  id: z.union([z.string(), z.number()]),
  text: z.string(),
  lang: z.string().optional(),
});

/** Longest input line read; a longer one is reported as an error line (memory stays bounded). */
export const MAX_LINE_CHARS = 1_000_000;

function write(stream: Writable, line: string): Promise<void> | undefined {
  if (stream.write(`${line}\n`)) return undefined;
  return new Promise((resolve) => stream.once('drain', resolve));
}

function errorLine(line: number, message: string, id?: unknown): string {
  const out: Record<string, unknown> = {};
  if (typeof id === 'string' || typeof id === 'number') out.id = id;
  out.line = line;
  out.error = message;
  return JSON.stringify(out);
}

export const scoreCommand: Command = {
  name: 'score',
  summary: 'Score posts for hate content: JSON lines {"id","text"} on stdin, verdicts on stdout',
  usage: 'score [--campaign FILE] [--threshold X]',
  description:
    'Reads one JSON object per line on stdin, {"id": ..., "text": ...} (optionally "lang": "en"|"fr"|"nl"),\n' +
    'and writes one line per input, in order: {"id","flagged","score","severity","sentiment","reasons"}.\n' +
    'A "lang" is the language the post declares: a hint, used only where the text shows that language.\n' +
    'A line that is not valid JSON or lacks "id"/"text" gets {"line","error"} (with "id" when known) and\n' +
    'scoring goes on; blank lines are skipped. A summary goes to stderr. Exit code 0 once all input is read.\n\n' +
    "With --campaign, the campaign file's `scoring` block (threshold, language, never_flag), messages and\n" +
    'hashtags apply, exactly as the running bot applies them: the same function gives the same verdict.\n' +
    "The campaign's own messages are never flagged. --threshold overrides the campaign's.\n\n" +
    'Example: echo \'{"id":"1","text":"we stand together"}\' | npx solidarity score',
  options: {
    campaign: {
      type: 'string',
      valueName: 'FILE',
      description: 'campaign file whose scoring settings apply',
    },
    threshold: {
      type: 'string',
      valueName: 'X',
      description: 'flag at or above this score, 0.05..1 (default 0.5)',
    },
  },
  async run(args, io) {
    const thresholdText = stringOption(args, 'threshold');
    let threshold: number | undefined;
    if (thresholdText !== undefined) {
      const parsed = ScoringConfigSchema.shape.threshold.safeParse(Number(thresholdText));
      if (thresholdText.trim() === '' || !parsed.success) {
        throw new SolidarityError('USAGE', `--threshold ${thresholdText} is not a number from 0.05 to 1.`, {
          hint: 'Example: --threshold 0.6 (higher flags less). The default is 0.5.',
        });
      }
      threshold = parsed.data;
    }
    // The same verdict as the running bot gives for this campaign (src/monitor/verdict.ts).
    const campaignPath = stringOption(args, 'campaign');
    const context = campaignPath
      ? campaignVerdictContext(loadCampaign(campaignPath), threshold === undefined ? {} : { threshold })
      : plainVerdictContext(threshold === undefined ? {} : { threshold });

    const shared = defaultScorer();
    const scorer = (text: string, options: ScoreOptions) => shared.score(text, options);
    const input = textLines(io.stdin);
    let lineNo = 0;
    let scored = 0;
    let flagged = 0;
    let bad = 0;
    for await (const raw of input) {
      lineNo++;
      if (raw.trim() === '') continue;
      let out: string;
      if (raw.length > MAX_LINE_CHARS) {
        bad++;
        out = errorLine(lineNo, `line is longer than ${MAX_LINE_CHARS} characters; not scored`);
      } else {
        let json: unknown;
        try {
          json = JSON.parse(raw);
        } catch {
          // The parser's message quotes the input; the post's text is not echoed back.
          json = undefined;
          bad++;
          out = errorLine(lineNo, 'not valid JSON (expected {"id": ..., "text": "..."})');
        }
        if (json !== undefined) {
          const parsed = InputSchema.safeParse(json);
          if (!parsed.success) {
            bad++;
            const issue = parsed.error.issues[0]!;
            const field = issue.path.length > 0 ? issue.path.join('.') : '(line)';
            const id = json && typeof json === 'object' ? (json as { id?: unknown }).id : undefined;
            out = errorLine(lineNo, `${field}: ${issue.message} (expected {"id": ..., "text": "..."})`, id);
          } else {
            const post = parsed.data;
            const { verdict } = await mentionVerdict(scorer, { text: post.text, lang: post.lang }, context);
            scored++;
            if (verdict.flagged) flagged++;
            out = JSON.stringify({
              id: post.id,
              flagged: verdict.flagged,
              score: verdict.score,
              severity: verdict.severity,
              sentiment: Math.round(verdict.sentiment * 1000) / 1000,
              reasons: verdict.reasons,
            });
          }
        }
      }
      const wait = write(io.stdout, out!);
      if (wait) await wait;
    }
    writeLine(io.stderr, `scored ${scored} post(s): ${flagged} flagged; ${bad} bad line(s)`);
    return 0;
  },
};
