/**
 * The X adapter through the real twitter-api-v2 client against a local fake of the X API.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { measure } from '../src/campaign/limits.ts';
import { PlatformError } from '../src/platforms/errors.ts';
import type { PostRequest } from '../src/platforms/types.ts';
import { comparableText, XAdapter } from '../src/platforms/x/adapter.ts';
import { FAKE_X_CA, type FakeX, startFakeX } from './_fake-x.ts';

const CREDS = { appKey: 'ck-test', appSecret: 'cs-test', accessToken: 'at-test', accessSecret: 'as-test' };
const PNG = Uint8Array.from(
  Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
    'base64',
  ),
);

let fake: FakeX;
beforeAll(async () => {
  fake = await startFakeX(CREDS);
});
afterAll(async () => {
  await fake?.close();
});
afterEach(() => {
  fake.tweets.length = 0;
});

const adapter = (extra: Partial<ConstructorParameters<typeof XAdapter>[0]> = {}) =>
  new XAdapter({ credentials: CREDS, baseUrl: fake.url, caCertificate: FAKE_X_CA, ...extra });
const request = (text: string, extra: Partial<PostRequest> = {}): PostRequest => ({
  campaign: 'test',
  slotKey: `test@${text}`,
  slotAt: new Date(Date.now() - 60_000),
  platform: 'x',
  messageIndex: 0,
  text,
  lang: 'en',
  measure: measure(text, 'x'),
  ...extra,
});

describe('XAdapter against a local fake X API', () => {
  it('listens on 127.0.0.1 and posts signed requests through twitter-api-v2', async () => {
    expect(fake.address).toBe('127.0.0.1');
    const text = 'We stand together with Belgium 🇧🇪 #WeStandTogether — report hate on 101, 999 if urgent.';
    const post = await adapter().post(request(text));
    expect(fake.tweets).toHaveLength(1);
    expect(fake.tweets[0]).toMatchObject({ id: post.remoteId, text });
    expect(fake.tweets[0]?.reply_settings).toBeUndefined();
    expect(post.url).toBe(`https://x.com/i/web/status/${post.remoteId}`);
    expect(post.existed).toBe(false);
  });

  it('sets reply_settings from the campaign policy (none for everyone)', async () => {
    await adapter().post(request('Open to all', { replyPolicy: 'everyone' }));
    await adapter().post(request('Following only', { replyPolicy: 'following' }));
    await adapter().post(request('Mentioned only', { replyPolicy: 'mentioned' }));
    expect(fake.tweets.map((t) => t.reply_settings)).toEqual([undefined, 'following', 'mentionedUsers']);
  });

  it('uploads images with v2 media upload and sets their alt text', async () => {
    const post = await adapter().post(
      request('With an image #LoveNotHate', {
        images: [{ data: PNG, mimeType: 'image/png', alt: 'Hands holding a candle' }],
      }),
    );
    const tweet = fake.tweets.find((t) => t.id === post.remoteId)!;
    expect(tweet.media_ids).toHaveLength(1);
    expect(fake.media.get(tweet.media_ids![0]!)).toMatchObject({
      type: 'image/png',
      bytes: PNG.length,
      alt: 'Hands holding a candle',
    });
    await expect(
      adapter().post(request('No alt', { images: [{ data: PNG, mimeType: 'image/png', alt: '' }] })),
    ).rejects.toMatchObject({ kind: 'rejected' });
  });

  it('turns wrong credentials (401) into X_AUTH_FAILED naming the env vars, exit code 4', async () => {
    const bad = adapter({ credentials: { ...CREDS, accessSecret: 'wrong' } });
    const error = await bad.post(request('Should not post')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PlatformError);
    expect(error).toMatchObject({ kind: 'auth', code: 'X_AUTH_FAILED', exitCode: 4, status: 401 });
    for (const name of ['X_API_KEY', 'X_API_SECRET', 'X_ACCESS_TOKEN', 'X_ACCESS_SECRET']) {
      expect((error as PlatformError).hint).toContain(name);
    }
    expect(fake.tweets).toHaveLength(0);
    expect((await bad.checkCredentials()).ok).toBe(false);
    expect(await adapter().checkCredentials()).toMatchObject({ ok: true, account: '@westandtogether' });
  });

  it('reads the reset time from a 429 and reports the rate-limit state', async () => {
    const reset = Math.floor(Date.now() / 1000) + 600;
    fake.fault('POST /2/tweets', { status: 429, resetEpochSeconds: reset });
    const x = adapter();
    const error = (await x.post(request('Rate limited')).catch((e: unknown) => e)) as PlatformError;
    expect(error).toMatchObject({ kind: 'rate-limited', code: 'RATE_LIMITED' });
    expect(error.retryAt?.getTime()).toBe(reset * 1000);
    expect(x.rateLimit()?.limitedUntil).toBe(new Date(reset * 1000).toISOString());
    await x.post(request('After the reset'));
    expect(x.rateLimit()).toMatchObject({ limit: 100, remaining: 99 });
  });

  it('treats 503 and slow answers as transient', async () => {
    fake.fault('POST /2/tweets', { status: 503 });
    await expect(adapter().post(request('Service down'))).rejects.toMatchObject({
      kind: 'transient',
      status: 503,
    });
    fake.fault('POST /2/tweets', { delayMs: 1_500 });
    await expect(adapter({ timeoutMs: 200 }).post(request('Slow'))).rejects.toMatchObject({
      kind: 'transient',
    });
  });

  it('treats the duplicate-content 403 as already posted and finds the post (t.co links, &amp;)', async () => {
    const text = 'Love & solidarity <3 — report at https://www.report-it.org.uk #NoToHateCrime';
    const first = await adapter().post(request(text));
    // A restart after a crash: X refuses the same text, the adapter looks it up instead.
    const again = await adapter().post(request(text));
    expect(again).toMatchObject({ remoteId: first.remoteId, existed: true });
    expect(fake.tweets).toHaveLength(1);
    expect(fake.requests.some((r) => r.path === '/2/tweets' && r.status === 403)).toBe(true);
  });

  it('reports a duplicate it cannot find as a duplicate, never a new post', async () => {
    fake.fault('POST /2/tweets', {
      status: 403,
      body: {
        title: 'Forbidden',
        detail: 'You are not allowed to create a Tweet with duplicate content.',
        status: 403,
      },
    });
    const error = await adapter()
      .post(request('Posted long ago'))
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'duplicate' });
  });

  it('finds a post whose response was lost (503 after the write) with lookup', async () => {
    fake.fault('POST /2/tweets', { status: 503, afterWrite: true });
    const req = request('Made it despite the error');
    await expect(adapter().post(req)).rejects.toMatchObject({ kind: 'transient' });
    const found = await adapter().lookup(req);
    expect(found?.remoteId).toBe(fake.tweets[0]?.id);
    expect(await adapter().lookup(request('Never posted'))).toBeUndefined();
  });

  it('compares texts the way X shows them', () => {
    expect(comparableText('A &amp; B https://t.co/xyz')).toBe(
      comparableText('A & B  https://example.org/long/path'),
    );
  });
});
