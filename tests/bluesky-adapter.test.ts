/**
 * The Bluesky adapter against a real PDS from @atproto/dev-env, bound to 127.0.0.1.
 */

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { AtpAgent } from '@atproto/api';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { measure } from '../src/campaign/limits.ts';
import { loadCampaign, loadCampaigns } from '../src/campaign/load.ts';
import { renderPost } from '../src/campaign/render.ts';
import type { Campaign, Platform } from '../src/campaign/schema.ts';
import { nextSlots } from '../src/campaign/slots.ts';
import { BlueskyAdapter } from '../src/platforms/bluesky/adapter.ts';
import { recordKeyFor } from '../src/platforms/bluesky/record-key.ts';
import { PlatformError } from '../src/platforms/errors.ts';
import { type PostRequest, postKey } from '../src/platforms/types.ts';
import { requestFor } from '../src/scheduler/publish.ts';
import { type LocalPds, startLocalPds } from './_pds.ts';

/** The small key/value part of the store, kept in a Map that outlives adapter instances. */
function memoryState() {
  const map = new Map<string, unknown>();
  return {
    map,
    getState: async <T>(key: string) => map.get(key) as T | undefined,
    setState: async <T>(key: string, value: T) => {
      map.set(key, structuredClone(value));
    },
  };
}

// A 1×1 PNG.
const PNG = Uint8Array.from(
  Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
    'base64',
  ),
);

let pds: LocalPds;
let reader: AtpAgent;
let did: string;
const HANDLE = 'organiser.test';
const PASSWORD = 'app-pass-1234';

beforeAll(async () => {
  pds = await startLocalPds({ rateLimits: true });
  ({ did } = await pds.createAccount(HANDLE, PASSWORD));
  await pds.createAccount('supporter42.test', 'supporter-pass-1234');
  reader = new AtpAgent({ service: pds.url });
});

afterAll(async () => {
  await pds?.close();
});

/** The organiser's account on the local PDS; adapters given one `state` share its saved session. */
function organiserAdapter(state = memoryState()): BlueskyAdapter {
  return new BlueskyAdapter({ service: pds.url, identifier: HANDLE, password: PASSWORD, state });
}

function request(text: string, key: string, extra: Partial<PostRequest> = {}): PostRequest {
  return {
    campaign: 'test',
    slotKey: key,
    slotAt: new Date('2026-03-22T09:00:00Z'),
    platform: 'bluesky',
    messageIndex: 0,
    text,
    lang: 'en',
    measure: measure(text, 'bluesky'),
    ...extra,
  };
}

async function readPost(remoteId: string) {
  const [, , repo, collection, rkey] = remoteId.split('/') as [string, string, string, string, string];
  const res = await reader.com.atproto.repo.getRecord({ repo, collection, rkey });
  return res.data.value as Record<string, unknown> & {
    text: string;
    langs?: string[];
    facets?: Array<{
      index: { byteStart: number; byteEnd: number };
      features: Array<Record<string, string>>;
    }>;
    embed?: Record<string, unknown>;
  };
}

/** The UTF-8 byte range of `part` inside `text`, measured independently of the SDK. */
function byteRange(text: string, part: string): { byteStart: number; byteEnd: number } {
  const at = text.indexOf(part);
  expect(at).toBeGreaterThanOrEqual(0);
  const byteStart = Buffer.byteLength(text.slice(0, at), 'utf8');
  return { byteStart, byteEnd: byteStart + Buffer.byteLength(part, 'utf8') };
}

describe('local PDS harness', () => {
  it('binds the PDS and PLC servers to 127.0.0.1 only, in a per-run data folder', () => {
    expect(pds.boundAddresses.length).toBeGreaterThanOrEqual(2);
    for (const address of pds.boundAddresses) expect(address).toBe('127.0.0.1');
    expect(pds.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(pds.dataDir).toContain('solidarity-pds-');
  });
});

describe('BlueskyAdapter against a real PDS', () => {
  const state = memoryState();
  const adapter = () => organiserAdapter(state);

  it('posts text with hashtag, link and mention facets at correct byte offsets (emoji, non-ASCII)', async () => {
    const text =
      'Nous sommes unis 🇧🇪❤️ — Brüssel, we stand with you. #WeStandTogether #SolidaritéBelgique ' +
      'Report hate on 101 (999 if urgent). https://example.org/report-hate thanks @supporter42.test';
    const post = await adapter().post(request(text, 'westandtogether:2026-03-22T09:00:00Z:bluesky'));
    expect(post.url).toMatch(new RegExp(`/profile/${did}/post/`));
    const record = await readPost(post.remoteId);
    expect(record.text).toBe(text);
    expect(record.langs).toEqual(['en']);
    const facets = record.facets ?? [];
    const find = (kind: string) =>
      facets.filter((f) => f.features[0]?.$type === `app.bsky.richtext.facet#${kind}`);
    expect(find('tag').map((f) => f.features[0]?.tag)).toEqual(['WeStandTogether', 'SolidaritéBelgique']);
    expect(find('tag')[0]?.index).toEqual(byteRange(text, '#WeStandTogether'));
    expect(find('tag')[1]?.index).toEqual(byteRange(text, '#SolidaritéBelgique'));
    expect(find('link')[0]?.features[0]?.uri).toBe('https://example.org/report-hate');
    expect(find('link')[0]?.index).toEqual(byteRange(text, 'https://example.org/report-hate'));
    expect(find('mention')[0]?.index).toEqual(byteRange(text, '@supporter42.test'));
    expect(find('mention')[0]?.features[0]?.did).toMatch(/^did:plc:/);
    // The emoji before the tags moves the byte offsets away from the UTF-16 ones.
    expect(find('tag')[0]?.index.byteStart).not.toBe(text.indexOf('#WeStandTogether'));
  });

  it('posts every message of the sample campaigns with matching text, langs and facets', async () => {
    const campaigns = loadCampaigns(resolve('campaigns'));
    expect(campaigns.length).toBeGreaterThanOrEqual(2);
    let posted = 0;
    for (const campaign of campaigns) {
      const seen = new Set<number>();
      for (const slot of nextSlots(
        campaign,
        new Date(campaign.start.getTime() - 1),
        campaign.messages.length * 3,
      )) {
        const draft = renderPost(campaign, slot, 'bluesky');
        if (seen.has(draft.messageIndex)) continue;
        seen.add(draft.messageIndex);
        const post = await adapter().post(draft);
        const record = await readPost(post.remoteId);
        expect(record.text).toBe(draft.text);
        expect(record.langs).toEqual([campaign.language]);
        const tags = [...draft.text.matchAll(/#([\p{L}\p{N}_]+)/gu)].map((m) => m[0]);
        const urls = [...draft.text.matchAll(/https?:\/\/\S+/g)].map((m) => m[0].replace(/[.,)]+$/, ''));
        const facets = record.facets ?? [];
        for (const tag of tags) {
          const facet = facets.find((f) => f.features[0]?.tag === tag.slice(1));
          expect(facet?.index, `${campaign.id} ${tag}`).toEqual(byteRange(draft.text, tag));
        }
        for (const url of urls) {
          const facet = facets.find((f) => f.features[0]?.uri === url);
          expect(facet?.index, `${campaign.id} ${url}`).toEqual(byteRange(draft.text, url));
        }
        expect(facets).toHaveLength(tags.length + urls.length);
        posted++;
      }
      expect(seen.size).toBe(campaign.messages.length);
    }
    expect(posted).toBeGreaterThanOrEqual(6);
  });

  it('writes a threadgate (followed accounts only by default) on the same record key', async () => {
    const req = request('Gate test #NoToHateCrime', 'notohate:gate:bluesky');
    const post = await adapter().post(req);
    const rkey = recordKeyFor(postKey(req), req.slotAt);
    expect(post.remoteId.endsWith(`/${rkey}`)).toBe(true);
    const gate = await reader.com.atproto.repo.getRecord({
      repo: did,
      collection: 'app.bsky.feed.threadgate',
      rkey,
    });
    expect(gate.data.value).toMatchObject({
      post: post.remoteId,
      allow: [{ $type: 'app.bsky.feed.threadgate#followingRule' }],
    });
  });

  it('writes no threadgate when the campaign allows everyone, and "nobody" gives an empty allow list', async () => {
    const open = await adapter().post(request('Open replies', 'open:1:bluesky', { replyPolicy: 'everyone' }));
    const rkey = open.remoteId.split('/').pop()!;
    await expect(
      reader.com.atproto.repo.getRecord({ repo: did, collection: 'app.bsky.feed.threadgate', rkey }),
    ).rejects.toThrow();
    const closed = await adapter().post(request('No replies', 'closed:1:bluesky', { replyPolicy: 'nobody' }));
    const gate = await reader.com.atproto.repo.getRecord({
      repo: did,
      collection: 'app.bsky.feed.threadgate',
      rkey: closed.remoteId.split('/').pop()!,
    });
    expect((gate.data.value as { allow: unknown[] }).allow).toEqual([]);
  });

  it('uploads images with their alt text, and refuses an image without alt text', async () => {
    const post = await adapter().post(
      request('With a picture #LoveNotHate', 'img:1:bluesky', {
        images: [{ data: PNG, mimeType: 'image/png', alt: 'A heart in the colours of the Belgian flag' }],
      }),
    );
    const record = await readPost(post.remoteId);
    const embed = record.embed as { $type: string; images: Array<{ alt: string; image: { ref: unknown } }> };
    expect(embed.$type).toBe('app.bsky.embed.images');
    expect(embed.images[0]?.alt).toBe('A heart in the colours of the Belgian flag');
    expect(embed.images[0]?.image.ref).toBeTruthy();

    const refused = adapter().post(
      request('No alt', 'img:2:bluesky', { images: [{ data: PNG, mimeType: 'image/png', alt: ' ' }] }),
    );
    await expect(refused).rejects.toBeInstanceOf(PlatformError);
    await expect(refused).rejects.toMatchObject({ kind: 'rejected' });
  });

  it('adds a link card when asked', async () => {
    const post = await adapter().post(
      request('Read more https://example.org/no-to-hate', 'card:1:bluesky', {
        link: {
          url: 'https://example.org/no-to-hate',
          title: 'No to Hate Crime',
          description: 'How to report',
        },
      }),
    );
    const record = await readPost(post.remoteId);
    expect(record.embed).toMatchObject({
      $type: 'app.bsky.embed.external',
      external: { uri: 'https://example.org/no-to-hate', title: 'No to Hate Crime' },
    });
  });

  it('never writes a second post for the same key (retry after a crash), and lookup finds it', async () => {
    const req = request('Exactly once #WeStandTogether', 'once:1:bluesky');
    const fresh = adapter();
    expect(await fresh.lookup(req)).toBeUndefined();
    const first = await fresh.post(req);
    const again = await adapter().post(req);
    expect(again.remoteId).toBe(first.remoteId);
    expect(again.existed).toBe(true);
    expect((await adapter().lookup(req))?.remoteId).toBe(first.remoteId);
    const list = await reader.com.atproto.repo.listRecords({
      repo: did,
      collection: 'app.bsky.feed.post',
      limit: 100,
    });
    expect(list.data.records.filter((r) => (r.value as { text: string }).text === req.text)).toHaveLength(1);
  });

  it('logs in once, then resumes the saved session across restarts without createSession', async () => {
    const sessions = memoryState();
    const make = () => organiserAdapter(sessions);
    const count = (path: string) => pds.calls.filter((c) => c === path).length;
    const createBefore = count('com.atproto.server.createSession');
    const first = make();
    for (let i = 0; i < 3; i++) await first.post(request(`Run one, post ${i}`, `session:a:${i}`));
    await first.close();
    expect(first.logins).toBe(1);
    expect(count('com.atproto.server.createSession') - createBefore).toBe(1);
    // The start line says which happened.
    expect((await make().checkCredentials()).message).toMatch(/^resumed the saved session of @/);
    const saved = [...sessions.map.values()][0] as { refreshJwt: string; did: string };
    expect(saved.did).toBe(did);

    const refreshBefore = count('com.atproto.server.refreshSession');
    for (let run = 0; run < 2; run++) {
      const restarted = make();
      for (let i = 0; i < 2; i++)
        await restarted.post(request(`Run ${run + 2}, post ${i}`, `session:b${run}:${i}`));
      await restarted.close();
      expect(restarted.logins).toBe(0);
    }
    expect(count('com.atproto.server.createSession') - createBefore).toBe(1);
    expect(count('com.atproto.server.refreshSession') - refreshBefore).toBe(2);
    // Refresh tokens rotate: the stored one is the newest.
    expect(([...sessions.map.values()][0] as { refreshJwt: string }).refreshJwt).not.toBe(saved.refreshJwt);
  });

  it('logs in again once when the saved session was revoked, and carries on posting', async () => {
    const sessions = memoryState();
    const make = () => organiserAdapter(sessions);
    const first = make();
    await first.post(request('Before the revocation', 'revoke:1'));
    await first.close();
    const saved = [...sessions.map.values()][0] as { refreshJwt: string };
    const revoked = await fetch(`${pds.url}/xrpc/com.atproto.server.deleteSession`, {
      method: 'POST',
      headers: { authorization: `Bearer ${saved.refreshJwt}` },
    });
    expect(revoked.ok).toBe(true);
    const creates = () => pds.calls.filter((c) => c === 'com.atproto.server.createSession').length;
    const before = creates();
    const next = make();
    const post = await next.post(request('After the revocation', 'revoke:2'));
    await next.close();
    expect((await readPost(post.remoteId)).text).toBe('After the revocation');
    expect(next.logins).toBe(1);
    expect(creates() - before).toBe(1);
  });

  it('reports a wrong app password as BLUESKY_AUTH_FAILED naming the env vars', async () => {
    const bad = new BlueskyAdapter({
      service: pds.url,
      identifier: HANDLE,
      password: 'wrong',
      state: memoryState(),
    });
    const check = await bad.checkCredentials();
    expect(check.ok).toBe(false);
    const error = await bad.post(request('x', 'bad:1:bluesky')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PlatformError);
    expect(error).toMatchObject({ kind: 'auth', code: 'BLUESKY_AUTH_FAILED', exitCode: 4 });
    expect((error as PlatformError).hint).toContain('BLUESKY_APP_PASSWORD');
  });

  it('turns the PDS 429 on createSession into rate-limited with the ratelimit-reset time', async () => {
    await pds.createAccount('limited42.test', 'limited-pass-1234');
    // The PDS allows 30 logins per 5 minutes per account; use them up.
    let last: Response | undefined;
    for (let i = 0; i < 31; i++) {
      last = await fetch(`${pds.url}/xrpc/com.atproto.server.createSession`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ identifier: 'limited42.test', password: 'wrong' }),
      });
      if (last.status === 429) break;
    }
    expect(last?.status).toBe(429);
    const reset = Number(last?.headers.get('ratelimit-reset'));
    const limited = new BlueskyAdapter({
      service: pds.url,
      identifier: 'limited42.test',
      password: 'limited-pass-1234',
      state: memoryState(),
    });
    const error = (await limited
      .post(request('Limited', 'limited:1:bluesky'))
      .catch((e: unknown) => e)) as PlatformError;
    expect(error).toMatchObject({ kind: 'rate-limited', code: 'RATE_LIMITED', status: 429 });
    expect(error.retryAt?.getTime()).toBe(reset * 1000);
    expect(limited.rateLimit()?.limitedUntil).toBe(new Date(reset * 1000).toISOString());
  });

  it('reports good credentials with the handle', async () => {
    const check = await adapter().checkCredentials();
    expect(check).toMatchObject({ ok: true, account: HANDLE });
  });
});

describe('campaign message images', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'solidarity-image-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  /** Writes a campaign file into this test's folder; returns its path. */
  function writeCampaign(name: string, lines: string[]): string {
    const file = join(dir, name);
    writeFileSync(file, lines.join('\n'));
    return file;
  }

  /** The post request for the first slot (from 22 March 2026 08:00 UTC) on `platform`. */
  function firstRequest(campaign: Campaign, platform: Platform): PostRequest {
    const [slot] = nextSlots(campaign, new Date('2026-03-22T08:00:00Z'), 1);
    return requestFor(campaign, renderPost(campaign, slot!, platform));
  }

  it('posts a message image from the campaign file with its alt text', async () => {
    writeFileSync(join(dir, 'heart.png'), PNG);
    const file = writeCampaign('pictured.yaml', [
      'id: pictured',
      'name: Pictured',
      'timezone: Europe/London',
      'start: 2026-03-22T09:00',
      'platforms: [bluesky]',
      'schedules:',
      '  - at: ["2026-03-22T09:00"]',
      'messages:',
      '  - text: "A heart for Brussels #WeStandTogether"',
      '    image: { file: heart.png, alt: "A red heart drawn over the Brussels skyline" }',
    ]);
    const request = firstRequest(loadCampaign(file), 'bluesky');
    expect(request.images?.[0]).toMatchObject({
      mimeType: 'image/png',
      alt: 'A red heart drawn over the Brussels skyline',
    });
    const post = await organiserAdapter().post(request);
    const record = await readPost(post.remoteId);
    expect(record.embed).toMatchObject({
      $type: 'app.bsky.embed.images',
      images: [{ alt: 'A red heart drawn over the Brussels skyline' }],
    });
  });

  it('shows the first link of a post as a card when the campaign asks for one', async () => {
    const file = writeCampaign('carded.yaml', [
      'id: carded',
      'name: Carded',
      'timezone: Europe/London',
      'start: 2026-03-22T09:00',
      'platforms: [bluesky, x]',
      'schedules:',
      '  - at: ["2026-03-22T09:00"]',
      'links: { report: "https://www.report-it.org.uk/" }',
      'messages:',
      '  - "Report every hate incident: {link.report}. #NoToHateCrime"',
      'overrides:',
      '  bluesky:',
      '    link_card: { title: "True Vision: report hate crime", description: "Report online, anonymously if you prefer." }',
    ]);
    const campaign = loadCampaign(file);
    expect(firstRequest(campaign, 'x').link).toBeUndefined();
    const post = await organiserAdapter().post(firstRequest(campaign, 'bluesky'));
    const record = await readPost(post.remoteId);
    expect(record.embed).toMatchObject({
      $type: 'app.bsky.embed.external',
      external: {
        uri: 'https://www.report-it.org.uk/',
        title: 'True Vision: report hate crime',
        description: 'Report online, anonymously if you prefer.',
      },
    });
  });

  it('refuses a campaign image without alt text, or whose file is missing, naming the line', () => {
    const problems = (image: string) => {
      const file = writeCampaign('broken.yaml', [
        'name: Broken',
        'timezone: Europe/London',
        'start: 2026-03-22T09:00',
        'platforms: [bluesky]',
        'schedules:',
        '  - cron: "0 9 * * *"',
        'messages:',
        '  - text: "First #WeStandTogether"',
        `    image: ${image}`,
        '  - "Second #WeStandTogether"',
      ]);
      try {
        loadCampaign(file);
      } catch (e) {
        return e as { code: string; details: string[] };
      }
      return undefined;
    };
    const noAlt = problems('{ file: heart.png, alt: "  " }');
    expect(noAlt?.code).toBe('CAMPAIGN_INVALID');
    expect(noAlt?.details.join('\n')).toMatch(/broken\.yaml:9:\d+ .*alt text is required/);
    const missing = problems('{ file: missing.png, alt: "Described" }');
    expect(missing?.details.join('\n')).toMatch(/broken\.yaml:9:\d+ .*image file "missing\.png" not found/);
    writeFileSync(join(dir, 'big.png'), new Uint8Array(1_000_001));
    const big = problems('{ file: big.png, alt: "Described" }');
    expect(big?.details.join('\n')).toMatch(/image is 1000001 bytes; the limit is 1000000/);
  });
});
