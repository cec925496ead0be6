/** Local mode: "posts" go to data/outbox.jsonl and a readable line on the terminal. */
import { pathToFileURL } from 'node:url';
import type { PostDraft } from '../../campaign/render.ts';
import type { Clock } from '../../core/clock.ts';
import { appendOutbox, outboxPath, readOutbox } from '../../store/outbox.ts';
import type { CredentialCheck, PlatformAdapter, Post, PostRequest } from '../types.ts';

export class OutboxAdapter implements PlatformAdapter {
  readonly name = 'local';

  private readonly dataDir: string;
  private readonly clock: Clock;
  /** Where the readable line goes (the terminal); silent when omitted. */
  private readonly print: ((line: string) => void) | undefined;

  constructor(dataDir: string, clock: Clock, print?: (line: string) => void) {
    this.dataDir = dataDir;
    this.clock = clock;
    this.print = print;
  }

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

  async post(draft: PostDraft | PostRequest): Promise<Post> {
    const postedAt = this.clock.now().toISOString();
    // What the network would get besides the text: images (alt text), link card, who may reply.
    const extras = draft as Partial<PostRequest>;
    const images = extras.images?.map((i) => ({
      mimeType: i.mimeType,
      bytes: i.data.byteLength,
      alt: i.alt,
    }));
    appendOutbox(this.dataDir, {
      ...(images?.length ? { images } : {}),
      ...(extras.link ? { linkCard: extras.link } : {}),
      ...(extras.replyPolicy ? { replyPolicy: extras.replyPolicy } : {}),
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
    for (const image of images ?? []) this.print?.(`    [image ${image.mimeType}, alt text: ${image.alt}]`);
    return {
      platform: draft.platform,
      remoteId: `${draft.slotKey}/${draft.platform}`,
      url: pathToFileURL(outboxPath(this.dataDir)).href,
      postedAt,
    };
  }
}
