/**
 * A throwaway PostgreSQL server for tests and benchmarks (Debian's `postgresql` package).
 *
 * `startPostgresCluster()` runs `initdb` in a fresh temp folder and starts `postgres` on a free
 * 127.0.0.1 port, with its unix socket in that folder (never in /var/run). PostgreSQL refuses to
 * run as root, and CI runs as root: then the folder is handed to an unprivileged user (`nobody`,
 * or a `solidarity-test` system user created when `nobody` is missing) and the server processes
 * run as that user. `stop()` stops the server and removes the folder.
 *
 * Inside vitest, test files share one server: `testDatabase()` starts it on first use (the global
 * setup in tests/_postgres-global.ts names a folder where the server's address is written; the
 * first file to need it starts it under a lock), creates a fresh database for the caller and
 * returns its URL. The global teardown stops the server at the end of the run.
 *
 * Binaries are found on PATH, then in /usr/lib/postgresql/<newest>/bin, or in POSTGRES_BIN.
 */
import { type SpawnOptions, spawn, spawnSync } from 'node:child_process';
import {
  accessSync,
  chownSync,
  constants,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';

/** Environment variable the global setup sets: folder where the shared server is described. */
export const SHARED_ENV = 'SOLIDARITY_TEST_POSTGRES_DIR';
/** PID of the process whose end makes a server an orphan (the vitest main process, or this one). */
export const OWNER_ENV = 'SOLIDARITY_TEST_POSTGRES_OWNER';
const OWNER_FILE = 'owner.pid';
const PREFIX = 'solidarity-pg-';
const SUPERUSER = 'postgres';

export interface PostgresCluster {
  host: '127.0.0.1';
  port: number;
  /** Folder holding the data directory, the unix socket and the server log. */
  dir: string;
  dataDir: string;
  /** Connection URL for `database` (default: the `postgres` maintenance database). */
  url(database?: string): string;
  /** Creates a new, empty database and returns its URL. Names are made unique when omitted. */
  createDatabase(name?: string): Promise<string>;
  stop(): Promise<void>;
}

const SERVER_BINARIES = ['initdb', 'pg_ctl', 'postgres', 'createdb'];

/** Where PostgreSQL's server binaries live, or undefined when not installed. */
export function postgresBinDir(): string | undefined {
  const candidates: string[] = [];
  if (process.env['POSTGRES_BIN']) candidates.push(process.env['POSTGRES_BIN']);
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) if (dir) candidates.push(dir);
  const debianRoot = '/usr/lib/postgresql';
  if (existsSync(debianRoot)) {
    const versions = readdirSync(debianRoot)
      .filter((v) => /^\d+$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    for (const v of versions) candidates.push(join(debianRoot, v, 'bin'));
  }
  for (const dir of candidates) {
    // /usr/local/bin may hold links to some of them, and Debian's /usr/bin holds pg_wrapper
    // scripts: the folder the real initdb lives in has them all.
    if (!isExecutable(join(dir, 'initdb'))) continue;
    const real = dirname(realpathSync(join(dir, 'initdb')));
    if (SERVER_BINARIES.every((b) => isExecutable(join(real, b)))) return real;
  }
  return undefined;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** True when the PostgreSQL tests should run; prints why not when they are skipped (never in CI). */
export function postgresAvailable(suite: string): boolean {
  if (postgresBinDir()) return true;
  if (process.env['CI']) return true; // run anyway, so the start fails loudly
  console.warn(
    `[${suite}] SKIPPED: no PostgreSQL server binaries (initdb, pg_ctl, postgres) on PATH or in ` +
      '/usr/lib/postgresql/*/bin. Install them (apt-get install -y postgresql) or set POSTGRES_BIN; ' +
      'CI never skips these tests.',
  );
  return false;
}

interface RunAs {
  uid: number;
  gid: number;
  name: string;
}

/** The unprivileged user the server runs as when we are root; undefined when we are not root. */
function unprivilegedUser(): RunAs | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  for (const name of ['nobody', 'solidarity-test']) {
    const found = lookupUser(name);
    if (found) return found;
  }
  const made = spawnSync(
    'useradd',
    ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', 'solidarity-test'],
    {
      encoding: 'utf8',
    },
  );
  const found = lookupUser('solidarity-test');
  if (!found) {
    throw new Error(
      `PostgreSQL cannot run as root and no unprivileged user is available: "nobody" is missing and ` +
        `useradd failed (${made.error?.message ?? made.stderr.trim()}).`,
    );
  }
  return found;
}

function lookupUser(name: string): RunAs | undefined {
  const uid = spawnSync('id', ['-u', name], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', name], { encoding: 'utf8' });
  if (uid.status !== 0 || gid.status !== 0) return undefined;
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()), name };
}

async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

function run(
  bin: string,
  args: string[],
  options: { cwd: string; runAs: RunAs | undefined },
): Promise<{ code: number | null; output: string }> {
  const spawnOptions: SpawnOptions = {
    cwd: options.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, LC_ALL: 'C', LANG: 'C', PGTZ: 'UTC' },
  };
  if (options.runAs) {
    spawnOptions.uid = options.runAs.uid;
    spawnOptions.gid = options.runAs.gid;
  }
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, spawnOptions);
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, output }));
  });
}

export interface ClusterOptions {
  /**
   * Keep PostgreSQL's durability settings (fsync, synchronous commit). Tests turn them off for
   * speed; benchmarks keep them so the figures are what a real server does.
   */
  durable?: boolean;
}

/** Starts a new throwaway server. Always call `stop()` (it removes the data folder). */
export async function startPostgresCluster(options: ClusterOptions = {}): Promise<PostgresCluster> {
  const bin = postgresBinDir();
  if (!bin) {
    throw new Error(
      'PostgreSQL server binaries (initdb, pg_ctl, postgres) not found on PATH or in /usr/lib/postgresql/*/bin. ' +
        'Install Debian\'s "postgresql" package or set POSTGRES_BIN.',
    );
  }
  const runAs = unprivilegedUser();
  // The folder must be reachable by the server's user: /tmp is, a root-only TMPDIR may not be.
  const base = runAs ? '/tmp' : tmpdir();
  const dir = mkdtempSync(join(base, PREFIX));
  const dataDir = join(dir, 'data');
  const logFile = join(dir, 'server.log');
  // Who owns the server: a run killed before its teardown leaves an orphan the next run stops.
  writeFileSync(join(dir, OWNER_FILE), process.env[OWNER_ENV] ?? String(process.pid));
  if (runAs) chownSync(dir, runAs.uid, runAs.gid);
  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  try {
    const init = await run(
      join(bin, 'initdb'),
      ['-D', dataDir, '-U', SUPERUSER, '--auth=trust', '--encoding=UTF8', '--locale=C', '--no-sync'],
      { cwd: dir, runAs },
    );
    if (init.code !== 0) throw new Error(`initdb failed (exit ${init.code}):\n${init.output}`);
    const settings = [
      "-c listen_addresses='127.0.0.1'",
      `-k ${dir}`,
      '-c max_connections=200',
      '-c shared_buffers=128MB',
      '-c timezone=UTC',
      ...(options.durable ? [] : ['-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off']),
    ];
    let port = 0;
    let lastError = '';
    // The free port may be taken between the probe and the start: try a few.
    for (let attempt = 0; attempt < 5 && port === 0; attempt++) {
      const candidate = await freeLoopbackPort();
      const started = await run(
        join(bin, 'pg_ctl'),
        [
          '-D',
          dataDir,
          '-l',
          logFile,
          '-w',
          '-t',
          '60',
          '-o',
          [`-p ${candidate}`, ...settings].join(' '),
          'start',
        ],
        { cwd: dir, runAs },
      );
      if (started.code === 0) port = candidate;
      else lastError = `${started.output}\n${existsSync(logFile) ? readFileSync(logFile, 'utf8') : ''}`;
    }
    if (port === 0) throw new Error(`PostgreSQL did not start:\n${lastError}`);
    const cluster = clusterHandle({ bin, dir, dataDir, port, runAs });
    return cluster;
  } catch (error) {
    cleanup();
    throw error;
  }
}

interface ClusterInfo {
  bin: string;
  dir: string;
  dataDir: string;
  port: number;
  runAs: RunAs | undefined;
}

let databaseCounter = 0;

function clusterHandle(info: ClusterInfo): PostgresCluster {
  const url = (database = 'postgres') =>
    `postgres://${SUPERUSER}@127.0.0.1:${info.port}/${encodeURIComponent(database)}`;
  return {
    host: '127.0.0.1',
    port: info.port,
    dir: info.dir,
    dataDir: info.dataDir,
    url,
    async createDatabase(name) {
      const database = name ?? `t_${process.pid}_${Date.now().toString(36)}_${++databaseCounter}`;
      const created = await run(
        join(info.bin, 'createdb'),
        ['-h', '127.0.0.1', '-p', String(info.port), '-U', SUPERUSER, database],
        { cwd: info.dir, runAs: undefined },
      );
      if (created.code !== 0)
        throw new Error(`createdb ${database} failed (exit ${created.code}):\n${created.output}`);
      return url(database);
    },
    async stop() {
      await stopCluster(info);
    },
  };
}

async function stopCluster(info: ClusterInfo): Promise<void> {
  try {
    if (existsSync(join(info.dataDir, 'postmaster.pid'))) {
      await run(join(info.bin, 'pg_ctl'), ['-D', info.dataDir, '-m', 'fast', '-w', 'stop'], {
        cwd: info.dir,
        runAs: info.runAs,
      });
    }
  } finally {
    rmSync(info.dir, { recursive: true, force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Stops the servers of earlier runs that were killed before their teardown (their owner process
 * is gone), and removes their folders. Servers without an owner file are left alone.
 */
export async function stopOrphans(): Promise<number> {
  const bin = postgresBinDir();
  if (!bin) return 0;
  let stopped = 0;
  for (const base of new Set(['/tmp', tmpdir()])) {
    let names: string[];
    try {
      names = readdirSync(base).filter((n) => n.startsWith(PREFIX));
    } catch {
      continue;
    }
    for (const name of names) {
      const dir = join(base, name);
      let owner: number;
      try {
        owner = Number(readFileSync(join(dir, OWNER_FILE), 'utf8'));
      } catch {
        continue;
      }
      if (!Number.isInteger(owner) || owner <= 0 || alive(owner)) continue;
      const runAs = unprivilegedUser();
      await stopCluster({ bin, dir, dataDir: join(dir, 'data'), port: 0, runAs });
      stopped++;
    }
  }
  return stopped;
}

// ---- one server shared by the test files of a vitest run ----------------------------------------

const SERVER_FILE = 'server.json';
const FAILED_FILE = 'failed.txt';
let shared: Promise<PostgresCluster> | undefined;

/**
 * The run's shared server (started on first use, stopped by the global teardown). Outside vitest
 * (no global setup) it starts a private server that stops when the process exits.
 */
export function sharedPostgres(): Promise<PostgresCluster> {
  shared ??= openShared();
  return shared;
}

/** A fresh, empty database on the shared server: its connection URL. */
export async function testDatabase(name?: string): Promise<string> {
  const cluster = await sharedPostgres();
  return cluster.createDatabase(name);
}

async function openShared(): Promise<PostgresCluster> {
  const folder = process.env[SHARED_ENV];
  if (!folder) {
    const cluster = await startPostgresCluster();
    const runAs = unprivilegedUser();
    process.once('exit', () => {
      spawnSync(
        join(postgresBinDir() ?? '', 'pg_ctl'),
        ['-D', cluster.dataDir, '-m', 'immediate', '-w', 'stop'],
        {
          cwd: cluster.dir,
          ...(runAs ? { uid: runAs.uid, gid: runAs.gid } : {}),
        },
      );
      rmSync(cluster.dir, { recursive: true, force: true });
    });
    return cluster;
  }
  const serverFile = join(folder, SERVER_FILE);
  let starter = false;
  try {
    mkdirSync(join(folder, 'lock'));
    starter = true;
  } catch {
    // another test file is starting it
  }
  if (starter) {
    try {
      const cluster = await startPostgresCluster();
      const info: ClusterInfo = {
        bin: postgresBinDir() as string,
        dir: cluster.dir,
        dataDir: cluster.dataDir,
        port: cluster.port,
        runAs: unprivilegedUser(),
      };
      writeFileSync(`${serverFile}.tmp`, JSON.stringify(info));
      renameSync(`${serverFile}.tmp`, serverFile);
      return cluster;
    } catch (error) {
      writeFileSync(join(folder, FAILED_FILE), String((error as Error).message));
      throw error;
    }
  }
  const deadline = Date.now() + 90_000;
  while (!existsSync(serverFile)) {
    if (existsSync(join(folder, FAILED_FILE))) {
      throw new Error(
        `the shared PostgreSQL server failed to start:\n${readFileSync(join(folder, FAILED_FILE), 'utf8')}`,
      );
    }
    if (Date.now() > deadline)
      throw new Error(`the shared PostgreSQL server did not start within 90 s (${folder})`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return clusterHandle(JSON.parse(readFileSync(serverFile, 'utf8')) as ClusterInfo);
}

/** For the global teardown: stops the shared server if a test file started one. */
export async function stopSharedPostgres(folder: string): Promise<void> {
  const serverFile = join(folder, SERVER_FILE);
  try {
    if (existsSync(serverFile))
      await stopCluster(JSON.parse(readFileSync(serverFile, 'utf8')) as ClusterInfo);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}
