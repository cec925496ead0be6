/** A post that mentions a monitored hashtag, normalised across platforms. */
export interface Mention {
  platform: 'bluesky' | 'x' | 'local';
  /** Platform id: at:// URI on Bluesky, tweet id on X. Unique per platform. */
  id: string;
  url: string;
  authorId: string;
  authorHandle: string;
  text: string;
  lang?: string;
  /** ISO 8601, as the platform reports it. */
  createdAt: string;
  /** ISO 8601, when the bot captured it. */
  capturedAt: string;
  /** Lower-case, without '#'. */
  hashtags: string[];
  replyTo?: string;
  quoteOf?: string;
}
