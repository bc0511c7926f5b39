-- v2: the catalog hub. Each published variant row carries the catalog version that last changed it;
-- a removed variant stays as a tombstone (row_json NULL) so kiosks learn to delete it.
CREATE TABLE catalog_rows (
    variant_sku TEXT PRIMARY KEY NOT NULL,
    row_json    TEXT,
    row_hash    INTEGER NOT NULL,
    version     INTEGER NOT NULL
) STRICT;
CREATE INDEX catalog_rows_by_version ON catalog_rows (version, variant_sku);

CREATE TABLE catalog_meta (
    key   TEXT PRIMARY KEY NOT NULL,
    value INTEGER NOT NULL
) STRICT;
