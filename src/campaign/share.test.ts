import { describe, expect, it } from 'vitest';
import { validateCampaignText } from './load.ts';

const BASE = `id: vigil
name: Vigil
language: en-GB
timezone: Europe/London
start: 2026-03-22T09:00
platforms: [local]
schedules:
  - at: ["2026-03-22T10:00"]
hashtags: [WeStandTogether]
links:
  report: https://www.report-it.org.uk/
messages:
  - "Posted on {date}."
`;

const validate = (share: string) => validateCampaignText('vigil.yaml', `${BASE}${share}`);
const messages = (share: string) =>
  validate(share).problems.map((p) => `${p.line}:${p.column} ${p.field}: ${p.message}`);

describe('share block', () => {
  it('fills variables and hashtags into the supporter messages, per language', () => {
    const result = validate(`share:
  messages: ["Report it at {link.report}"]
  translations:
    fr:
      name: Veillée
      messages: ["Nous sommes unis. {hashtags}"]
  report:
    numbers: [{ label: Emergency, number: "999" }]
    checked: "2026-03-22"
`);
    expect(result.problems).toEqual([]);
    const share = result.campaign!.share!;
    expect(share.networks).toHaveLength(10);
    expect(share.languages.map((l) => [l.lang, l.name, l.messages])).toEqual([
      ['en-GB', 'Vigil', ['Report it at https://www.report-it.org.uk/ #WeStandTogether']],
      ['fr', 'Veillée', ['Nous sommes unis. #WeStandTogether']],
    ]);
    // A translation without its own report block shows the campaign's.
    expect(share.languages[1]!.report?.numbers).toEqual([{ label: 'Emergency', number: '999' }]);
  });

  it('names the line of a message too long for a network it is shown on, and which rule broke', () => {
    const long = 'Stand together. '.repeat(20).trim();
    expect(messages(`share:\n  messages:\n    - "${long}"\n  networks: [bluesky, sms]\n`)).toEqual([
      expect.stringMatching(/^16:7 share\.messages\[0\]: too long to share on bluesky: 336\/300 graphemes/),
    ]);
    // The same text is fine where the network allows it.
    expect(messages(`share:\n  messages:\n    - "${long}"\n  networks: [whatsapp, facebook]\n`)).toEqual([]);
  });

  it('counts accents and emoji against the shorter SMS limit, and the page link on X', () => {
    // "é" is in the GSM alphabet, "ą" is not: the same length fits in one case only.
    expect(messages(`share:\n  messages: ["${'é'.repeat(190)}"]\n  networks: [sms]\n`)).toEqual([]);
    const text = 'ą'.repeat(190);
    expect(messages(`share:\n  messages: ["${text}"]\n  networks: [sms]\n`)[0]).toMatch(
      /too long to share on sms: 207\/201 characters/,
    );
    const x = 'a'.repeat(240);
    expect(messages(`share:\n  messages: ["${x}"]\n  networks: [x]\n`)[0]).toMatch(
      /too long to share on x: 2\d\d\/280 weighted characters/,
    );
  });

  it('refuses time variables, unknown links, bad dates and unknown networks, each at its line', () => {
    expect(
      messages(`share:
  messages: ["On {date}", "See {link.nope}"]
  networks: [x, myspace]
  report:
    checked: "2026-02-30"
`),
    ).toEqual([expect.stringMatching(/^16:17 share\.networks\[1\]: expected one of/)]);
    expect(
      messages(`share:
  messages: ["On {date}", "See {link.nope}"]
  report:
    checked: "2026-02-30"
`).sort(),
    ).toEqual([
      expect.stringMatching(/^15:18 share\.messages\[0\]: \{date\} cannot be used in a share message/),
      expect.stringMatching(/^15:32 share\.messages\[1\]: unknown link \{link\.nope\}/),
      expect.stringMatching(/^17:14 share\.report\.checked: "2026-02-30" is not a date/),
    ]);
  });

  it('without share.messages offers the bot messages that read the same any day, or says there are none', () => {
    const long = 'Stand together. '.repeat(30).trim();
    const fallback = validateCampaignText(
      'vigil.yaml',
      `${BASE.replace('  - "Posted on {date}."', `  - "Posted on {date}."\n  - "${long}"\n  - "Short one."`)}share:\n  networks: [sms, x]\n`,
    );
    // The bot's second message is the first one the page can use; its problems name its own field.
    expect(fallback.problems.map((p) => `${p.field}: ${p.message.slice(0, 30)}`)).toEqual([
      'messages[1]: too long to share on sms: 496/',
      'messages[1]: too long to share on x: 520/28',
    ]);
    const none = validate('share: {}\n');
    expect(none.problems.map((p) => p.message)).toEqual([
      'every campaign message uses a date or time, so the page has nothing to share',
    ]);
  });
});
