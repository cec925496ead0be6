/**
 * Creating and dropping whole databases on a server, for benchmarks and tests that need a fresh
 * one (the user in the URL needs the CREATEDB privilege). The bot itself never does this.
 */
import pg from 'pg';

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

async function onServer<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Creates an empty database beside the one `url` names; returns the new database's URL. */
export async function createDatabase(url: string, name: string): Promise<string> {
  await onServer(url, (client) => client.query(`CREATE DATABASE ${quoteIdent(name)}`));
  return withDatabase(url, name);
}

/** Drops a database created by createDatabase (connections to it are closed first). */
export async function dropDatabase(url: string, name: string): Promise<void> {
  await onServer(url, (client) => client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`));
}

/**
 * Creates an empty schema in the database `url` names; returns a URL whose connections use it
 * (search_path), so several stores can share one database (tests use one per test).
 */
export async function createSchema(url: string, schema: string): Promise<string> {
  await onServer(url, (client) => client.query(`CREATE SCHEMA ${quoteIdent(schema)}`));
  const parsed = new URL(url);
  parsed.searchParams.set('options', `-c search_path=${schema}`);
  return parsed.toString();
}

/** Drops a schema made by createSchema, with everything in it. */
export async function dropSchema(url: string, schema: string): Promise<void> {
  const parsed = new URL(url);
  parsed.searchParams.delete('options');
  await onServer(parsed.toString(), (client) =>
    client.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`),
  );
}
