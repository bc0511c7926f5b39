-- v4: analytics events from enrolled kiosks, each idempotency key stored once (a resent batch is
-- ignored row by row). Store and room are the enrollment's at the time of receipt; times are UTC.
CREATE TABLE analytics_events (
    idempotency_key TEXT PRIMARY KEY NOT NULL,
    device_id       TEXT NOT NULL,
    store_id        TEXT NOT NULL,
    room            TEXT NOT NULL,
    kind            TEXT NOT NULL,
    at_ms           INTEGER NOT NULL, -- when it happened at the kiosk: unix milliseconds, UTC
    event           TEXT NOT NULL,    -- the event as JSON (atelier_domain::analytics::Event)
    received_at     INTEGER NOT NULL  -- unix seconds
) STRICT, WITHOUT ROWID;
CREATE INDEX analytics_events_by_time ON analytics_events (at_ms);
