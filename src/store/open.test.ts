import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanupAfterEach } from '../../tests/_cleanups.ts';
import { runCliInProcess } from '../../tests/_util.ts';
import { openStore, parseStoreUrl, redactUrl } from './open.ts';

const { cleanups, dataDir } = cleanupAfterEach();

describe('STORE_URL', () => {
  it('unset, empty or file: is the file store in SOLIDARITY_DATA_DIR; file:<folder> names its own', () => {
    expect(parseStoreUrl(undefined, 'data')).toEqual({ backend: 'file', dir: resolve('data') });
    expect(parseStoreUrl('', '/srv/d')).toEqual({ backend: 'file', dir: '/srv/d' });
    expect(parseStoreUrl('file:', '/srv/d')).toEqual({ backend: 'file', dir: '/srv/d' });
    expect(parseStoreUrl('file:other', '/srv/d')).toEqual({ backend: 'file', dir: resolve('other') });
    expect(parseStoreUrl('file:/abs/data')).toEqual({ backend: 'file', dir: '/abs/data' });
    expect(parseStoreUrl('file:///abs/my%20data')).toEqual({ backend: 'file', dir: '/abs/my data' });
    expect(parseStoreUrl('file://localhost/abs')).toEqual({ backend: 'file', dir: '/abs' });
  });

  it('postgres:// and postgresql:// are PostgreSQL', () => {
    for (const url of ['postgres://bot:pw@db.example:5432/solidarity', 'postgresql://localhost/solidarity']) {
      expect(parseStoreUrl(url)).toEqual({ backend: 'postgres', url });
    }
  });

  it('anything else is refused naming STORE_URL, without the password', () => {
    for (const url of [
      'mysql://bot:s3cret@db/x',
      'file://otherhost/data',
      'data',
      'postgres:',
      'sqlite:data.db',
      'postgresql://bot:s3cret@:5432',
    ]) {
      let error: unknown;
      try {
        parseStoreUrl(url);
      } catch (e) {
        error = e;
      }
      expect(error).toMatchObject({ code: 'ENV_INVALID', message: expect.stringContaining('STORE_URL') });
      expect((error as Error).message).not.toContain('s3cret');
    }
    expect(redactUrl('postgres://bot:s3cret@db:5432/x')).toBe('postgres://bot:***@db:5432/x');
  });

  it('a PostgreSQL server that cannot be reached is named, without the password', async () => {
    await expect(openStore('postgres://bot:s3cret@127.0.0.1:1/x', { use: 'read' })).rejects.toMatchObject({
      code: 'STORE_DATABASE',
      message: expect.stringMatching(
        /^(?!.*s3cret).*postgres:\/\/bot:\*\*\*@127\.0\.0\.1:1\/x.*ECONNREFUSED/s,
      ),
    });
  });

  it('the CLI stops with exit 3 on a bad STORE_URL, and file:<folder> wins over SOLIDARITY_DATA_DIR', async () => {
    const bad = await runCliInProcess(['review', 'list'], { STORE_URL: 'mysql://bot:s3cret@db/x' });
    expect(bad.code).toBe(3);
    expect(bad.stderr).toContain('STORE_URL');
    expect(bad.stderr).not.toContain('s3cret');

    const chosen = dataDir();
    const ignored = dataDir();
    const added = await runCliInProcess(['moderator', 'add', 'ada', '--role', 'admin'], {
      STORE_URL: `file:${chosen}`,
      SOLIDARITY_DATA_DIR: ignored,
    });
    expect(added.code).toBe(0);
    expect(readdirSync(chosen)).toContain('state.json');
    expect(readdirSync(ignored)).toEqual([]);
    const store = await openStore(`file:${chosen}`, { use: 'read' });
    cleanups.push(() => store.close());
    expect((await store.getModerator('ada'))?.role).toBe('admin');
    expect(store.backend).toBe('file');
    expect(store.location).toBe(chosen);
  });
});
