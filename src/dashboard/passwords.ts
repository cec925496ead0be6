/**
 * Moderator passwords: scrypt from node:crypto, stored as
 * "scrypt$N$r$p$salt$hash" (base64url) so the cost can be raised later without breaking old hashes.
 */
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { SolidarityError } from '../errors.ts';

const N = 2 ** 15;
const R = 8;
const P = 1;
const KEY_LENGTH = 32;
const MAX_MEM = 128 * N * R * 2;

export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 512;

function derive(password: string, salt: Buffer, n: number, r: number, p: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(
      password.normalize('NFC'),
      salt,
      KEY_LENGTH,
      { N: n, r, p, maxmem: 128 * n * r * 2 },
      (err, key) => (err ? reject(err) : resolve(key)),
    );
  });
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, N, R, P);
  return ['scrypt', N, R, P, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** Constant-time comparison; false for a malformed hash rather than an exception. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [n, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  if (![n, r, p].every((v) => Number.isInteger(v) && v > 0) || 128 * n * r * 2 > MAX_MEM * 4) return false;
  const salt = Buffer.from(parts[4]!, 'base64url');
  const expected = Buffer.from(parts[5]!, 'base64url');
  if (expected.length !== KEY_LENGTH || password.length > MAX_PASSWORD_LENGTH) return false;
  const key = await derive(password, salt, n, r, p);
  return timingSafeEqual(key, expected);
}

/** A hash of a random password, compared against when the name is unknown so timing does not tell. */
let dummyHash: Promise<string> | undefined;
export function dummyPasswordHash(): Promise<string> {
  dummyHash ??= hashPassword(randomBytes(16).toString('hex'));
  return dummyHash;
}

/** A one-time password: 20 characters from 120 random bits, easy to copy. */
export function generatePassword(): string {
  return randomBytes(15).toString('base64url');
}

/**
 * Passwords people pick first and guessers try first (all at least MIN_PASSWORD_LENGTH long, so
 * they would pass the length rule). Compared in lower case with spaces removed.
 */
const COMMON_PASSWORDS = new Set([
  '123456789012',
  '1234567890123',
  '12345678901234',
  '123456789123',
  '111111111111',
  '000000000000',
  'password1234',
  'password12345',
  'password123456',
  'passwordpassword',
  'password1password1',
  'qwertyuiop12',
  'qwertyuiopasdf',
  'qwertyuiopasdfgh',
  'qwertyuiopasdfghjkl',
  'qwerty123456',
  'asdfghjkl123',
  'abcdefghijkl',
  'abcdefghijklmnop',
  'abc123abc123',
  'iloveyou1234',
  'letmein12345',
  'welcome12345',
  'changeme1234',
  'administrator',
  'administrator1',
  'moderator123',
  'solidaritybot',
  'westandtogether',
  'correcthorsebatterystaple',
]);

/** True for "aaaaaaaaaaaa" and "abcabcabcabc": one short piece repeated. */
function isRepetition(text: string): boolean {
  return /^(.{1,3})\1+$/su.test(text);
}

/**
 * Refuses passwords that are too short or long, one character (or a few) repeated, on the list of
 * common passwords, or the account name with little else. Throws MODERATOR_INVALID saying which.
 */
export function checkNewPassword(password: string, name?: string): void {
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new SolidarityError(
      'MODERATOR_INVALID',
      `The password is ${password.length} characters; it needs at least ${MIN_PASSWORD_LENGTH}.`,
      { hint: 'Use a passphrase of several words, or let the command generate one.' },
    );
  }
  if (password.length > MAX_PASSWORD_LENGTH) {
    throw new SolidarityError(
      'MODERATOR_INVALID',
      `The password is longer than ${MAX_PASSWORD_LENGTH} characters.`,
    );
  }
  const folded = password.toLowerCase().replace(/\s+/g, '');
  const hint = 'Use a passphrase of several unrelated words, or let the command generate one.';
  if (isRepetition(folded)) {
    throw new SolidarityError(
      'MODERATOR_INVALID',
      'The password repeats one character (or a few) over and over.',
      {
        hint,
      },
    );
  }
  if (COMMON_PASSWORDS.has(folded)) {
    throw new SolidarityError('MODERATOR_INVALID', 'The password is one of the most common passwords.', {
      hint,
    });
  }
  const account = name?.trim().toLowerCase();
  if (account && account.length >= 3 && folded.replaceAll(account, '').length < 6) {
    throw new SolidarityError('MODERATOR_INVALID', 'The password is mostly the account name.', { hint });
  }
}
