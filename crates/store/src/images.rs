//! Product images made display-ready once and stored content-addressed on disk.
//!
//! A source image (bytes from a local file, later from the relay's catalog hub) is decoded with
//! hard limits (dimensions and allocation, so a 20000×20000 PNG or a decompression bomb is refused
//! before it costs memory), turned upright by its EXIF orientation, flattened onto the card
//! background, and written in three sizes as JPEG under `images/<sha256 of the source>/`.

use std::io::Cursor;
use std::path::{Path, PathBuf};

use image::{DynamicImage, ImageDecoder, ImageReader, Limits, RgbImage};
use sha2::{Digest, Sha256};

/// The sizes the kiosk shows, as the longest side in pixels.
pub const SIZES: [(&str, u32); 3] = [("thumb", 160), ("card", 480), ("full", 1080)];
/// Largest source file accepted.
pub const MAX_SOURCE_BYTES: usize = 20 * 1024 * 1024;
/// Largest source dimensions accepted.
pub const MAX_SOURCE_SIDE_PX: u32 = 8000;
/// The background transparent images are flattened onto (the card's light neutral).
const BACKGROUND: [u8; 3] = [0xf4, 0xf1, 0xec];

/// Why an image was refused.
#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    #[error("the file is larger than {} MiB", MAX_SOURCE_BYTES / (1024 * 1024))]
    TooLarge,
    #[error("not an image, or a broken or truncated one: {0}")]
    Decode(String),
    #[error("{width}×{height} px is larger than the {MAX_SOURCE_SIDE_PX} px limit")]
    Dimensions { width: u32, height: u32 },
    #[error("could not fetch it from the relay: {0}")]
    Fetch(String),
    #[error("it is not on the relay's catalog hub (head office's file did not include it)")]
    NotOnHub,
    #[error("writing the image cache failed: {0}")]
    Io(#[from] std::io::Error),
}

/// An image made display-ready.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredImage {
    /// SHA-256 of the source bytes, hex.
    pub hash: String,
    /// Size of the `full` rendition.
    pub width_px: u32,
    pub height_px: u32,
}

/// The image cache under a data dir.
#[derive(Debug, Clone)]
pub struct ImageStore {
    root: PathBuf,
}

impl ImageStore {
    /// The cache at `<data_dir>/images`.
    pub fn new(data_dir: &Path) -> Self {
        Self {
            root: data_dir.join("images"),
        }
    }

    /// Where one rendition of an image lives.
    pub fn path(&self, hash: &str, size: &str) -> PathBuf {
        self.root.join(hash).join(format!("{size}.jpg"))
    }

    /// Makes `bytes` display-ready, unless an image with the same content is already stored.
    pub fn ingest(&self, bytes: &[u8]) -> Result<StoredImage, ImageError> {
        if bytes.len() > MAX_SOURCE_BYTES {
            return Err(ImageError::TooLarge);
        }
        let hash = hex(&Sha256::digest(bytes));
        let upright = decode_upright(bytes)?;
        let dir = self.root.join(&hash);
        std::fs::create_dir_all(&dir)?;
        let mut full = (0, 0);
        for (name, side) in SIZES {
            let img = fit(&upright, side);
            if name == "full" {
                full = img.dimensions();
            }
            let final_path = dir.join(format!("{name}.jpg"));
            if final_path.exists() {
                continue;
            }
            // Write then rename: a reader never sees half a file.
            let tmp = dir.join(format!(".{name}.jpg.tmp"));
            let mut out = std::io::BufWriter::new(std::fs::File::create(&tmp)?);
            image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85)
                .encode_image(&img)
                .map_err(|e| ImageError::Io(std::io::Error::other(e)))?;
            drop(out);
            std::fs::rename(&tmp, &final_path)?;
        }
        Ok(StoredImage {
            hash,
            width_px: full.0,
            height_px: full.1,
        })
    }
}

fn decode_upright(bytes: &[u8]) -> Result<RgbImage, ImageError> {
    let decode = |e: image::ImageError| ImageError::Decode(e.to_string());
    let reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| ImageError::Decode(e.to_string()))?;
    let mut decoder = reader.into_decoder().map_err(decode)?;
    let (width, height) = decoder.dimensions();
    if width > MAX_SOURCE_SIDE_PX || height > MAX_SOURCE_SIDE_PX {
        return Err(ImageError::Dimensions { width, height });
    }
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SOURCE_SIDE_PX);
    limits.max_image_height = Some(MAX_SOURCE_SIDE_PX);
    limits.max_alloc = Some(300 * 1024 * 1024);
    decoder.set_limits(limits).map_err(decode)?;
    let orientation = decoder.orientation().map_err(decode)?;
    let mut img = DynamicImage::from_decoder(decoder).map_err(decode)?;
    img.apply_orientation(orientation);
    Ok(flatten(&img))
}

/// Composites any transparency onto the card background.
fn flatten(img: &DynamicImage) -> RgbImage {
    let rgba = img.to_rgba8();
    RgbImage::from_fn(rgba.width(), rgba.height(), |x, y| {
        let p = rgba.get_pixel(x, y).0;
        let a = u16::from(p[3]);
        let mix = |c: u8, bg: u8| ((u16::from(c) * a + u16::from(bg) * (255 - a)) / 255) as u8;
        image::Rgb([
            mix(p[0], BACKGROUND[0]),
            mix(p[1], BACKGROUND[1]),
            mix(p[2], BACKGROUND[2]),
        ])
    })
}

/// Scales down so the longest side is at most `side` (never up).
fn fit(img: &RgbImage, side: u32) -> RgbImage {
    let (w, h) = img.dimensions();
    if w.max(h) <= side {
        return img.clone();
    }
    let scale = f64::from(side) / f64::from(w.max(h));
    let (nw, nh) = (
        ((f64::from(w) * scale).round() as u32).max(1),
        ((f64::from(h) * scale).round() as u32).max(1),
    );
    image::imageops::resize(img, nw, nh, image::imageops::FilterType::Triangle)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(w: u32, h: u32) -> Vec<u8> {
        let img = image::RgbaImage::from_fn(w, h, |x, _| image::Rgba([(x % 256) as u8, 80, 160, 255]));
        let mut out = Vec::new();
        img.write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png)
            .unwrap();
        out
    }

    #[test]
    fn makes_three_sizes_once_content_addressed() {
        let dir = tempfile::tempdir().unwrap();
        let store = ImageStore::new(dir.path());
        let bytes = png(1600, 1200);
        let a = store.ingest(&bytes).unwrap();
        assert_eq!((a.width_px, a.height_px), (1080, 810));
        for (name, side) in SIZES {
            let img = image::open(store.path(&a.hash, name)).unwrap();
            assert_eq!(img.width().max(img.height()), side.min(1600), "{name}");
        }
        assert_eq!(store.ingest(&bytes).unwrap(), a, "same content, same entry");
    }

    #[test]
    fn small_images_are_not_upscaled_and_alpha_is_flattened() {
        let dir = tempfile::tempdir().unwrap();
        let store = ImageStore::new(dir.path());
        let clear = image::RgbaImage::from_pixel(100, 50, image::Rgba([0, 0, 0, 0]));
        let mut bytes = Vec::new();
        clear
            .write_to(&mut Cursor::new(&mut bytes), image::ImageFormat::Png)
            .unwrap();
        let s = store.ingest(&bytes).unwrap();
        assert_eq!((s.width_px, s.height_px), (100, 50));
        let px = image::open(store.path(&s.hash, "card"))
            .unwrap()
            .to_rgb8()
            .get_pixel(50, 25)
            .0;
        assert!(
            px.iter().zip(BACKGROUND).all(|(a, b)| a.abs_diff(b) <= 3),
            "{px:?}"
        );
    }

    #[test]
    fn broken_truncated_and_non_images_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let store = ImageStore::new(dir.path());
        let bytes = png(300, 300);
        assert!(matches!(
            store.ingest(&bytes[..bytes.len() / 2]),
            Err(ImageError::Decode(_))
        ));
        assert!(matches!(
            store.ingest(b"<html>not an image</html>"),
            Err(ImageError::Decode(_))
        ));
        assert!(matches!(store.ingest(&[]), Err(ImageError::Decode(_))));
    }

    #[test]
    fn a_huge_png_is_refused_from_its_header_without_allocating() {
        // A valid PNG header claiming 20000×20000 followed by a tiny compressed body: a decompression bomb.
        let img = image::GrayImage::new(1, 1);
        let mut bytes = Vec::new();
        img.write_to(&mut Cursor::new(&mut bytes), image::ImageFormat::Png)
            .unwrap();
        // IHDR width/height live at bytes 16..24.
        bytes[16..20].copy_from_slice(&20_000u32.to_be_bytes());
        bytes[20..24].copy_from_slice(&20_000u32.to_be_bytes());
        // Keep the chunk's CRC valid, so the header itself is believed.
        let crc = crc32(&bytes[12..29]);
        bytes[29..33].copy_from_slice(&crc.to_be_bytes());
        let dir = tempfile::tempdir().unwrap();
        let err = ImageStore::new(dir.path()).ingest(&bytes).unwrap_err();
        assert!(
            matches!(
                err,
                ImageError::Dimensions {
                    width: 20_000,
                    height: 20_000
                }
            ),
            "{err}"
        );
    }

    fn crc32(data: &[u8]) -> u32 {
        let mut crc = !0u32;
        for &b in data {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    #[test]
    fn oversized_files_are_refused_before_decoding() {
        let dir = tempfile::tempdir().unwrap();
        let big = vec![0u8; MAX_SOURCE_BYTES + 1];
        assert!(matches!(
            ImageStore::new(dir.path()).ingest(&big),
            Err(ImageError::TooLarge)
        ));
    }
}

/// What [`process_pending`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImagesReport {
    /// Product images now display-ready.
    pub ready: u64,
    /// References that could not be made ready, with why (first 1000).
    pub rejected: Vec<(String, String)>,
    /// Remote references left for the catalog sync to fetch.
    pub remote: u64,
}

/// A reference the kiosk cannot read from disk: a URL, or an image on the relay's catalog hub.
pub fn is_remote(source: &str) -> bool {
    source.starts_with("http://") || source.starts_with("https://") || source.starts_with("hub:")
}

/// Reads a file, refusing one larger than [`MAX_SOURCE_BYTES`] without loading it.
pub fn read_capped(path: &Path) -> Result<Vec<u8>, ImageError> {
    let f = std::fs::File::open(path)?;
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(
        &mut std::io::Read::take(f, MAX_SOURCE_BYTES as u64 + 1),
        &mut bytes,
    )?;
    if bytes.len() > MAX_SOURCE_BYTES {
        return Err(ImageError::TooLarge);
    }
    Ok(bytes)
}

/// SHA-256 of `bytes`, hex: the name of an image's content.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Makes every product image still without a stored rendition display-ready. Local references are
/// resolved against `base_dir` (the import file's folder); remote ones are counted and left.
pub fn process_pending(
    conn: &rusqlite::Connection,
    store: &ImageStore,
    base_dir: &Path,
    now_unix_secs: i64,
) -> Result<ImagesReport, crate::StoreError> {
    process_pending_with(conn, store, now_unix_secs, |source| {
        if is_remote(source) {
            Ok(None)
        } else {
            read_capped(&base_dir.join(source)).map(Some)
        }
    })
}

/// Like [`process_pending`], with the bytes of each distinct source from `fetch`: `Ok(None)` leaves
/// a source for later (counted as remote), an error rejects it.
pub fn process_pending_with(
    conn: &rusqlite::Connection,
    store: &ImageStore,
    now_unix_secs: i64,
    mut fetch: impl FnMut(&str) -> Result<Option<Vec<u8>>, ImageError>,
) -> Result<ImagesReport, crate::StoreError> {
    let pending: Vec<String> = conn
        .prepare("SELECT DISTINCT source FROM product_images WHERE image_hash IS NULL ORDER BY source")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let mut report = ImagesReport::default();
    for source in pending {
        let result = match fetch(&source) {
            Ok(None) => {
                report.remote += 1;
                continue;
            }
            Ok(Some(bytes)) => store.ingest(&bytes),
            Err(e) => Err(e),
        };
        match result {
            Ok(img) => {
                conn.execute(
                    "INSERT INTO images (hash, width_px, height_px, created_at) VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (hash) DO NOTHING",
                    rusqlite::params![img.hash, img.width_px, img.height_px, now_unix_secs],
                )?;
                let n = conn.execute(
                    "UPDATE product_images SET image_hash = ?1 WHERE source = ?2 AND image_hash IS NULL",
                    rusqlite::params![img.hash, source],
                )?;
                report.ready += n as u64;
            }
            Err(e) => {
                tracing::warn!(%source, error = %e, "image rejected");
                if report.rejected.len() < 1000 {
                    report.rejected.push((source, e.to_string()));
                }
            }
        }
    }
    Ok(report)
}
