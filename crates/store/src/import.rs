//! Streaming catalog import from CSV or JSON Lines into the kiosk database.
//!
//! Rows are read one at a time (a 100k-row file is never held whole), validated by
//! [`CatalogRow::parse`], and written in batches of [`BATCH_ROWS`], each batch one transaction: a
//! killed import leaves every earlier batch in and nothing half-written. Products and variants are
//! upserted by SKU; a row whose content is unchanged writes nothing, so re-importing is idempotent.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use atelier_domain::catalog::{COLUMNS, CatalogRow, ProductInfo, VariantInfo};
use rusqlite::{Connection, OptionalExtension, Transaction, params};

/// Rows per transaction.
pub const BATCH_ROWS: usize = 2000;
/// Rejections kept with their reasons; beyond this only counted.
pub const MAX_REPORTED: usize = 1000;

/// The file formats the importer reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Comma-separated, with a header row naming the columns.
    Csv,
    /// One JSON object per line.
    JsonLines,
}

impl Format {
    /// Guesses from the file name: `.csv`, or `.jsonl` / `.ndjson` / `.json`.
    pub fn from_path(path: &Path) -> Option<Format> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "csv" => Some(Format::Csv),
            "jsonl" | "ndjson" | "json" => Some(Format::JsonLines),
            _ => None,
        }
    }
}

/// One rejected row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    /// 1-based line where the row starts.
    pub line: u64,
    pub reason: String,
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// Variants that were new.
    pub imported: u64,
    /// Variants whose content (or stock) changed.
    pub updated: u64,
    /// Valid variants identical to what the database held.
    pub unchanged: u64,
    pub rejected: u64,
    /// Rows that passed validation and were handed on.
    pub valid_rows: u64,
    /// The first [`MAX_REPORTED`] rejections.
    pub rejections: Vec<Rejection>,
}

impl ImportReport {
    /// Rows that were valid.
    pub fn valid(&self) -> u64 {
        self.imported + self.updated + self.unchanged
    }

    fn reject(&mut self, line: u64, reason: String) {
        self.rejected += 1;
        if self.rejections.len() < MAX_REPORTED {
            self.rejections.push(Rejection { line, reason });
        }
    }
}

/// Why a whole import could not run.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("cannot read {path}: {source}")]
    Open {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("the header row lacks the required column(s): {0}")]
    Header(String),
    #[error("reading the file failed: {0}")]
    Read(String),
    #[error(transparent)]
    Store(#[from] crate::StoreError),
}

impl From<rusqlite::Error> for ImportError {
    fn from(e: rusqlite::Error) -> Self {
        ImportError::Store(e.into())
    }
}

/// Imports `path` into `conn`. `progress(bytes_read, bytes_total)` is called now and then.
pub fn import_file(
    conn: &mut Connection,
    path: &Path,
    format: Format,
    now_unix_secs: i64,
    progress: impl FnMut(u64, u64),
) -> Result<ImportReport, ImportError> {
    let mut writer = Writer::new(conn, now_unix_secs);
    let mut report = stream_rows(path, format, progress, |row, report| writer.push(row, report))?;
    writer.flush(&mut report)?;
    Ok(report)
}

/// Reads `path` row by row and hands every valid row to `sink`, in file order. Rows that fail
/// validation, repeat a variant SKU, or disagree with their product's first row are rejected into
/// the report with their line. The report's imported/updated/unchanged counts are the sink's to fill.
pub fn stream_rows(
    path: &Path,
    format: Format,
    mut progress: impl FnMut(u64, u64),
    mut sink: impl FnMut(CatalogRow, &mut ImportReport) -> Result<(), ImportError>,
) -> Result<ImportReport, ImportError> {
    let open_err = |source| ImportError::Open {
        path: path.display().to_string(),
        source,
    };
    let file = File::open(path).map_err(open_err)?;
    let total = file.metadata().map(|m| m.len()).unwrap_or(0);
    let counter = CountingReader { inner: file, read: 0 };
    let mut report = ImportReport::default();
    let mut seen: HashMap<String, u64> = HashMap::new();
    // Each product's fields as first seen in this file: (fingerprint, line).
    let mut products: HashMap<String, (i64, u64)> = HashMap::new();
    let mut rows_seen = 0u64;

    let mut handle = |line: u64, row: Result<CatalogRow, String>, bytes: u64, report: &mut ImportReport| {
        match row {
            Ok(row) => {
                let product_hash = fingerprint(&(&row.product, &row.images));
                let (first_hash, first_line) = *products
                    .entry(row.product.sku.clone())
                    .or_insert((product_hash, line));
                if let Some(first) = seen.get(&row.variant.variant_sku) {
                    report.reject(
                        line,
                        format!("variant_sku: {} repeats line {first}", row.variant.variant_sku),
                    );
                } else if first_hash != product_hash {
                    report.reject(
                        line,
                        format!(
                            "sku: product {} has different product fields on line {first_line}",
                            row.product.sku
                        ),
                    );
                } else {
                    seen.insert(row.variant.variant_sku.clone(), line);
                    report.valid_rows += 1;
                    sink(row, report)?;
                }
            }
            Err(reason) => report.reject(line, reason),
        }
        rows_seen += 1;
        if rows_seen.is_multiple_of(1000) {
            progress(bytes, total);
        }
        Ok::<(), ImportError>(())
    };

    match format {
        Format::Csv => read_csv(counter, &mut report, &mut handle)?,
        Format::JsonLines => read_json_lines(counter, &mut report, &mut handle)?,
    }
    progress(total, total);
    Ok(report)
}

struct CountingReader<R> {
    inner: R,
    read: u64,
}

impl<R: Read> Read for CountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        Ok(n)
    }
}

type Handler<'h> =
    dyn FnMut(u64, Result<CatalogRow, String>, u64, &mut ImportReport) -> Result<(), ImportError> + 'h;

fn read_csv(
    input: CountingReader<File>,
    report: &mut ImportReport,
    handle: &mut Handler<'_>,
) -> Result<(), ImportError> {
    let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(input);
    let headers = rdr
        .byte_headers()
        .map_err(|e| ImportError::Read(e.to_string()))?
        .clone();
    let names: Vec<String> = headers
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let h = String::from_utf8_lossy(h);
            // A UTF-8 byte-order mark may precede the first column name.
            let h = if i == 0 {
                h.trim_start_matches('\u{feff}')
            } else {
                &h
            };
            h.trim().to_ascii_lowercase()
        })
        .collect();
    let required = [
        "sku",
        "name_en",
        "name_zh",
        "category",
        "gender",
        "seasons",
        "price",
        "currency",
        "variant_sku",
    ];
    let missing: Vec<&str> = required
        .iter()
        .copied()
        .filter(|c| !names.iter().any(|n| n == c))
        .collect();
    if !missing.is_empty() {
        return Err(ImportError::Header(missing.join(", ")));
    }
    let index: HashMap<&str, usize> = COLUMNS
        .iter()
        .filter_map(|c| names.iter().position(|n| n == c).map(|i| (*c, i)))
        .collect();

    let mut record = csv::ByteRecord::new();
    loop {
        let line = rdr.position().line();
        match rdr.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                // A broken record (e.g. an unterminated quote) ends what can be trusted of the file.
                report.reject(line, format!("unreadable CSV: {e}"));
                break;
            }
        }
        let line = record.position().map_or(line, csv::Position::line);
        let row = csv_row(&record, &index);
        let bytes = rdr.get_ref().read;
        handle(line, row, bytes, report)?;
    }
    Ok(())
}

fn csv_row(record: &csv::ByteRecord, index: &HashMap<&str, usize>) -> Result<CatalogRow, String> {
    // Decode every field first, so invalid UTF-8 is reported by column.
    let mut fields: HashMap<&str, &str> = HashMap::with_capacity(index.len());
    for (name, i) in index {
        if let Some(raw) = record.get(*i) {
            let text = std::str::from_utf8(raw).map_err(|_| format!("{name}: not valid UTF-8"))?;
            fields.insert(name, text);
        }
    }
    CatalogRow::parse(|k| fields.get(k).copied()).map_err(|e| e.to_string())
}

fn read_json_lines(
    input: CountingReader<File>,
    report: &mut ImportReport,
    handle: &mut Handler<'_>,
) -> Result<(), ImportError> {
    const MAX_LINE_BYTES: usize = 1 << 20;
    let mut reader = BufReader::new(input);
    let mut buf = Vec::new();
    let mut line = 0u64;
    loop {
        buf.clear();
        line += 1;
        // Read at most a little past the limit; drain the rest of an oversized line.
        let n = (&mut reader)
            .take(MAX_LINE_BYTES as u64 + 1)
            .read_until(b'\n', &mut buf)
            .map_err(|e| ImportError::Read(e.to_string()))?;
        if n == 0 {
            break;
        }
        if buf.len() > MAX_LINE_BYTES && !buf.ends_with(b"\n") {
            let mut sink = Vec::new();
            loop {
                sink.clear();
                let m = (&mut reader)
                    .take(1 << 16)
                    .read_until(b'\n', &mut sink)
                    .map_err(|e| ImportError::Read(e.to_string()))?;
                if m == 0 || sink.ends_with(b"\n") {
                    break;
                }
            }
            let bytes = reader.get_ref().read;
            handle(
                line,
                Err(format!("line longer than {MAX_LINE_BYTES} bytes")),
                bytes,
                report,
            )?;
            continue;
        }
        let text = buf.strip_prefix(b"\xef\xbb\xbf").unwrap_or(&buf);
        if text.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let row = json_row(text);
        let bytes = reader.get_ref().read;
        handle(line, row, bytes, report)?;
    }
    Ok(())
}

fn json_row(text: &[u8]) -> Result<CatalogRow, String> {
    let object: serde_json::Map<String, serde_json::Value> =
        serde_json::from_slice(text).map_err(|e| format!("not a JSON object: {e}"))?;
    let mut fields: HashMap<String, String> = HashMap::new();
    for (k, v) in object {
        let text = match v {
            serde_json::Value::String(s) => s,
            serde_json::Value::Number(n) => n.to_string(),
            serde_json::Value::Null => continue,
            // Lists (tags, seasons, images) as arrays of strings.
            serde_json::Value::Array(items) => items
                .iter()
                .map(|i| {
                    i.as_str()
                        .map(str::to_owned)
                        .ok_or_else(|| format!("{k}: expected a list of strings"))
                })
                .collect::<Result<Vec<_>, _>>()?
                .join("|"),
            // Stock as {"store": quantity}.
            serde_json::Value::Object(map) => map
                .iter()
                .map(|(store, q)| match q {
                    serde_json::Value::Number(n) => Ok(format!("{store}:{n}")),
                    _ => Err(format!("{k}: quantities must be numbers")),
                })
                .collect::<Result<Vec<_>, _>>()?
                .join("|"),
            serde_json::Value::Bool(_) => return Err(format!("{k}: unexpected true/false")),
        };
        fields.insert(k.to_ascii_lowercase(), text);
    }
    CatalogRow::parse(|k| fields.get(k).map(String::as_str)).map_err(|e| e.to_string())
}

/// Stable FNV-1a over the JSON of a value: detects changed rows across runs and builds.
pub fn fingerprint<T: serde::Serialize>(value: &T) -> i64 {
    let bytes = serde_json::to_vec(value).unwrap_or_default();
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h as i64
}

struct Writer<'c> {
    conn: &'c mut Connection,
    now: i64,
    pending: Vec<CatalogRow>,
    /// Products whose fields changed in this import: all their variants count as updated.
    changed_products: std::collections::HashSet<String>,
}

impl<'c> Writer<'c> {
    fn new(conn: &'c mut Connection, now: i64) -> Self {
        Self {
            conn,
            now,
            pending: Vec::with_capacity(BATCH_ROWS),
            changed_products: Default::default(),
        }
    }

    fn push(&mut self, row: CatalogRow, report: &mut ImportReport) -> Result<(), ImportError> {
        self.pending.push(row);
        if self.pending.len() >= BATCH_ROWS {
            self.flush(report)?;
        }
        Ok(())
    }

    fn flush(&mut self, report: &mut ImportReport) -> Result<(), ImportError> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        for row in self.pending.drain(..) {
            let (outcome, product_changed) = write_row(&tx, &row, self.now)?;
            if product_changed {
                self.changed_products.insert(row.product.sku.clone());
            }
            match outcome {
                Outcome::New => report.imported += 1,
                Outcome::Same if !self.changed_products.contains(&row.product.sku) => report.unchanged += 1,
                Outcome::Changed | Outcome::Same => report.updated += 1,
            }
        }
        tx.commit()?;
        Ok(())
    }
}

pub(crate) enum Outcome {
    New,
    Changed,
    Same,
}

/// Writes one row; returns what happened to the variant and whether the product's fields changed.
pub(crate) fn write_row(
    tx: &Transaction<'_>,
    row: &CatalogRow,
    now: i64,
) -> Result<(Outcome, bool), rusqlite::Error> {
    let p: &ProductInfo = &row.product;
    let p_hash = fingerprint(&(p, &row.images));
    let seasons: Vec<&str> = p.seasons.iter().map(|s| s.as_str()).collect();
    let changed_product = tx.prepare_cached(
        "INSERT INTO products (sku, name_en, name_zh, category, gender, fit, pattern, material, style_tags,
             occasion_tags, seasons, price_minor, currency, row_hash, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)
         ON CONFLICT (sku) DO UPDATE SET name_en = excluded.name_en, name_zh = excluded.name_zh,
             category = excluded.category, gender = excluded.gender, fit = excluded.fit, pattern = excluded.pattern,
             material = excluded.material, style_tags = excluded.style_tags, occasion_tags = excluded.occasion_tags,
             seasons = excluded.seasons, price_minor = excluded.price_minor, currency = excluded.currency,
             row_hash = excluded.row_hash, updated_at = excluded.updated_at
         WHERE products.row_hash != excluded.row_hash",
    )?
    .execute(params![
        p.sku,
        p.name_en,
        p.name_zh,
        p.category.as_str(),
        p.gender.as_str(),
        p.fit.as_str(),
        p.pattern.as_str(),
        p.material,
        p.style_tags.join("|"),
        p.occasion_tags.join("|"),
        seasons.join("|"),
        i64::try_from(p.price_minor).unwrap_or(i64::MAX),
        p.currency,
        p_hash,
        now,
    ])? > 0;
    if changed_product {
        tx.prepare_cached("DELETE FROM product_images WHERE product_sku = ?1")?
            .execute([&p.sku])?;
        let mut ins = tx.prepare_cached(
            "INSERT INTO product_images (product_sku, position, source) VALUES (?1, ?2, ?3)",
        )?;
        for (i, src) in row.images.iter().enumerate() {
            ins.execute(params![p.sku, i as i64, src])?;
        }
    }

    let v: &VariantInfo = &row.variant;
    let v_hash = fingerprint(&(v, &p.sku, p.category, &row.stock));
    let existing: Option<i64> = tx
        .prepare_cached("SELECT row_hash FROM variants WHERE variant_sku = ?1")?
        .query_row([&v.variant_sku], |r| r.get(0))
        .optional()?;
    let outcome = match existing {
        None => Outcome::New,
        Some(h) if h == v_hash => return Ok((Outcome::Same, changed_product)),
        Some(_) => Outcome::Changed,
    };
    tx.prepare_cached(
        "INSERT INTO variants (variant_sku, product_sku, category, colour_name_en, colour_name_zh, lab_l, lab_a, lab_b,
             size, row_hash, updated_at, barcode)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
         ON CONFLICT (variant_sku) DO UPDATE SET product_sku = excluded.product_sku, category = excluded.category,
             colour_name_en = excluded.colour_name_en, colour_name_zh = excluded.colour_name_zh,
             lab_l = excluded.lab_l, lab_a = excluded.lab_a, lab_b = excluded.lab_b, size = excluded.size,
             row_hash = excluded.row_hash, updated_at = excluded.updated_at, barcode = excluded.barcode",
    )?
    .execute(params![
        v.variant_sku,
        p.sku,
        p.category.as_str(),
        v.colour.name_en,
        v.colour.name_zh,
        f64::from(v.colour.lab.l),
        f64::from(v.colour.lab.a),
        f64::from(v.colour.lab.b),
        v.size,
        v_hash,
        now,
        v.barcode,
    ])?;
    let mut stock = tx.prepare_cached(
        "INSERT INTO stock (variant_sku, store_id, quantity, updated_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (variant_sku, store_id) DO UPDATE SET quantity = excluded.quantity, updated_at = excluded.updated_at",
    )?;
    for s in &row.stock {
        stock.execute(params![v.variant_sku, s.store_id, i64::from(s.quantity), now])?;
    }
    Ok((outcome, changed_product))
}
