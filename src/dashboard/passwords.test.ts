import { describe, expect, it } from 'vitest';
import { isSolidarityError } from '../errors.ts';
import { checkNewPassword } from './passwords.ts';

function refusal(password: string, name?: string): string | undefined {
  try {
    checkNewPassword(password, name);
    return undefined;
  } catch (error) {
    if (!isSolidarityError(error)) throw error;
    return error.message;
  }
}

describe('new passwords', () => {
  it('refuses the worst with a message that says why', () => {
    expect(refusal('aaaaaaaaaaaaaaaa')).toMatch(/repeats one character/);
    expect(refusal('abcabcabcabcabc')).toMatch(/repeats one character/);
    expect(refusal('Password1234')).toMatch(/most common passwords/);
    expect(refusal('123456789012')).toMatch(/most common passwords/);
    expect(refusal('qwerty 123456')).toMatch(/most common passwords/);
    expect(refusal('adamadamadam', 'adam')).toMatch(/repeats|account name/);
    expect(refusal('Moderator-Jones1', 'moderator-jones')).toMatch(/account name/);
    expect(refusal('short')).toMatch(/at least 12/);
  });

  it('accepts a passphrase, also one that mentions the name among other words', () => {
    expect(refusal('vigil candles by the river')).toBeUndefined();
    expect(refusal('adam walks the long river home', 'adam')).toBeUndefined();
  });
});
