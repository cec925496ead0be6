-- The store's data model (see src/store/types.ts), as the file store keeps it in data/.
-- Instants the application compares as text (flag and journal times) stay text in the "C"
-- collation, so the database orders them exactly as the file store does.

-- The activity log: one row per event, the event itself kept as written (json keeps its text).
CREATE TABLE events (
  seq bigserial PRIMARY KEY,
  -- UTC day of `at` (YYYY-MM-DD): events stream in day order, then in the order they were written.
  day text COLLATE "C" NOT NULL,
  at timestamptz NOT NULL,
  type text NOT NULL,
  campaign text,
  mention_platform text,
  mention_id text,
  flagged boolean,
  flag_id text,
  body json NOT NULL
);
CREATE INDEX events_order ON events (day, seq);
CREATE INDEX events_at ON events (at);
-- One mention.seen event per campaign and mention: a replayed mention is not logged twice.
CREATE UNIQUE INDEX events_one_seen_per_mention ON events (campaign, mention_platform, mention_id)
  WHERE type = 'mention.seen';
CREATE INDEX events_review_flag ON events (flag_id) WHERE type = 'review.event';

-- Hourly counts per campaign ('' for none): what stats() reads and what retention keeps forever.
CREATE TABLE hourly_counts (
  hour text COLLATE "C" NOT NULL, -- "2026-11-25T14"
  campaign text NOT NULL,
  posts bigint NOT NULL DEFAULT 0,
  seen bigint NOT NULL DEFAULT 0,
  flagged bigint NOT NULL DEFAULT 0,
  alerts bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (hour, campaign)
);

-- Where each mention source resumes.
CREATE TABLE cursors (
  key text PRIMARY KEY,
  value text NOT NULL
);

-- Small key/value state: pause flags, budgets, rate-limit state.
CREATE TABLE state (
  key text PRIMARY KEY,
  value json NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- The exactly-once post journal: one row per slot and platform.
CREATE TABLE journal (
  key text PRIMARY KEY,
  seq bigserial NOT NULL,
  campaign text NOT NULL,
  platform text NOT NULL,
  slot_at text COLLATE "C" NOT NULL,
  state text NOT NULL,
  entry json NOT NULL,
  UNIQUE (campaign, slot_at, platform)
);
CREATE INDEX journal_order ON journal (seq);

-- The review queue. `state` is derived from the flag's review events by the review rules.
CREATE TABLE flags (
  id text COLLATE "C" PRIMARY KEY,
  seq bigserial NOT NULL,
  campaign text NOT NULL,
  platform text NOT NULL,
  mention_id text NOT NULL,
  severity text NOT NULL,
  score double precision NOT NULL,
  state text NOT NULL,
  created_at text COLLATE "C" NOT NULL,
  -- When the flag was resolved or dismissed (its retention counts from here); null while open.
  closed_at timestamptz,
  hashtags text[] NOT NULL,
  rules text[] NOT NULL,
  mention json NOT NULL,
  verdict json NOT NULL
);
CREATE INDEX flags_newest ON flags (state, created_at DESC, id DESC);
CREATE INDEX flags_score ON flags (state, score DESC, created_at DESC, id DESC);
CREATE INDEX flags_all_newest ON flags (created_at DESC, id DESC);
CREATE INDEX flags_all_score ON flags (score DESC, created_at DESC, id DESC);
CREATE INDEX flags_mention ON flags (platform, mention_id);
CREATE INDEX flags_closed ON flags (closed_at) WHERE closed_at IS NOT NULL;

-- Decisions on a flag, in the order they were made; an event id counts once per flag.
CREATE TABLE review_events (
  flag_id text NOT NULL REFERENCES flags (id) ON DELETE CASCADE,
  id text NOT NULL,
  seq bigserial NOT NULL,
  event json NOT NULL,
  PRIMARY KEY (flag_id, id)
);
CREATE INDEX review_events_order ON review_events (flag_id, seq);

-- Dashboard accounts.
CREATE TABLE moderators (
  name text PRIMARY KEY,
  seq bigserial NOT NULL,
  moderator json NOT NULL
);
