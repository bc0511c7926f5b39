-- v2: the catalog, stock per store, image references, ephemeral shopper sessions and the event outbox.

CREATE TABLE products (
    sku           TEXT PRIMARY KEY NOT NULL,
    name_en       TEXT NOT NULL,
    name_zh       TEXT NOT NULL,
    category      TEXT NOT NULL,
    gender        TEXT NOT NULL,
    fit           TEXT NOT NULL,
    pattern       TEXT NOT NULL,
    material      TEXT NOT NULL,
    style_tags    TEXT NOT NULL,           -- '|'-joined, sorted
    occasion_tags TEXT NOT NULL,           -- '|'-joined, sorted
    seasons       TEXT NOT NULL,           -- '|'-joined, sorted
    price_minor   INTEGER NOT NULL CHECK (price_minor >= 0),
    currency      TEXT NOT NULL,
    row_hash      INTEGER NOT NULL,        -- of the fields above: skip unchanged rows on re-import
    updated_at    INTEGER NOT NULL
) STRICT;

CREATE TABLE variants (
    variant_sku    TEXT PRIMARY KEY NOT NULL,
    product_sku    TEXT NOT NULL REFERENCES products (sku) ON DELETE CASCADE,
    category       TEXT NOT NULL,          -- copied from the product: filters need no join to narrow
    colour_name_en TEXT NOT NULL,
    colour_name_zh TEXT NOT NULL,
    lab_l          REAL NOT NULL,
    lab_a          REAL NOT NULL,
    lab_b          REAL NOT NULL,
    size           TEXT NOT NULL,
    row_hash       INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
) STRICT;
CREATE INDEX variants_by_product ON variants (product_sku);
-- Covering index for filter searches: the scan never has to visit the table.
CREATE INDEX variants_by_filter ON variants (category, size, lab_l, lab_a, lab_b, variant_sku, product_sku);

CREATE TABLE stock (
    variant_sku TEXT NOT NULL REFERENCES variants (variant_sku) ON DELETE CASCADE,
    store_id    TEXT NOT NULL,
    quantity    INTEGER NOT NULL CHECK (quantity >= 0),
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (variant_sku, store_id)
) STRICT, WITHOUT ROWID;

-- Images are stored content-addressed on disk (by SHA-256 of the display-ready bytes).
CREATE TABLE images (
    hash       TEXT PRIMARY KEY NOT NULL,
    width_px   INTEGER NOT NULL,
    height_px  INTEGER NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE product_images (
    product_sku TEXT NOT NULL REFERENCES products (sku) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    source      TEXT NOT NULL,             -- path or URL as imported
    image_hash  TEXT REFERENCES images (hash),  -- NULL until fetched and made display-ready
    PRIMARY KEY (product_sku, position)
) STRICT;

-- Everything of a shopper's session, erased when the session ends.
CREATE TABLE shopper_sessions (
    id         INTEGER PRIMARY KEY,
    started_at INTEGER NOT NULL
) STRICT;
CREATE TABLE session_items (
    session_id INTEGER NOT NULL REFERENCES shopper_sessions (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    payload    TEXT NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX session_items_by_session ON session_items (session_id);

-- Events for the relay, sent at least once; the key makes resending harmless.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    idempotency_key TEXT NOT NULL UNIQUE,
    kind            TEXT NOT NULL,
    payload         TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    sent_at         INTEGER
) STRICT;
CREATE INDEX outbox_unsent ON outbox (id) WHERE sent_at IS NULL;
