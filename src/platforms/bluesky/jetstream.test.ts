import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseJetstreamMessage } from './jetstream.ts';

const tags = new Set(['westandtogether']);
const at = '2026-11-25T10:00:00.000Z';

function post(record: Record<string, unknown>, operation = 'create') {
  return JSON.stringify({
    did: 'did:plc:abc',
    time_us: 1_764_000_000_000_000,
    kind: 'commit',
    commit: { rev: 'r', operation, collection: 'app.bsky.feed.post', rkey: '3labc', record, cid: 'c' },
  });
}

describe('Jetstream messages', () => {
  it('never throws, whatever arrives on the socket', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.json(),
          fc.jsonValue().map((v) => JSON.stringify(v)),
        ),
        (raw) => {
          const parsed = parseJetstreamMessage(raw, tags, at);
          expect(['mention', 'other', 'malformed']).toContain(parsed.kind);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('takes tags from the record tags field too, and ignores updates and deletes', () => {
    const viaTags = parseJetstreamMessage(
      post({ text: 'no tag in text', createdAt: at, tags: ['WeStandTogether'] }),
      tags,
      at,
    );
    expect(viaTags.kind).toBe('mention');
    expect(
      parseJetstreamMessage(post({ text: '#WeStandTogether', createdAt: at }, 'update'), tags, at).kind,
    ).toBe('other');
    expect(
      parseJetstreamMessage(post({ text: '#WeStandTogether', createdAt: at }, 'delete'), tags, at).kind,
    ).toBe('other');
    expect(parseJetstreamMessage(post({ createdAt: at }), tags, at)).toMatchObject({
      kind: 'malformed',
      timeUs: 1_764_000_000_000_000,
    });
  });

  it('reads a quote inside a record-with-media embed', () => {
    const parsed = parseJetstreamMessage(
      post({
        text: 'look #WeStandTogether',
        createdAt: at,
        embed: {
          $type: 'app.bsky.embed.recordWithMedia',
          record: { record: { uri: 'at://did:plc:x/app.bsky.feed.post/1', cid: 'c' } },
        },
      }),
      tags,
      at,
    );
    expect(parsed.kind === 'mention' && parsed.mention.quoteOf).toBe('at://did:plc:x/app.bsky.feed.post/1');
  });
});
