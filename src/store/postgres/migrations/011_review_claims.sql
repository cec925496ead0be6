-- Who is reviewing which flag, shared by every dashboard instance on this database, so two
-- moderators on different instances do not open the same flag. Times in ms since the epoch.
CREATE TABLE review_claims (
  flag_id text PRIMARY KEY,
  by text NOT NULL,
  since bigint NOT NULL,
  last_active bigint NOT NULL
);
