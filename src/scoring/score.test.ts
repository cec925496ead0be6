import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ScoringConfigSchema } from './config.ts';
import { defaultScorer, Scorer, score } from './index.ts';
import { loadScoringData } from './load.ts';
import type { Verdict } from './types.ts';

function checkVerdict(text: string, verdict: Verdict): void {
  expect(verdict.score).toBeGreaterThanOrEqual(0);
  expect(verdict.score).toBeLessThanOrEqual(1);
  expect(Number.isFinite(verdict.sentiment)).toBe(true);
  for (const reason of verdict.reasons) {
    if (!reason.span) continue;
    expect(reason.span.start).toBeGreaterThanOrEqual(0);
    expect(reason.span.end).toBeGreaterThanOrEqual(reason.span.start);
    expect(reason.span.end).toBeLessThanOrEqual(text.length);
    expect(text.slice(reason.span.start, reason.span.end)).toBe(reason.span.text);
  }
}

// Words the scorer reacts to, mixed into random text so the properties reach the rule and model code.
const charged = fc.constantFrom(
  'muslims',
  'are',
  'vermin',
  'kill',
  'all',
  'deport',
  'not',
  'they',
  'f*ck',
  'mu$lim$',
  'm u s l i m',
  '&amp;',
  '&#8220;',
  '@handle',
  'https://t.co/x',
  '#BanThem',
  '"',
  'called me',
  "they're",
  'ｍｕｓｌｉｍ',
  '\u200b',
  '\u0301',
);

describe('score() properties', () => {
  it('never throws and keeps spans inside the text, on any string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (text) => {
        checkVerdict(text, score(text));
      }),
      { numRuns: 1000 },
    );
  });

  it('never throws on text mixing lone surrogates, marks and the words it reacts to', () => {
    const piece = fc.oneof(
      charged,
      fc.string({ unit: 'binary', maxLength: 8 }),
      fc.constantFrom('\ud800', '\udfff', '\ud83d', ' ', '\n', '&#55296;', '&#x110000;', '&'),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 60 }), (parts) => {
        const text = parts.join(' ');
        checkVerdict(text, score(text));
      }),
      { numRuns: 1000 },
    );
  });

  it('handles 100,000 characters of random Unicode', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', minLength: 100_000, maxLength: 100_000 }), (text) => {
        checkVerdict(text, score(text));
      }),
      { numRuns: 3 },
    );
    const long = 'muslims are vermin '.repeat(6000);
    checkVerdict(long, score(long));
  });

  it('accepts non-string input from untyped callers without throwing', () => {
    expect(score(undefined as unknown as string).flagged).toBe(false);
    expect(score(42 as unknown as string).flagged).toBe(false);
  });
});

describe('score() behaviour', () => {
  it('reports sentiment separately: negative sentiment alone never flags', () => {
    const verdict = score('This is awful, terrible, horrible, the worst day, I am devastated and furious');
    expect(verdict.sentiment).toBeLessThan(-0.5);
    expect(verdict.flagged).toBe(false);
  });

  it('explains each flag with a rule, an explanation and the span in the original text', () => {
    const text = 'Honestly, MUSLIMS are vermin.';
    const verdict = score(text);
    expect(verdict.flagged).toBe(true);
    const reason = verdict.reasons.find((r) => r.rule.startsWith('dehumanisation.'))!;
    expect(reason.explanation.length).toBeGreaterThan(10);
    expect(reason.span!.text).toBe('MUSLIMS are vermin');
  });

  it('names the evasion a slur was spelled with', () => {
    const verdict = score('that f4gg0t next door');
    const slur = verdict.reasons.find((r) => r.rule.startsWith('slur.'))!;
    expect(slur.explanation).toContain('leet');
    expect(slur.span!.text).toBe('f4gg0t');
  });

  it("never flags the campaign's own messages, templates and all", () => {
    const ownMessages = ['Hate crime has no place here. Report every hate incident: call 101 {hashtags}'];
    const post =
      'RT @bot: Hate crime has no place here. Report every hate incident: call 101 #WeStandTogether';
    const verdict = score(post, { ownMessages });
    expect(verdict.flagged).toBe(false);
    expect(verdict.reasons.map((r) => r.rule)).toEqual(['context.own_message']);
    expect(score('Kill all muslims', { ownMessages }).flagged).toBe(true);
  });

  it('does not read campaign hashtags as words', () => {
    expect(score('#DeportThemAll', { campaignHashtags: ['deportthemall'] }).reasons).toEqual([]);
  });

  describe('abuse aimed at the perpetrators as individuals', () => {
    const attacks = [
      {
        text: 'Whoever planned this is a pathetic excuse for a human being. #NoToHateCrime',
        campaignHashtags: ['notohatecrime', 'lovenothate'],
        phrase: 'Whoever planned this',
      },
      {
        text: 'The people who planned this are scum and I hope they never see daylight again. #StandWithBelgium',
        campaignHashtags: ['westandtogether', 'standwithbelgium', 'prayforbrussels'],
        phrase: 'The people who planned this',
      },
    ];

    it.each(attacks)('is not flagged, and says why: $phrase', ({ text, campaignHashtags, phrase }) => {
      const verdict = score(text, { campaignHashtags });
      expect(verdict.flagged).toBe(false);
      const reason = verdict.reasons.find((r) => r.rule === 'context.individual_target');
      expect(reason?.span?.text).toBe(phrase);
      expect(text.slice(reason!.span!.start, reason!.span!.end)).toBe(phrase);
    });

    it.each(attacks)(
      'comes from the data: without its phrases, $phrase flags',
      ({ text, campaignHashtags }) => {
        const data = loadScoringData();
        const en = data.lexicons.get('en')!;
        const lexicons = new Map(data.lexicons);
        lexicons.set('en', { ...en, individualTarget: { words: new Set(), phrases: new Map() } });
        const verdict = new Scorer({ ...data, lexicons }).score(text, { campaignHashtags });
        expect(verdict.flagged).toBe(true);
        expect(verdict.reasons.map((r) => r.rule)).not.toContain('context.individual_target');
      },
    );

    it('does not hold when the post names a protected group or uses a slur', () => {
      for (const text of [
        'The bombers were Muslims and all Muslims are terrorists',
        'Whoever did this is scum, all Muslims are pathetic',
        'The gunman was a migrant, kill all migrants',
        'Whoever did this is a f4gg0t',
      ]) {
        const verdict = score(text);
        expect(verdict.flagged, text).toBe(true);
        expect(
          verdict.reasons.map((r) => r.rule),
          text,
        ).not.toContain('context.individual_target');
      }
    });
  });

  it('applies the threshold: higher flags less', () => {
    const text = 'Immigrants are lazy';
    const verdict = score(text);
    expect(verdict.flagged).toBe(true);
    expect(score(text, { threshold: Math.min(1, verdict.score + 0.01) }).flagged).toBe(false);
    expect(score(text, { threshold: verdict.score }).flagged).toBe(true);
  });

  it('neverFlag words are not counted as signals', () => {
    expect(score('Queers are degenerates').flagged).toBe(true);
    expect(score('I love the queer film festival', { neverFlag: ['queer'] }).reasons).toEqual([]);
  });

  it('does not flag in-group (reclaimed) use on its own, but does with hostile context', () => {
    expect(score('me and my nigga at the game').flagged).toBe(false);
    const hostile = score('deport every nigga');
    expect(hostile.flagged).toBe(true);
  });

  it('detects French and Dutch, and a language hint wins', () => {
    expect(score('Les musulmans sont des rats').lang).toBe('fr');
    expect(score('Vluchtelingen zijn ratten').lang).toBe('nl');
    expect(score('Les musulmans sont des rats').flagged).toBe(true);
    expect(score('rats', { lang: 'nl' }).lang).toBe('nl');
  });

  it('the default threshold is the documented one', () => {
    expect(ScoringConfigSchema.parse({}).threshold).toBe(0.5);
    expect(ScoringConfigSchema.safeParse({ threshold: 0 }).success).toBe(false);
    expect(ScoringConfigSchema.safeParse({ threshold: 2 }).success).toBe(false);
    expect(ScoringConfigSchema.safeParse({ threshold: 0.6, never_flag: ['x'], language: 'fr' }).success).toBe(
      true,
    );
    expect(ScoringConfigSchema.safeParse({ thresold: 0.6 }).success).toBe(false);
  });

  it('agrees with the sentiment package on plain text', () => {
    const require = createRequire(import.meta.url);
    const Sentiment = require('sentiment') as new () => { analyze(text: string): { comparative: number } };
    const plain = 'I love this city and I hate what happened';
    const expected = new Sentiment().analyze(plain).comparative;
    expect(defaultScorer().score(plain).sentiment).toBeCloseTo(expected, 5);
  });
});

describe('campaign hijacking', () => {
  it('hashtags never silence hate, whichever campaign they belong to', () => {
    for (const tags of [
      '',
      ' #WeStandTogether',
      ' #WeStandTogether #LoveNotHate',
      ' #StandWithBelgium #LoveNotHate #StopTheHate',
    ]) {
      const text = `Burn their mosques down, every single one.${tags}`;
      for (const campaignHashtags of [undefined, ['westandtogether']]) {
        const verdict = score(text, campaignHashtags ? { campaignHashtags } : {});
        expect(verdict.flagged, text).toBe(true);
        expect(verdict.reasons.map((r) => r.rule)).not.toContain('context.counter_speech');
      }
    }
  });

  it('solidarity words in plain text are not counter-speech; quoting and judging is', () => {
    expect(score('we stand together? Muslims are vermin').flagged).toBe(true);
    const quoted = score('Chanting "muslims are vermin" at a vigil is disgusting');
    expect(quoted.flagged).toBe(false);
    expect(quoted.reasons.map((r) => r.rule)).toContain('context.counter_speech');
    // Quoted but endorsed, or mocked solidarity: the author's own hate.
    expect(score('Someone said muslims are vermin and he is right').flagged).toBe(true);
    expect(score('"Solidarity" with vermin like the muslims? No thanks').flagged).toBe(true);
  });

  it('the model is one reason line of its top words, never function words', () => {
    const verdict = score('Shut up you fag');
    const model = verdict.reasons.filter((r) => r.rule.startsWith('model.'));
    expect(model).toHaveLength(1);
    for (const word of ['you', 'up', 'the', 'are', 'all'])
      expect(model[0]!.explanation).not.toMatch(new RegExp(`[:,] ${word}(,|$)`));
  });

  it('reads a short post as English unless another language shows real evidence', () => {
    expect(score('We will kill them all').lang).toBe('en');
    expect(score('We kill muslims').flagged).toBe(true);
    expect(score('Wij staan samen met Brussel en we blijven sterk').lang).toBe('nl');
    expect(score('Les musulmans sont nos voisins').lang).toBe('fr');
    // A declared language decides only between languages the text shows.
    expect(score('We will kill them all', { declaredLang: 'nl' }).lang).toBe('en');
  });
});

describe('protected characteristics per campaign', () => {
  it('all count by default; a campaign can leave one out, and slurs still count', () => {
    expect(score('Women are worthless').flagged).toBe(true);
    const protect = [
      'religion',
      'ethnicity',
      'migration',
      'sexual_orientation',
      'gender_identity',
      'disability',
    ];
    expect(score('Women are worthless', { protect }).flagged).toBe(false);
    expect(score('Muslims are worthless', { protect }).flagged).toBe(true);
    expect(score('Shut up you stupid tranny', { protect: ['religion'] }).flagged).toBe(true);
  });
});
