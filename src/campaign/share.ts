/**
 * The `share` block: what supporters send from the campaign page, checked against the length
 * rule of every network it can be sent to. Pure: the site build and `preview --share` use the
 * texts this resolves; the compose URLs themselves are built in src/site/.
 */
import { isPlatform, OUTBOX_PLATFORM, platformInfo } from '../platforms/registry.ts';
import { graphemeCount, type Measure } from './limits.ts';
import { fillMessage } from './render.ts';
import {
  type Campaign,
  type CampaignFile,
  type CampaignShare,
  type OtherShareNetwork,
  SHARE_NETWORKS,
  type ShareNetwork,
  type ShareReport,
} from './schema.ts';
import { checkTemplate, usesVariable } from './template.ts';

/** Variables that need a post time; a page has none. */
const TIME_VARIABLES = ['date', 'weekday', 'time', 'day'] as const;

/** A stand-in for the page URL where a network adds it to the text (X counts every URL as 23). */
const PAGE_URL_STAND_IN = 'https://example.org/campaign/';

function characters(text: string, limit: number): Measure {
  const length = graphemeCount(text);
  return { length, limit, unit: 'characters', fits: length <= limit };
}

/** GSM-7 basic set: texts in it fit 153 characters per part of a long SMS; others 67. */
const GSM7 = /^[@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&'()*+,\-./0-9:;<=>?¡A-ZÄÖÑÜ§¿a-zäöñüà^{}\\[~\]|€]*$/;
/** Three parts: longer texts arrive split or not at all on some phones. */
export const SMS_PARTS = 3;

const OTHER_LIMITS: Record<OtherShareNetwork, ShareLimit> = {
  threads: { describe: '500 characters', measure: (t) => characters(t, 500) },
  // Facebook takes only the page URL: its preview shows the message (Open Graph tags).
  facebook: { describe: 'no text (the link preview shows the message)', measure: () => characters('', 0) },
  linkedin: { describe: '3000 characters', measure: (t) => characters(t, 3000) },
  whatsapp: { describe: '65536 characters', measure: (t) => characters(t, 65_536) },
  telegram: {
    describe: '4096 characters with the page link',
    measure: (t) => characters(`${PAGE_URL_STAND_IN}\n${t}`, 4096),
  },
  email: { describe: '10000 characters', measure: (t) => characters(t, 10_000) },
  sms: {
    describe: `${SMS_PARTS} parts: ${SMS_PARTS * 153} plain characters, ${SMS_PARTS * 67} with accents or emoji outside GSM`,
    measure: (t) => characters(t, GSM7.test(t) ? SMS_PARTS * 153 : SMS_PARTS * 67),
  },
};

export interface ShareLimit {
  describe: string;
  measure: (text: string) => Measure;
}

/**
 * Each network's limit on the prefilled text, measured as that network measures it. Networks the
 * bot posts to use their registry entry's rule; the others are the networks' published post limits.
 */
export const SHARE_LIMITS = {
  ...Object.fromEntries(
    SHARE_NETWORKS.filter(isPlatform).map((id) => [id, platformInfo(id).share?.limit as ShareLimit]),
  ),
  ...OTHER_LIMITS,
} as Record<ShareNetwork, ShareLimit>;

/** Every network takes the text except Facebook (page link only). */
export function sharesText(network: ShareNetwork): boolean {
  return network !== 'facebook';
}

export interface ShareProblem {
  path: ReadonlyArray<string | number>;
  message: string;
  hint?: string;
  /** Offset in the template, for template problems. */
  index?: number;
}

type FileShare = NonNullable<CampaignFile['share']>;

function report(block: NonNullable<FileShare['report']> | undefined): ShareReport | undefined {
  if (!block) return undefined;
  return {
    ...(block.title ? { title: block.title } : {}),
    ...(block.intro ? { intro: block.intro } : {}),
    numbers: block.numbers,
    links: block.links,
    checked: block.checked,
  };
}

function validDate(text: string): boolean {
  const date = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(text);
}

/** Fills a share message: variables, then the campaign hashtags unless it places or has them. */
export function fillShareMessage(campaign: Campaign, template: string): string {
  const none = { date: '', weekday: '', time: '', day: '' };
  // As the outbox renders it: no platform's variant or hashtag override.
  return fillMessage({ ...campaign, overrides: {} }, template, OUTBOX_PLATFORM.id, none);
}

/**
 * Resolves the share block of a valid campaign and lists its problems: templates, dates, and
 * every message against the limit of every network it is shown for.
 */
export function resolveShare(
  campaign: Campaign,
  share: FileShare,
): { share?: CampaignShare; problems: ShareProblem[] } {
  const problems: ShareProblem[] = [];
  const networks = [...new Set(share.networks ?? SHARE_NETWORKS)];
  const linkNames = Object.keys(campaign.links);

  type Path = ReadonlyArray<string | number>;
  /** Each template with the path of the field it came from. */
  const fill = (templates: ReadonlyArray<{ template: string; at: Path }>): string[] =>
    templates.map(({ template, at }) => {
      const templateProblems = checkTemplate(template, linkNames);
      for (const p of templateProblems) problems.push({ path: at, message: p.message, index: p.index });
      for (const name of TIME_VARIABLES) {
        if (usesVariable(template, name))
          problems.push({
            path: at,
            message: `{${name}} cannot be used in a share message: a page has no post time`,
            hint: 'Write the date out, or leave it out.',
            index: Math.max(0, template.search(new RegExp(`\\{\\s*${name}\\s*\\}`))),
          });
      }
      if (templateProblems.length > 0) return '';
      const text = fillShareMessage(campaign, template);
      for (const network of networks) {
        if (!sharesText(network)) continue;
        const m = SHARE_LIMITS[network].measure(text);
        if (m.fits) continue;
        problems.push({
          path: at,
          message: `too long to share on ${network}: ${m.length}/${m.limit} ${m.unit} (${SHARE_LIMITS[network].describe})`,
          hint: `Shorten it by ${m.length - m.limit} ${m.unit}, or leave ${network} out of share.networks.`,
        });
      }
      return text;
    });

  const listed = (texts: readonly string[], path: Path) =>
    texts.map((template, i) => ({ template, at: [...path, i] }));
  // Without share.messages: the bot's own messages, where they read the same on any day.
  const templates = share.messages
    ? listed(share.messages, ['share', 'messages'])
    : listed(
        campaign.messages.map((m) => m.text),
        ['messages'],
      ).filter(({ template }) => !TIME_VARIABLES.some((name) => usesVariable(template, name)));
  if (!share.messages) {
    if (templates.length === 0) {
      problems.push({
        path: ['share'],
        message: 'every campaign message uses a date or time, so the page has nothing to share',
        hint: 'Add share.messages: the texts supporters send.',
      });
    }
  }
  const reportBlock = report(share.report);
  if (share.report && !validDate(share.report.checked)) {
    problems.push({
      path: ['share', 'report', 'checked'],
      message: `"${share.report.checked}" is not a date`,
      hint: 'Write the day the numbers were last checked, e.g. "2026-03-22".',
    });
  }
  const languages: CampaignShare['languages'] = [
    {
      lang: campaign.language,
      name: campaign.name,
      messages: share.messages ? fill(templates) : dedupe(fill(templates)),
      ...(reportBlock ? { report: reportBlock } : {}),
    },
  ];
  for (const [lang, translation] of Object.entries(share.translations ?? {})) {
    if (lang === campaign.language) {
      problems.push({
        path: ['share', 'translations', lang],
        message: `"${lang}" is the campaign language`,
        hint: 'Translations are for other languages; put these messages in share.messages.',
      });
    }
    const translated = report(translation.report);
    if (translation.report && !validDate(translation.report.checked)) {
      problems.push({
        path: ['share', 'translations', lang, 'report', 'checked'],
        message: `"${translation.report.checked}" is not a date`,
        hint: 'Write e.g. "2026-03-22".',
      });
    }
    const report_ = translated ?? reportBlock;
    languages.push({
      lang,
      name: translation.name ?? campaign.name,
      messages: fill(listed(translation.messages, ['share', 'translations', lang, 'messages'])),
      ...(report_ ? { report: report_ } : {}),
    });
  }
  if (problems.length > 0) return { problems };
  return { share: { networks, languages }, problems };
}

function dedupe(texts: string[]): string[] {
  return [...new Set(texts)];
}
