-- v4: the GTIN printed on a garment's tag, so a tag held up to the mirror (or read by a hand
-- scanner) finds its variant. Optional: tags may carry the SKU itself.
ALTER TABLE variants ADD COLUMN barcode TEXT;
CREATE INDEX variants_by_barcode ON variants (barcode) WHERE barcode IS NOT NULL;
