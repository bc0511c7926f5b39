-- v5: what shoppers did with the looks they were shown, so recommendations keep improving across
-- sessions and restarts. One row per product pair and per (colour relation, occasion); recording an
-- event touches only the rows it changes. Rewards are f32 sums computed by the kiosk (see
-- `atelier_domain::recommend::learning`), stored exactly as REAL.
CREATE TABLE learned_pairs (
    product_a TEXT NOT NULL,              -- product SKUs, product_a < product_b (byte order)
    product_b TEXT NOT NULL,
    reward    REAL NOT NULL,
    shows     INTEGER NOT NULL CHECK (shows >= 0),
    PRIMARY KEY (product_a, product_b),
    CHECK (product_a < product_b)
) STRICT, WITHOUT ROWID;

CREATE TABLE learned_features (
    relation TEXT NOT NULL,               -- a colour relation's stored name, e.g. 'analogous'
    occasion TEXT NOT NULL,               -- '' for "any occasion"
    reward   REAL NOT NULL,
    events   INTEGER NOT NULL CHECK (events >= 0),
    PRIMARY KEY (relation, occasion)
) STRICT, WITHOUT ROWID;

-- How many events have been recorded (a single row).
CREATE TABLE learned_totals (
    id     INTEGER PRIMARY KEY CHECK (id = 1),
    events INTEGER NOT NULL CHECK (events >= 0)
) STRICT;
INSERT INTO learned_totals (id, events) VALUES (1, 0);
