/**
 * The Mastodon adapter through the real masto.js client against a local fake instance: text,
 * language, visibility, content warning, images with descriptions, the instance's limits,
 * Idempotency-Key on every status, rate limits, and the errors the scheduler acts on.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { measure } from '../src/campaign/limits.ts';
import { PlatformError } from '../src/platforms/errors.ts';
import { idempotencyKey, MastodonAdapter } from '../src/platforms/mastodon/adapter.ts';
import { measureMastodon } from '../src/platforms/mastodon/platform.ts';
import { htmlToText } from '../src/platforms/mastodon/text.ts';
import type { PostRequest } from '../src/platforms/types.ts';
import { type FakeMastodon, startFakeMastodon } from './_fake-mastodon.ts';

const PNG = Uint8Array.from(
  Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
    'base64',
  ),
);

let fake: FakeMastodon;
beforeAll(async () => {
  fake = await startFakeMastodon({ maxCharacters: 120 });
});
afterAll(async () => {
  await fake?.close();
});
afterEach(() => {
  fake.statuses.length = 0;
  fake.requests.length = 0;
});

const adapter = (extra: Partial<ConstructorParameters<typeof MastodonAdapter>[0]> = {}) =>
  new MastodonAdapter({ url: fake.url, accessToken: fake.token, ...extra });
const request = (text: string, extra: Partial<PostRequest> = {}): PostRequest => ({
  campaign: 'test',
  slotKey: `test@${text}`,
  slotAt: new Date(Date.now() - 60_000),
  platform: 'mastodon',
  messageIndex: 0,
  text,
  lang: 'en',
  measure: measure(text, 'mastodon'),
  ...extra,
});

describe('MastodonAdapter against a local fake instance', () => {
  it('posts text with language, visibility and a content warning, and an Idempotency-Key', async () => {
    const text = 'We stand together 🇧🇪 #WeStandTogether\nReport hate: https://example.org/report';
    const post = await adapter().post(
      request(text, { lang: 'fr-BE', visibility: 'unlisted', spoilerText: 'Hate crime' }),
    );
    expect(fake.statuses).toHaveLength(1);
    const status = fake.statuses[0]!;
    expect(status).toMatchObject({
      id: post.remoteId,
      text,
      language: 'fr',
      visibility: 'unlisted',
      spoilerText: 'Hate crime',
      tags: ['westandtogether'],
    });
    expect(status.idempotencyKey).toBe(idempotencyKey(request(text)));
    expect(post.url).toBe(`${fake.url}/@westandtogether/${post.remoteId}`);
    expect(post.existed).toBe(false);
    // The HTML Mastodon serves reads back as the text that was sent.
    expect(htmlToText(status.content)).toBe(text);
  });

  it('uses the configured default visibility when the campaign sets none', async () => {
    await adapter().post(request('Default visibility #WeStandTogether'));
    await adapter({ visibility: 'private' }).post(request('Followers only #WeStandTogether'));
    expect(fake.statuses.map((s) => s.visibility)).toEqual(['public', 'private']);
  });

  it('uploads an image with its description and attaches it', async () => {
    const post = await adapter().post(
      request('With a picture', {
        images: [{ data: PNG, mimeType: 'image/png', alt: 'Candles and flowers at the memorial' }],
      }),
    );
    const status = fake.statuses.find((s) => s.id === post.remoteId)!;
    expect(status.mediaIds).toHaveLength(1);
    expect(fake.media.get(status.mediaIds[0]!)).toMatchObject({
      description: 'Candles and flowers at the memorial',
      type: 'image/png',
      bytes: PNG.length,
    });
  });

  it('refuses an image without alt text before anything is sent', async () => {
    const error = await adapter()
      .post(request('No alt', { images: [{ data: PNG, mimeType: 'image/png', alt: '  ' }] }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PlatformError);
    expect((error as PlatformError).kind).toBe('rejected');
    expect(fake.requests).toHaveLength(0);
  });

  it('reads the instance limits, and the instance refuses a post over them (422, rejected)', async () => {
    const info = await adapter().instanceInfo();
    expect(info.limits).toEqual({ maxCharacters: 120, charactersReservedPerUrl: 23 });
    expect(info.streamingUrl).toBe(fake.url.replace(/^http/, 'ws'));
    // 100 letters and a long URL: 124 counted against this instance's 120, though 170 characters.
    const long = `${'a'.repeat(100)} https://example.org/${'p'.repeat(50)}`;
    expect(measureMastodon(long, info.limits)).toMatchObject({ length: 124, limit: 120, fits: false });
    const error = await adapter()
      .post(request(long))
      .catch((e: unknown) => e);
    expect((error as PlatformError).kind).toBe('rejected');
    expect((error as PlatformError).status).toBe(422);
    expect((error as PlatformError).message).toMatch(/character limit of 120/);
    expect(fake.statuses).toHaveLength(0);
    // The URL counts 23 whatever its length: a shorter text with the same URL fits.
    const fits = `${'a'.repeat(90)} https://example.org/${'p'.repeat(50)}`;
    expect(measureMastodon(fits, info.limits).fits).toBe(true);
    await adapter().post(request(fits));
    expect(fake.statuses).toHaveLength(1);
    expect(measureMastodon(long).fits).toBe(true);
  });

  it('a retry after a lost answer returns the same status (Idempotency-Key), never a second', async () => {
    fake.fault('POST /api/v1/statuses', { status: 503, afterWrite: true });
    const first = await adapter()
      .post(request('Lost answer #WeStandTogether'))
      .catch((e: unknown) => e);
    expect((first as PlatformError).kind).toBe('transient');
    expect(fake.statuses).toHaveLength(1);
    const retry = await adapter().post(request('Lost answer #WeStandTogether'));
    expect(fake.statuses).toHaveLength(1);
    expect(retry.remoteId).toBe(fake.statuses[0]!.id);
    // Another slot with the same text is another post.
    await adapter().post(request('Lost answer #WeStandTogether', { slotKey: 'test@another-slot' }));
    expect(fake.statuses).toHaveLength(2);
  });

  it('finds its own earlier status by text after a crash, and nothing for a post never made', async () => {
    const made = await adapter().post(request('Found again https://example.org/a-long-link-here #Tag'));
    fake.publish({ text: 'Someone else #Tag' });
    const found = await adapter().lookup(request('Found again https://example.org/a-long-link-here #Tag'));
    expect(found).toMatchObject({ remoteId: made.remoteId, existed: true, url: made.url });
    expect(await adapter().lookup(request('Never posted #Tag'))).toBeUndefined();
  });

  it('reports rate limits from the headers, and a 429 with the reset to wait for', async () => {
    const a = adapter();
    await a.post(request('Counted #WeStandTogether'));
    expect(a.rateLimit()).toMatchObject({ limit: 300 });
    expect(a.rateLimit()?.remaining).toBeLessThan(300);
    const resetAt = new Date(Date.now() + 90_000);
    fake.fault('POST /api/v1/statuses', { status: 429, resetAt });
    const error = (await a.post(request('Limited')).catch((e: unknown) => e)) as PlatformError;
    expect(error.kind).toBe('rate-limited');
    expect(error.code).toBe('RATE_LIMITED');
    expect(error.retryAt?.getTime()).toBe(Math.floor(resetAt.getTime()));
    expect(a.rateLimit()?.limitedUntil).toBe(resetAt.toISOString());
  });

  it('checks the token: the account when accepted, auth with the env names when rejected', async () => {
    const ok = await adapter().checkCredentials();
    expect(ok).toMatchObject({ ok: true, account: `@westandtogether@${new URL(fake.url).host}` });
    const bad = await adapter({ accessToken: 'wrong' }).checkCredentials();
    expect(bad).toMatchObject({ ok: false, problem: 'auth' });
    expect(bad.hint).toMatch(/MASTODON_ACCESS_TOKEN/);
    const error = (await adapter({ accessToken: 'wrong' })
      .post(request('Not allowed'))
      .catch((e: unknown) => e)) as PlatformError;
    expect(error.kind).toBe('auth');
    expect(error.code).toBe('MASTODON_AUTH_FAILED');
  });

  it('maps a server error to transient and an unreachable instance to unreachable', async () => {
    fake.fault('POST /api/v1/statuses', { status: 502 });
    const error = (await adapter()
      .post(request('Server trouble'))
      .catch((e: unknown) => e)) as PlatformError;
    expect(error.kind).toBe('transient');
    expect(fake.statuses).toHaveLength(0);
    const gone = await new MastodonAdapter({
      url: 'http://127.0.0.1:9',
      accessToken: 'x',
    }).checkCredentials();
    expect(gone).toMatchObject({ ok: false, problem: 'unreachable' });
  });
});
