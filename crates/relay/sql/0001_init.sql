-- v1: kiosks the relay has seen, for presence and diagnostics.
CREATE TABLE kiosks (
    device_id   TEXT PRIMARY KEY NOT NULL,
    store_id    TEXT NOT NULL,
    room        TEXT NOT NULL,
    app_version TEXT NOT NULL,
    first_seen  INTEGER NOT NULL, -- unix seconds
    last_seen   INTEGER NOT NULL  -- unix seconds
) STRICT;
CREATE INDEX kiosks_by_store ON kiosks (store_id);
