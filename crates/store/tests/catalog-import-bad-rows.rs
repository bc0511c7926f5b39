//! Importing real files full of bad rows: every good row goes in, every bad one is reported with
//! its line, nothing panics.

#![allow(clippy::unwrap_used)] // a test panics on purpose when its set-up fails

use std::io::Write;
use std::path::PathBuf;

use atelier_domain::catalog::Category;
use atelier_domain::colour::Lab;
use atelier_store::catalog::{Filter, product, search};
use atelier_store::import::{Format, ImportError, import_file};
use atelier_store::{KIOSK_MIGRATIONS, open};

const HEADER: &str = "sku,name_en,name_zh,category,gender,fit,pattern,material,style_tags,occasion_tags,seasons,price,currency,variant_sku,colour_en,colour_zh,colour_lab,size,stock,images";

fn row(sku: &str, variant: &str, price: &str, stock: &str) -> String {
    format!(
        "{sku},Linen shirt,亚麻衬衫,top,men,regular,solid,linen,classic,work|casual,spring|summer,{price},CNY,{variant},Milk-tea beige,奶茶色,74 5 18,M,{stock},"
    )
}

fn write(name: &str, bytes: &[u8]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::File::create(&path).unwrap().write_all(bytes).unwrap();
    (dir, path)
}

fn db() -> (tempfile::TempDir, rusqlite::Connection) {
    let dir = tempfile::tempdir().unwrap();
    let conn = open(&dir.path().join("kiosk.sqlite"), &KIOSK_MIGRATIONS).unwrap();
    (dir, conn)
}

#[test]
fn csv_with_every_kind_of_bad_row() {
    let mut file = Vec::new();
    file.extend_from_slice(b"\xef\xbb\xbf"); // BOM
    file.extend_from_slice(HEADER.as_bytes());
    file.push(b'\n');
    let lines: Vec<Vec<u8>> = vec![
        row("P1", "P1-M", "299.00", "demo-sh:3|demo-bj:1").into_bytes(), // line 2: good
        row("P1", "P1-L", "-5", "demo-sh:1").into_bytes(),              // 3: negative price
        row("P2", "P2-M", "abc", "demo-sh:1").into_bytes(),             // 4: wrong type
        row("P3", "P3-M", "10", "demo-sh:-2").into_bytes(),             // 5: negative stock
        row("P1", "P1-M", "299.00", "demo-sh:3").into_bytes(),          // 6: duplicate variant sku
        // 7-8: quotes, commas and a newline inside a quoted field (a multi-line name: rejected, control char)
        "P4,\"Coat, \"\"long\"\"\",\"长\n大衣\",outerwear,women,relaxed,solid,wool,,,winter,1299,CNY,P4-S,Camel,驼色,60 12 30,S,demo-sh:2,".as_bytes().to_vec(),
        // 9: quotes and commas in a single-line name: good
        "P5,\"Coat, \"\"long\"\"\",长大衣,outerwear,women,relaxed,solid,wool,,,winter,1299,CNY,P5-S,Camel,驼色,60 12 30,S,demo-sh:2,".as_bytes().to_vec(),
        // 10: invalid UTF-8 in a name
        [b"P6,Bad \xff\xfe name,x,top,men,,,,,,summer,1,CNY,P6-M,Red,red,50 60 40,M,," as &[u8]].concat(),
        // 11: markup in the name: kept as text (good)
        "P7,<script>alert(1)</script>,<b>粗</b>,top,women,,,,,,summer,99,CNY,P7-M,Black,黑色,10 0 0,M,demo-sh:5,".as_bytes().to_vec(),
        // 12: a 10 MB field
        format!("P8,{},x,top,men,,,,,,summer,1,CNY,P8-M,Red,red,50 60 40,M,,", "y".repeat(10 * 1024 * 1024)).into_bytes(),
        // 13: missing columns (short row)
        b"P9,Short row".to_vec(),
        // 14: good, after all that
        row("P10", "P10-M", "199", "demo-sh:0").into_bytes(),
    ];
    for l in lines {
        file.extend_from_slice(&l);
        file.push(b'\n');
    }
    let (_d, path) = write("catalog.csv", &file);
    let (_db, mut conn) = db();
    let report = import_file(&mut conn, &path, Format::Csv, 1, |_, _| {}).unwrap();

    let lines: Vec<(u64, &str)> = report
        .rejections
        .iter()
        .map(|r| (r.line, r.reason.as_str()))
        .collect();
    let expect = [
        (3, "price: must not be negative"),
        (4, "price: \"abc\" is not a price"),
        (5, "stock: demo-sh: quantity must not be negative"),
        (6, "variant_sku: P1-M repeats line 2"),
        (7, "name_zh: contains control characters"),
        (10, "name_en: not valid UTF-8"),
        (12, "name_en: is longer than 120 characters"),
        (13, "name_zh: is missing"),
    ];
    for (line, why) in expect {
        assert!(
            lines.iter().any(|(l, r)| *l == line && r.starts_with(why)),
            "line {line} `{why}` not in {lines:#?}"
        );
    }
    assert_eq!(report.rejected, 8, "{lines:#?}");
    assert_eq!(report.imported, 4, "P1-M, P5-S, P7-M, P10-M");

    let coat = product(&conn, "P5", "demo-sh").unwrap().unwrap();
    assert_eq!(coat.name_en, "Coat, \"long\"");
    let markup = product(&conn, "P7", "demo-sh").unwrap().unwrap();
    assert_eq!(markup.name_en, "<script>alert(1)</script>");
    assert_eq!(
        product(&conn, "P1", "demo-bj").unwrap().unwrap().variants[0].quantity,
        1
    );
}

#[test]
fn reimport_is_idempotent_and_updates_only_what_changed() {
    let body = format!(
        "{HEADER}\n{}\n{}\n",
        row("P1", "P1-M", "299", "demo-sh:3"),
        row("P1", "P1-L", "299", "demo-sh:0")
    );
    let (_d, path) = write("c.csv", body.as_bytes());
    let (_db, mut conn) = db();
    let first = import_file(&mut conn, &path, Format::Csv, 1, |_, _| {}).unwrap();
    assert_eq!((first.imported, first.updated, first.unchanged), (2, 0, 0));
    let again = import_file(&mut conn, &path, Format::Csv, 2, |_, _| {}).unwrap();
    assert_eq!((again.imported, again.updated, again.unchanged), (0, 0, 2));

    let changed = format!(
        "{HEADER}\n{}\n{}\n",
        row("P1", "P1-M", "299", "demo-sh:2"),
        row("P1", "P1-L", "299", "demo-sh:0")
    );
    let (_d2, path2) = write("c2.csv", changed.as_bytes());
    let third = import_file(&mut conn, &path2, Format::Csv, 3, |_, _| {}).unwrap();
    assert_eq!((third.imported, third.updated, third.unchanged), (0, 1, 1));
    let n: i64 = conn
        .query_row("SELECT COUNT(*) FROM variants", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 2);
}

#[test]
fn json_lines_with_bad_lines() {
    let good = r#"{"sku":"J1","name_en":"Wrap dress","name_zh":"裹身裙","category":"dress","gender":"women","seasons":["spring","summer"],"price":459,"currency":"CNY","variant_sku":"J1-S","colour_en":"Dusty blue","colour_zh":"雾霾蓝","colour_lab":"62 -3 -18","size":"S","stock":{"demo-sh":4},"style_tags":["romantic"]}"#;
    let body = [
        good.to_owned(),
        "not json at all".to_owned(),
        "".to_owned(),
        good.replace("J1-S", "J1-M")
            .replace("\"price\":459", "\"price\":\"cheap\""),
        good.replace("J1-S", "J1-L")
            .replace("\"stock\":{\"demo-sh\":4}", "\"stock\":{\"demo-sh\":\"four\"}"),
        "[1,2,3]".to_owned(),
        good.replace("J1-S", "J1-XL"),
    ]
    .join("\n");
    let (_d, path) = write("c.jsonl", body.as_bytes());
    let (_db, mut conn) = db();
    let report = import_file(&mut conn, &path, Format::JsonLines, 1, |_, _| {}).unwrap();
    let lines: Vec<u64> = report.rejections.iter().map(|r| r.line).collect();
    assert_eq!(lines, vec![2, 4, 5, 6], "{:#?}", report.rejections);
    assert_eq!(report.imported, 2);
    let hits = search(
        &conn,
        &Filter {
            store_id: "demo-sh",
            category: Some(Category::Dress),
            size: Some("s"),
            in_stock: true,
            colour: None,
            limit: 10,
        },
    )
    .unwrap();
    // J1-XL's line only changed its variant SKU: it is also size S.
    assert_eq!(
        hits.iter().map(|h| h.variant_sku.as_str()).collect::<Vec<_>>(),
        vec!["J1-S", "J1-XL"]
    );
}

#[test]
fn a_file_without_the_required_columns_is_refused_whole() {
    let (_d, path) = write("c.csv", b"name,price\nx,1\n");
    let (_db, mut conn) = db();
    let err = import_file(&mut conn, &path, Format::Csv, 1, |_, _| {}).unwrap_err();
    assert!(
        matches!(&err, ImportError::Header(m) if m.contains("sku") && m.contains("variant_sku")),
        "{err}"
    );
    let missing = import_file(
        &mut conn,
        std::path::Path::new("/nonexistent/c.csv"),
        Format::Csv,
        1,
        |_, _| {},
    );
    assert!(matches!(missing, Err(ImportError::Open { .. })));
}

#[test]
fn colour_search_uses_ciede2000_and_stock() {
    let mut body = String::from(HEADER);
    body.push('\n');
    // Near the target (dusty blue 62 -3 -18), far from it, and near but out of stock.
    body += "A,Near,近,top,women,,,,,,all,1,CNY,A-M,Blue,蓝,61 -3 -17,M,demo-sh:1,\n";
    body += "B,Far,远,top,women,,,,,,all,1,CNY,B-M,Red,红,50 60 40,M,demo-sh:1,\n";
    body += "C,Near but sold out,近,top,women,,,,,,all,1,CNY,C-M,Blue,蓝,62 -3 -19,M,demo-sh:0,\n";
    let (_d, path) = write("c.csv", body.as_bytes());
    let (_db, mut conn) = db();
    import_file(&mut conn, &path, Format::Csv, 1, |_, _| {}).unwrap();
    let target = Lab {
        l: 62.0,
        a: -3.0,
        b: -18.0,
    };
    let filter = |in_stock| Filter {
        store_id: "demo-sh",
        category: Some(Category::Top),
        size: Some("M"),
        in_stock,
        colour: Some((target, 5.0)),
        limit: 10,
    };
    let hits = search(&conn, &filter(true)).unwrap();
    assert_eq!(
        hits.iter().map(|h| h.variant_sku.as_str()).collect::<Vec<_>>(),
        vec!["A-M"]
    );
    let all = search(&conn, &filter(false)).unwrap();
    assert_eq!(
        all.iter().map(|h| h.variant_sku.as_str()).collect::<Vec<_>>(),
        vec!["C-M", "A-M"],
        "closest first"
    );
}

#[test]
fn a_product_whose_rows_disagree_keeps_its_first_version() {
    let body = format!(
        "{HEADER}\n{}\n{}\n",
        row("P1", "P1-M", "299", "demo-sh:3"),
        row("P1", "P1-L", "199", "demo-sh:3")
    );
    let (_d, path) = write("c.csv", body.as_bytes());
    let (_db, mut conn) = db();
    let report = import_file(&mut conn, &path, Format::Csv, 1, |_, _| {}).unwrap();
    assert_eq!(report.imported, 1);
    assert_eq!(report.rejections[0].line, 3);
    assert_eq!(
        report.rejections[0].reason,
        "sku: product P1 has different product fields on line 2"
    );
}

#[test]
fn the_documented_examples_import_cleanly() {
    let docs = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/examples");
    let (_db, mut conn) = db();
    let csv = import_file(&mut conn, &docs.join("catalog.csv"), Format::Csv, 1, |_, _| {}).unwrap();
    assert_eq!((csv.imported, csv.rejected), (4, 0), "{:?}", csv.rejections);
    let jsonl = import_file(
        &mut conn,
        &docs.join("catalog.jsonl"),
        Format::JsonLines,
        1,
        |_, _| {},
    )
    .unwrap();
    assert_eq!((jsonl.imported, jsonl.rejected), (2, 0), "{:?}", jsonl.rejections);
    let chinos = product(&conn, "M-CHN-0002", "demo-sh").unwrap().unwrap();
    assert_eq!(chinos.name_en, "Chinos, straight leg");
}

#[test]
fn images_are_processed_once_and_bad_ones_reported() {
    use atelier_store::images::{ImageStore, process_pending};
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("images")).unwrap();
    let img = image::RgbImage::from_pixel(640, 800, image::Rgb([120, 140, 200]));
    img.save(dir.path().join("images/good.png")).unwrap();
    std::fs::write(dir.path().join("images/broken.png"), b"\x89PNG\r\n\x1a\nnope").unwrap();
    let body = format!(
        "{HEADER}\nA,Shirt,衬衫,top,men,,,,,,summer,1,CNY,A-M,White,白,95 0 2,M,,images/good.png\n\
         B,Shirt,衬衫,top,men,,,,,,summer,1,CNY,B-M,White,白,95 0 2,M,,images/good.png|images/broken.png|images/missing.png\n\
         C,Shirt,衬衫,top,men,,,,,,summer,1,CNY,C-M,White,白,95 0 2,M,,https://hub.example/c.png\n"
    );
    let path = dir.path().join("c.csv");
    std::fs::write(&path, body).unwrap();
    let (_db, mut conn) = db();
    import_file(&mut conn, &path, Format::Csv, 1, |_, _| {}).unwrap();
    let store = ImageStore::new(dir.path());
    let report = process_pending(&conn, &store, dir.path(), 1).unwrap();
    assert_eq!(report.ready, 2, "good.png serves A and B");
    assert_eq!(report.remote, 1);
    let rejected: Vec<&str> = report.rejected.iter().map(|(s, _)| s.as_str()).collect();
    assert_eq!(rejected, vec!["images/broken.png", "images/missing.png"]);
    let hash: String = conn
        .query_row(
            "SELECT image_hash FROM product_images WHERE product_sku = 'A'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(store.path(&hash, "card").exists());
    let again = process_pending(&conn, &store, dir.path(), 2).unwrap();
    assert_eq!(again.ready, 0, "nothing left to do for good.png");
}

#[test]
fn cards_show_colours_and_sizes_in_stock_here() {
    use atelier_store::catalog::{cards, category_counts};
    let docs = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/examples");
    let (_db, mut conn) = db();
    import_file(&mut conn, &docs.join("catalog.csv"), Format::Csv, 1, |_, _| {}).unwrap();
    let (page, total) = cards(&conn, "demo-sh", Some(Category::Top), 0, 10).unwrap();
    assert_eq!((page.len(), total), (1, 1));
    let blouse = &page[0];
    assert_eq!(
        blouse.colours.iter().map(|c| c.0.as_str()).collect::<Vec<_>>(),
        vec!["Dusty blue", "Milk-tea beige"]
    );
    // S (3 in demo-sh) and M in milk-tea (2); dusty blue M is sold out here but M is in stock in another colour.
    // S (3 in demo-sh) and M in milk-tea (2); dusty blue M is sold out here, but M is in stock in another colour.
    assert_eq!(blouse.sizes_in_stock, vec!["S", "M"]);
    let (_, all) = cards(&conn, "demo-sh", None, 0, 1).unwrap();
    assert_eq!(all, 2);
    assert_eq!(
        category_counts(&conn).unwrap(),
        vec![(Category::Top, 1), (Category::Bottom, 1)]
    );
}
