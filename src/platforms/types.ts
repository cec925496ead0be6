import type { PostDraft } from '../campaign/render.ts';
import type { Platform } from '../campaign/schema.ts';

/** A post as published: where it went and how to find it again. */
export interface Post {
  platform: Platform;
  remoteId: string;
  url: string;
  /** ISO 8601 UTC. */
  postedAt: string;
}

/** One network. Only code under src/platforms/ imports a network SDK. */
export interface PlatformAdapter {
  /** Which network this adapter posts to ('local' posts to the outbox for any platform). */
  readonly name: string;
  post(draft: PostDraft): Promise<Post>;
}
