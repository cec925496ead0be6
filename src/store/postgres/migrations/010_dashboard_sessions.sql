-- Dashboard sessions, login failures and the device-cookie key, kept with the data so every
-- dashboard instance on this database accepts a session another one made, and the login limits
-- count a guesser across instances. Times are milliseconds since the epoch, as the dashboard uses.
CREATE TABLE dashboard_sessions (
  key text PRIMARY KEY,
  name text NOT NULL,
  created_at bigint NOT NULL,
  last_seen_at bigint NOT NULL,
  session jsonb NOT NULL
);
CREATE INDEX dashboard_sessions_name ON dashboard_sessions (name);
CREATE TABLE login_failures (
  pair text PRIMARY KEY,
  failures integer NOT NULL,
  last_failure bigint NOT NULL
);
CREATE TABLE login_failure_times (
  id bigserial PRIMARY KEY,
  at bigint NOT NULL
);
CREATE INDEX login_failure_times_at ON login_failure_times (at);
CREATE TABLE dashboard_keys (
  name text PRIMARY KEY,
  value bytea NOT NULL
);
