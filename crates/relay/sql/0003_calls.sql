-- v3: the call core's accounts and enrolled kiosks. Secrets are kept only as hashes: argon2id PHC strings
-- for passwords, SHA-256 for device keys.
CREATE TABLE call_accounts (
    username     TEXT PRIMARY KEY NOT NULL,
    role         TEXT NOT NULL CHECK (role IN ('stylist', 'staff')),
    store_id     TEXT, -- required for staff
    display_name TEXT NOT NULL,
    password_phc TEXT NOT NULL,
    created_at   INTEGER NOT NULL, -- unix seconds
    updated_at   INTEGER NOT NULL  -- unix seconds
) STRICT;

CREATE TABLE kiosk_enrollments (
    device_id   TEXT PRIMARY KEY NOT NULL,
    store_id    TEXT NOT NULL,
    room        TEXT NOT NULL,
    key_sha256  BLOB NOT NULL CHECK (length(key_sha256) = 32),
    enrolled_at INTEGER NOT NULL -- unix seconds
) STRICT;
