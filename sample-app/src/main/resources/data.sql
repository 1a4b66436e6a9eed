-- Seed data, inserted only into empty tables: a restart, or a second instance, never
-- overwrites what the first one changed (the caches in Redis would otherwise disagree
-- with the database).
INSERT INTO teams (id, name)
SELECT id, name FROM (VALUES
    (1, 'Platform'),
    (2, 'Payments'),
    (3, 'Search'),
    (4, 'Mobile'),
    (5, 'Data'),
    (6, 'Security')
) AS seed (id, name)
WHERE NOT EXISTS (SELECT 1 FROM teams);

INSERT INTO users (id, team_id, name, email, bio)
SELECT id, team_id, name, email, bio FROM (VALUES
    (1,  1, 'Alice',  'alice@example.com',  'Runs the build farm'),
    (2,  1, 'Bob',    'bob@example.com',    'Keeps the lights on'),
    (3,  2, 'Carol',  'carol@example.com',  'Reconciles ledgers'),
    (4,  2, 'Dave',   'dave@example.com',   'Talks to banks'),
    (5,  3, 'Erin',   'erin@example.com',   'Tunes relevance'),
    (6,  4, 'Frank',  'frank@example.com',  'Ships the iOS app'),
    (7,  4, 'Grace',  'grace@example.com',  'Ships the Android app'),
    (8,  5, 'Heidi',  'heidi@example.com',  'Builds pipelines'),
    (9,  5, 'Ivan',   'ivan@example.com',   'Owns the warehouse'),
    (10, 6, 'Judy',   'judy@example.com',   'Reviews threat models')
) AS seed (id, team_id, name, email, bio)
WHERE NOT EXISTS (SELECT 1 FROM users);
