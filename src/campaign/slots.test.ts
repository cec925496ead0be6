import { describe, expect, it } from 'vitest';
import { campaignFromYaml } from '../../tests/_util.ts';
import { previewPosts } from './preview.ts';
import { nextSlotAt, nextSlots, slotsBetween } from './slots.ts';

function campaign(schedules: string, extra = ''): ReturnType<typeof campaignFromYaml> {
  return campaignFromYaml(`
name: Test
timezone: Europe/London
start: 2026-01-01T00:00
platforms: [x]
schedules:
${schedules}
messages: ["one {time}", "two {time}", "three {time}"]
${extra}`);
}

const iso = (d: { at: Date }) => d.at.toISOString();

describe('slots across daylight-saving changes (Europe/London)', () => {
  it('keeps a daily 09:00 slot at 09:00 local on both sides of the March change', () => {
    const c = campaign('  - cron: "0 9 * * *"');
    expect(nextSlots(c, new Date('2026-03-27T12:00:00Z'), 4).map(iso)).toEqual([
      '2026-03-28T09:00:00.000Z', // Saturday, GMT
      '2026-03-29T08:00:00.000Z', // Sunday, BST
      '2026-03-30T08:00:00.000Z',
      '2026-03-31T08:00:00.000Z',
    ]);
  });

  it('keeps a daily 09:00 slot at 09:00 local on both sides of the October change', () => {
    const c = campaign('  - cron: "0 9 * * *"');
    expect(nextSlots(c, new Date('2026-10-23T12:00:00Z'), 4).map(iso)).toEqual([
      '2026-10-24T08:00:00.000Z', // Saturday, BST
      '2026-10-25T09:00:00.000Z', // Sunday, GMT
      '2026-10-26T09:00:00.000Z',
      '2026-10-27T09:00:00.000Z',
    ]);
  });

  it('posts a slot that falls in the skipped hour once, moved forward by the gap', () => {
    const c = campaign('  - cron: "30 1 * * *"');
    const slots = nextSlots(c, new Date('2026-03-27T12:00:00Z'), 3);
    expect(slots.map(iso)).toEqual([
      '2026-03-28T01:30:00.000Z', // 01:30 GMT
      '2026-03-29T01:30:00.000Z', // 01:30 does not exist: 02:30 BST
      '2026-03-30T00:30:00.000Z', // 01:30 BST
    ]);
    const rows = previewPosts(c, new Date('2026-03-28T12:00:00Z'), 1);
    expect(rows[0]?.at).toBe('2026-03-29T02:30:00+01:00');
  });

  it('posts a slot in the repeated hour once, at its first occurrence', () => {
    const c = campaign('  - cron: "30 1 * * *"');
    const slots = slotsBetween(c, new Date('2026-10-24T12:00:00Z'), new Date('2026-10-25T12:00:00Z'));
    expect(slots.map(iso)).toEqual(['2026-10-25T00:30:00.000Z']);
  });

  it('never posts the same instant twice when a half-hourly schedule crosses the gap', () => {
    const c = campaign('  - cron: "*/30 * * * *"');
    const slots = slotsBetween(c, new Date('2026-03-29T00:00:00Z'), new Date('2026-03-29T03:00:00Z'));
    const times = slots.map(iso);
    expect(new Set(times).size).toBe(times.length);
    expect(times).toEqual([
      '2026-03-29T00:30:00.000Z',
      '2026-03-29T01:00:00.000Z',
      '2026-03-29T01:30:00.000Z',
      '2026-03-29T02:00:00.000Z',
      '2026-03-29T02:30:00.000Z',
      '2026-03-29T03:00:00.000Z',
    ]);
  });

  it('posts each wall-clock time of the repeated hour once', () => {
    const c = campaign('  - cron: "*/30 * * * *"');
    const slots = slotsBetween(c, new Date('2026-10-24T23:59:00Z'), new Date('2026-10-25T02:30:00Z'));
    expect(slots.map(iso)).toEqual([
      '2026-10-25T00:00:00.000Z', // 01:00 BST
      '2026-10-25T00:30:00.000Z', // 01:30 BST
      '2026-10-25T02:00:00.000Z', // 02:00 GMT (01:00 and 01:30 GMT are repeats)
      '2026-10-25T02:30:00.000Z',
    ]);
  });

  it('shows local time with the right offset on each side of the change in a preview', () => {
    const c = campaign('  - cron: "0 12 * * *"');
    const rows = previewPosts(c, new Date('2026-10-24T00:00:00Z'), 2);
    expect(rows.map((r) => r.at)).toEqual(['2026-10-24T12:00:00+01:00', '2026-10-25T12:00:00+00:00']);
    expect(rows.map((r) => r.utc)).toEqual(['2026-10-24T11:00:00.000Z', '2026-10-25T12:00:00.000Z']);
  });
});

describe('slot rules', () => {
  it('honours start and end', () => {
    const c = campaign('  - cron: "0 9 * * *"', 'end: 2026-01-03T12:00');
    expect(nextSlots(c, new Date('2025-12-01T00:00:00Z'), 10).map(iso)).toEqual([
      '2026-01-01T09:00:00.000Z',
      '2026-01-02T09:00:00.000Z',
      '2026-01-03T09:00:00.000Z',
    ]);
  });

  it('skips slots in quiet hours, also across midnight, without using up a message', () => {
    const c = campaign('  - cron: "0 */2 * * *"', 'quiet_hours: { from: "22:00", to: "07:00" }');
    const slots = slotsBetween(c, new Date('2026-01-05T00:00:00Z'), new Date('2026-01-06T00:00:00Z'));
    const hours = slots.map((s) => s.at.getUTCHours());
    expect(hours).toEqual([8, 10, 12, 14, 16, 18, 20]);
    expect(slots[1]!.index).toBe(slots[0]!.index + 1);
  });

  it('merges several schedules and one-off date-times without duplicates', () => {
    const c = campaign('  - cron: "0 9 * * *"\n  - at: ["2026-01-02T09:00", "2026-01-02T15:00"]');
    expect(
      slotsBetween(c, new Date('2026-01-01T12:00:00Z'), new Date('2026-01-03T00:00:00Z')).map(iso),
    ).toEqual(['2026-01-02T09:00:00.000Z', '2026-01-02T15:00:00.000Z']);
  });

  it('gives every slot a stable key and an index counted from the start', () => {
    const c = campaign('  - cron: "0 9 * * *"');
    const [slot] = nextSlots(c, new Date('2026-01-10T12:00:00Z'), 1);
    expect(slot).toMatchObject({ key: 'test@2026-01-11T09:00:00.000Z', index: 10, campaign: 'test' });
  });

  it('rotates messages in preview exactly as slots index them', () => {
    const c = campaign('  - cron: "0 9 * * *"');
    const rows = previewPosts(c, new Date('2026-01-01T00:00:00Z'), 4);
    expect(rows.map((r) => r.text)).toEqual(['one 09:00', 'two 09:00', 'three 09:00', 'one 09:00']);
  });
});

describe('nextSlotAt', () => {
  it('finds the same instant as nextSlots, from any point of a long campaign', () => {
    const c = campaign(
      '  - cron: "30 9 * * 1"\n  - cron: "0 18 1 * *"\n  - cron: "0 12 15 * *"',
      'quiet_hours: { from: "17:00", to: "19:00" }',
    );
    for (let day = 0; day < 400; day += 13) {
      const from = new Date(c.start.getTime() + day * 86_400_000 + 3_600_000);
      expect(nextSlotAt(c, from)?.toISOString(), `day ${day}`).toBe(
        nextSlots(c, from, 1)[0]?.at.toISOString(),
      );
    }
  });
});
