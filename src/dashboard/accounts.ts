/** Moderator accounts: add, disable, enable, reset and change passwords. Used by the CLI and the dashboard. */
import { SolidarityError } from '../errors.ts';
import type { Moderator, Store } from '../store/types.ts';
import { checkNewPassword, generatePassword, hashPassword } from './passwords.ts';

export type Role = Moderator['role'];
export const ROLES: readonly Role[] = ['admin', 'moderator', 'viewer'];

const NAME = /^[a-z0-9][a-z0-9._-]{0,31}$/;

export const ROLE_RANK: Record<Role, number> = { viewer: 0, moderator: 1, admin: 2 };

export function can(role: Role, needed: Role): boolean {
  return ROLE_RANK[role] >= ROLE_RANK[needed];
}

/** The one form names are stored and compared in ("ADAM " is adam). */
export function normalName(name: string): string {
  return name.trim().toLowerCase();
}

export function checkName(name: string): string {
  const normal = normalName(name);
  if (!NAME.test(normal)) {
    throw new SolidarityError('MODERATOR_INVALID', `"${name}" cannot be a moderator name.`, {
      hint: 'Use 1 to 32 characters: letters, digits, ".", "_" or "-", starting with a letter or digit.',
    });
  }
  return normal;
}

export function checkRole(role: string): Role {
  if (!(ROLES as readonly string[]).includes(role)) {
    throw new SolidarityError('MODERATOR_INVALID', `"${role}" is not a role.`, {
      hint: `Use one of: ${ROLES.join(', ')}.`,
    });
  }
  return role as Role;
}

/**
 * Adds an account. Without a password, one is generated, returned once and must be changed at
 * first login. Throws MODERATOR_INVALID when the name is taken or the password too short.
 */
export async function addModerator(
  store: Store,
  input: { name: string; role: string; password?: string | undefined; now: string },
): Promise<{ moderator: Moderator; oneTimePassword?: string }> {
  const name = checkName(input.name);
  const role = checkRole(input.role);
  if (await store.getModerator(name)) {
    throw new SolidarityError('MODERATOR_INVALID', `A moderator named "${name}" already exists.`, {
      hint: "Choose another name, or reset this one's password from the dashboard's Accounts page.",
    });
  }
  const generated = input.password === undefined ? generatePassword() : undefined;
  const password = input.password ?? generated!;
  checkNewPassword(password, name);
  const moderator: Moderator = {
    name,
    role,
    passwordHash: await hashPassword(password),
    createdAt: input.now,
    passwordChangedAt: input.now,
    ...(generated ? { mustChangePassword: true } : {}),
  };
  await store.putModerator(moderator);
  return generated ? { moderator, oneTimePassword: generated } : { moderator };
}

async function requireModerator(store: Store, name: string): Promise<Moderator> {
  const moderator = await store.getModerator(normalName(name));
  if (!moderator) {
    throw new SolidarityError('DASHBOARD_AUTH', `No moderator is named "${name}".`, {
      hint: 'See the names with: solidarity moderator list',
    });
  }
  return moderator;
}

/** Disables an account (it can no longer log in); never the last enabled admin. */
export async function setDisabled(store: Store, name: string, disabled: boolean): Promise<Moderator> {
  const moderator = await requireModerator(store, name);
  if (disabled && moderator.role === 'admin' && !moderator.disabled) {
    const admins = (await store.listModerators()).filter((m) => m.role === 'admin' && !m.disabled);
    if (admins.length <= 1) {
      throw new SolidarityError('MODERATOR_INVALID', `"${moderator.name}" is the last enabled admin.`, {
        hint: 'Add another admin first, so someone can still manage accounts.',
      });
    }
  }
  const updated: Moderator = { ...moderator, disabled };
  if (!disabled) delete updated.disabled;
  await store.putModerator(updated);
  return updated;
}

/** Gives an account a new generated one-time password, to be changed at next login. */
export async function resetPassword(store: Store, name: string, now: string): Promise<string> {
  const moderator = await requireModerator(store, name);
  const password = generatePassword();
  await store.putModerator({
    ...moderator,
    passwordHash: await hashPassword(password),
    mustChangePassword: true,
    passwordChangedAt: now,
  });
  return password;
}

export async function changePassword(
  store: Store,
  name: string,
  password: string,
  now: string,
): Promise<void> {
  const moderator = await requireModerator(store, name);
  checkNewPassword(password, moderator.name);
  const updated: Moderator = {
    ...moderator,
    passwordHash: await hashPassword(password),
    passwordChangedAt: now,
  };
  delete updated.mustChangePassword;
  await store.putModerator(updated);
}
