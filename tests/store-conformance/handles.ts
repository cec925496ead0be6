/**
 * Handles beside each other, as the bot, the dashboard and CLI commands hold them: a read view
 * refuses changes and catches up on refresh(); a command's change reaches the running bot; a view
 * beside a writer in another process only ever sees the data move forward.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { at, flag, mentionEvent } from '../store-fixtures.ts';
import { type Conformance, collect } from './harness.ts';

const CHILD = join(import.meta.dirname, 'writer-child.ts');

export function handleTests(suite: Conformance): void {
  describe('handles', () => {
    it('a read view refuses changes', async () => {
      const data = await suite.data();
      await (await data.open('bot')).close();
      const reader = await data.open('read');
      expect(reader.access).toBe('read-only');
      await expect(reader.setCursor('a', 'b')).rejects.toThrow(/read-only/);
      await expect(reader.append(mentionEvent(1, at(0)))).rejects.toThrow(/read-only/);
      await expect(reader.addFlag(flag(1, at(0)))).rejects.toThrow(/read-only/);
    });

    it('a read view catches up on refresh()', async () => {
      const data = await suite.data();
      const bot = await data.open('bot');
      await bot.setCursor('a', '1');
      await bot.flush();
      const reader = await data.open('read');
      expect(await reader.getCursor('a')).toBe('1');
      await bot.setCursor('a', '2');
      for (let i = 0; i < 20; i++) await bot.addFlag(flag(i, at(i)));
      await bot.flush();
      await reader.refresh();
      expect(await reader.getCursor('a')).toBe('2');
      expect((await reader.queuePage({ limit: 1 })).total).toBe(20);
      expect(await collect(reader.flags())).toHaveLength(20);
    });

    it("a command's changes reach the running bot before they return", async () => {
      const data = await suite.data();
      const bot = await data.open('bot');
      const f = flag(7, at(0));
      await bot.addFlag(f);
      await bot.flush();
      const cli = await data.open('change');
      expect(cli.access).not.toBe('owner'); // the bot holds the data, not this command
      expect(cli.access).not.toBe('read-only');
      expect((await cli.getFlag(f.id))?.state).toBe('open');
      await cli.setState('pause:demo', { paused: true });
      expect(await bot.getState('pause:demo')).toEqual({ paused: true });
      const acked = await cli.addReviewEvent({
        id: 'c1',
        flagId: f.id,
        action: 'acknowledge',
        by: 'cli:test',
        at: at(5),
      });
      expect(acked.state).toBe('acknowledged');
      expect((await bot.getFlag(f.id))?.state).toBe('acknowledged');
      await expect(
        cli.addReviewEvent({ id: 'c2', flagId: 'missing', action: 'dismiss', by: 'cli:test', at: at(6) }),
      ).rejects.toThrow(/No flag with id "missing"/);
      await cli.append({ type: 'control', at: at(7), action: 'stop-all' });
      await vi.waitFor(async () =>
        expect((await collect(bot.events({ types: ['control'] }))).map((e) => e.type)).toEqual(['control']),
      );
    });

    it('a command applies its changes itself when no bot runs; the next bot sees them', async () => {
      const data = await suite.data();
      const cli = await data.open('change');
      expect(['owner', 'shared']).toContain(cli.access);
      await cli.setState('pause:demo', { paused: true });
      await cli.close();
      const bot = await data.open('bot');
      expect(await bot.getState('pause:demo')).toEqual({ paused: true });
    });

    it('the dashboard on its own ("serve") works with or without a running bot', async () => {
      const data = await suite.data();
      const alone = await data.open('serve');
      await alone.putModerator({ name: 'ada', role: 'admin', passwordHash: 'h', createdAt: at(0) });
      await alone.close();
      const bot = await data.open('bot');
      const beside = await data.open('serve');
      expect((await beside.getModerator('ada'))?.role).toBe('admin');
      await beside.putModerator({ name: 'bob', role: 'viewer', passwordHash: 'h', createdAt: at(1) });
      expect((await bot.getModerator('bob'))?.role).toBe('viewer');
    });

    it('views beside a writer in another process always open and never see the data go back', {
      timeout: 60_000,
    }, async () => {
      const data = await suite.data();
      const child = spawn(process.execPath, ['--import', 'tsx', CHILD, data.url], {
        stdio: ['ignore', 'pipe', 'inherit'],
        env: { ...process.env, ...data.env },
      });
      try {
        await new Promise<void>((resolve, reject) => {
          let acked = 0;
          child.stdout.on('data', (chunk: Buffer) => {
            acked += chunk
              .toString()
              .split('\n')
              .filter((l) => l.startsWith('cursor ')).length;
            if (acked >= 20) resolve();
          });
          child.on('exit', (code) => reject(new Error(`writer exited early: ${code}`)));
        });
        const kept = await data.open('read');
        let keptFlags = 0;
        let lastCursor = -1;
        let lastFlags = 0;
        for (let i = 0; i < 15; i++) {
          await kept.refresh();
          const flags = (await kept.queuePage({ limit: 1 })).total;
          expect(flags).toBeGreaterThanOrEqual(keptFlags);
          keptFlags = flags;
          const view = await data.open('read');
          const cursor = Number(await view.getCursor('child'));
          const viewFlags = (await view.queuePage({ limit: 1 })).total;
          expect(cursor).toBeGreaterThanOrEqual(lastCursor);
          expect(viewFlags).toBeGreaterThanOrEqual(lastFlags);
          lastCursor = cursor;
          lastFlags = viewFlags;
          await view.close();
          await new Promise((r) => setTimeout(r, 30));
        }
        expect(lastCursor).toBeGreaterThan(0);
        child.kill('SIGKILL');
        await new Promise((r) => child.once('exit', r));
        // Once the writer has gone, the refreshed view and a fresh one agree exactly.
        await kept.refresh();
        const fresh = await data.open('read');
        expect(await kept.getCursor('child')).toBe(await fresh.getCursor('child'));
        expect((await kept.queuePage({ limit: 1000 })).items.map((f) => f.id)).toEqual(
          (await fresh.queuePage({ limit: 1000 })).items.map((f) => f.id),
        );
        // Every acknowledged cursor has its mention.
        const cursor = Number(await fresh.getCursor('child'));
        const seen = await collect(fresh.events({ types: ['mention.seen'] }));
        expect(seen.length).toBeGreaterThanOrEqual(cursor + 1);
      } finally {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      }
    });
  });
}
