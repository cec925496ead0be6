/** The image a message carries, read from beside the campaign file when it is posted. */
import { readFileSync } from 'node:fs';
import { dirname, extname, resolve } from 'node:path';
import { type Campaign, IMAGE_TYPES } from '../campaign/schema.ts';

export interface MessageImage {
  data: Uint8Array;
  mimeType: string;
  alt: string;
}

/** The images of message `index` (none when it has none, or the index is unknown). */
export function messageImages(campaign: Campaign, index: number): MessageImage[] {
  const image = index >= 0 ? campaign.messages[index]?.image : undefined;
  if (!image) return [];
  const ext = extname(image.file).toLowerCase() as keyof typeof IMAGE_TYPES;
  return [
    {
      data: readFileSync(resolve(dirname(campaign.file), image.file)),
      mimeType: IMAGE_TYPES[ext] ?? 'application/octet-stream',
      alt: image.alt,
    },
  ];
}
