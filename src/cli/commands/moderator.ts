/** `solidarity moderator add|list|disable|enable`: dashboard accounts. */
import type { Readable } from 'node:stream';
import { addModerator, ROLES, resetPassword, setDisabled } from '../../dashboard/accounts.ts';
import { SolidarityError } from '../../errors.ts';
import { type Command, flag, stringOption, writeLine } from '../command.ts';
import type { StoreOpener } from '../store-access.ts';

/** The first line of stdin (a password piped in), without its line end. */
async function firstLine(stdin: Readable): Promise<string> {
  let text = '';
  for await (const chunk of stdin) {
    text += chunk.toString();
    if (text.includes('\n') || text.length > 4096) break;
  }
  return text.split(/\r?\n/)[0] ?? '';
}

function name(positionals: string[], usage: string): string {
  if (positionals.length !== 1) {
    throw new SolidarityError('USAGE', 'Name exactly one moderator.', { hint: `Usage: solidarity ${usage}` });
  }
  return positionals[0]!;
}

export function moderatorCommands(open: StoreOpener): Command[] {
  const add: Command = {
    name: 'moderator add',
    summary: 'Add a dashboard account (prints a one-time password)',
    usage: 'moderator add NAME --role ROLE [--password-stdin]',
    description:
      'Roles: viewer reads the queue; moderator also decides and exports evidence; admin also manages\n' +
      'accounts. Without --password-stdin a one-time password is printed once, and the dashboard asks\n' +
      'for a new one at first login. With --password-stdin the first line of stdin is the password\n' +
      '(12 characters or more), e.g.: read -rs P && printf "%s\\n" "$P" | npx solidarity moderator add sam\n' +
      '--role moderator --password-stdin',
    options: {
      role: { type: 'string', valueName: 'ROLE', description: ROLES.join(' | ') },
      'password-stdin': { type: 'boolean', description: 'read the password from the first line of stdin' },
    },
    async run(args, io) {
      const who = name(args.positionals, this.usage);
      const role = stringOption(args, 'role');
      if (!role)
        throw new SolidarityError('USAGE', 'Give the account a role with --role.', {
          hint: `One of: ${ROLES.join(', ')}.`,
        });
      const password = flag(args, 'password-stdin') ? await firstLine(io.stdin) : undefined;
      return open(io, 'write', async (store) => {
        const result = await addModerator(store, {
          name: who,
          role,
          password,
          now: new Date().toISOString(),
        });
        writeLine(io.stdout, `Added ${result.moderator.name} (${result.moderator.role}).`);
        if (result.oneTimePassword) {
          writeLine(io.stdout, `One-time password: ${result.oneTimePassword}`);
          writeLine(
            io.stdout,
            'Give it to them privately; the dashboard asks for a new password at first login.',
          );
        }
        return 0;
      });
    },
  };
  const list: Command = {
    name: 'moderator list',
    summary: 'List dashboard accounts and their roles',
    usage: 'moderator list [--json]',
    options: { json: { type: 'boolean', description: 'print JSON (never the password hashes)' } },
    async run(args, io) {
      return open(io, 'read', async (store) => {
        const rows = (await store.listModerators())
          .sort((a, b) => a.name.localeCompare(b.name))
          .map((m) => ({
            name: m.name,
            role: m.role,
            status: m.disabled ? 'disabled' : m.mustChangePassword ? 'must-change-password' : 'active',
            createdAt: m.createdAt,
          }));
        if (flag(args, 'json')) writeLine(io.stdout, JSON.stringify(rows));
        else if (rows.length === 0)
          writeLine(io.stdout, 'No accounts yet. Add one: npx solidarity moderator add NAME --role admin');
        else
          for (const r of rows)
            writeLine(
              io.stdout,
              `${r.name.padEnd(20)}${r.role.padEnd(11)}${r.status.padEnd(22)}${r.createdAt}`,
            );
        return 0;
      });
    },
  };
  const toggle = (disabled: boolean): Command => ({
    name: `moderator ${disabled ? 'disable' : 'enable'}`,
    summary: disabled
      ? 'Disable an account (it can no longer log in; its sessions end)'
      : 'Enable a disabled account',
    usage: `moderator ${disabled ? 'disable' : 'enable'} NAME`,
    async run(args, io) {
      const who = name(args.positionals, this.usage);
      return open(io, 'write', async (store) => {
        const m = await setDisabled(store, who, disabled);
        writeLine(io.stdout, `${m.name} ${disabled ? 'disabled' : 'enabled'}.`);
        return 0;
      });
    },
  });
  const reset: Command = {
    name: 'moderator reset',
    summary: 'Give an account a new one-time password (for a forgotten password)',
    usage: 'moderator reset NAME',
    description:
      'Prints a new one-time password; the old password stops working and the dashboard asks for a\n' +
      'new one at the next login. Works for admins too, so a forgotten admin password is never a\n' +
      "dead end for whoever can run commands on the bot's machine.",
    async run(args, io) {
      const who = name(args.positionals, this.usage);
      return open(io, 'write', async (store) => {
        const password = await resetPassword(store, who, new Date().toISOString());
        writeLine(io.stdout, `New one-time password for ${who.trim().toLowerCase()}: ${password}`);
        return 0;
      });
    },
  };
  return [add, list, toggle(true), toggle(false), reset];
}
