-- v1: kiosk settings that staff change at run time (the config file holds the installer's defaults).
CREATE TABLE settings (
    key        TEXT PRIMARY KEY NOT NULL,
    value      TEXT NOT NULL,
    updated_at INTEGER NOT NULL -- unix seconds
) STRICT;
