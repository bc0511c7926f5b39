-- v3: catalog sync. Changes pulled from the relay wait here until the whole delta is in, then are
-- applied in one transaction; a sync that is killed resumes from the last staged change.
CREATE TABLE sync_staging (
    version     INTEGER NOT NULL,
    variant_sku TEXT NOT NULL,
    row_json    TEXT,                 -- NULL: the variant was removed
    PRIMARY KEY (version, variant_sku)
) STRICT, WITHOUT ROWID;
