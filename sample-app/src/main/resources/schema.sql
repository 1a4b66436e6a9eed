-- The directory's schema, portable to H2 and PostgreSQL. Idempotent, so that it can run at
-- every start-up, including a second instance's against a database the first one created.
CREATE TABLE IF NOT EXISTS teams (
    id   BIGINT       PRIMARY KEY,
    name VARCHAR(100) NOT NULL
);

CREATE TABLE IF NOT EXISTS users (
    id      BIGINT       PRIMARY KEY,
    team_id BIGINT       NOT NULL REFERENCES teams (id),
    name    VARCHAR(100) NOT NULL,
    email   VARCHAR(200) NOT NULL,
    bio     VARCHAR(500) NOT NULL
);

CREATE INDEX IF NOT EXISTS users_team_id ON users (team_id);

-- When each user was last seen, written behind (LastSeenService): recorded in the cache at
-- once, reaching this column later, in batches.
ALTER TABLE users ADD COLUMN IF NOT EXISTS last_seen TIMESTAMP WITH TIME ZONE;
