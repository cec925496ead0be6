/** Local mode: "posts" go to data/outbox.jsonl and a readable line on the terminal. */
import { pathToFileURL } from 'node:url';
import type { PostDraft } from '../../campaign/render.ts';
import type { Clock } from '../../scheduler/clock.ts';
import { appendOutbox, outboxPath, readOutbox } from '../../store/outbox.ts';
import type { CredentialCheck, PlatformAdapter, Post } from '../types.ts';

export class OutboxAdapter implements PlatformAdapter {
  readonly name = 'local';

  constructor(
    private readonly dataDir: string,
    private readonly clock: Clock,
    /** Where the readable line goes (the terminal); silent when omitted. */
    private readonly print?: (line: string) => void,
  ) {}

  /** A post already in the outbox for this slot and platform (after a crash between write and confirm). */
  async lookup(draft: PostDraft): Promise<Post | undefined> {
    const found = readOutbox(this.dataDir).find(
      (r) => r.slot === draft.slotKey && r.platform === draft.platform,
    );
    if (!found) return undefined;
    return {
      platform: draft.platform,
      remoteId: `${draft.slotKey}/${draft.platform}`,
      url: pathToFileURL(outboxPath(this.dataDir)).href,
      postedAt: found.postedAt,
      existed: true,
    };
  }

  async checkCredentials(): Promise<CredentialCheck> {
    return { ok: true, account: 'local outbox', message: `writes to ${outboxPath(this.dataDir)}` };
  }

  async post(draft: PostDraft): Promise<Post> {
    const postedAt = this.clock.now().toISOString();
    appendOutbox(this.dataDir, {
      postedAt,
      slotAt: draft.slotAt.toISOString(),
      campaign: draft.campaign,
      platform: draft.platform,
      slot: draft.slotKey,
      text: draft.text,
      length: draft.measure.length,
      limit: draft.measure.limit,
    });
    this.print?.(`posted (local outbox) [${draft.campaign} → ${draft.platform}] ${draft.text}`);
    return {
      platform: draft.platform,
      remoteId: `${draft.slotKey}/${draft.platform}`,
      url: pathToFileURL(outboxPath(this.dataDir)).href,
      postedAt,
    };
  }
}
