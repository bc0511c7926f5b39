//! Malformed, oversized and hostile messages: each refused with its own reason, the board unchanged.

use std::time::Instant;

use super::super::*;
use super::{F1, F2, S, board, board_with, catalog, roomy};

/// Sends `bytes`, expects a refusal, and checks that nothing on the board moved.
fn refused(b: &mut Board, from: ParticipantId, bytes: &[u8]) -> Rejected {
    let (state, seq) = (b.state().clone(), b.seq());
    let err = b
        .apply_raw(from, bytes, Instant::now(), catalog)
        .expect_err("should be refused");
    assert_eq!(*b.state(), state, "state changed on {err:?}");
    assert_eq!(b.seq(), seq, "seq moved on {err:?}");
    err
}

fn refused_json(b: &mut Board, from: ParticipantId, json: &str) -> Rejected {
    refused(b, from, json.as_bytes())
}

#[test]
fn malformed_json_is_refused_as_not_json() {
    let (mut b, _) = board();
    for bad in [
        "",
        "{",
        "not json",
        "{\"type\":\"chat\",\"text\":\"a\"",
        "\u{0}",
        "[1,2",
    ] {
        assert!(
            matches!(refused_json(&mut b, F1, bad), Rejected::NotJson { .. }),
            "{bad:?}"
        );
    }
    assert!(matches!(
        refused(&mut b, F1, &[0xff, 0xfe, b'{']),
        Rejected::NotJson { .. }
    ));
}

#[test]
fn an_oversized_message_is_refused_before_it_is_parsed() {
    let (mut b, _) = board();
    // Not JSON at all: had it been parsed first, the reason would be NotJson.
    let big = vec![b'x'; 8 * 1024 + 1];
    assert_eq!(
        refused(&mut b, F1, &big),
        Rejected::TooLarge {
            len_bytes: 8193,
            max_bytes: 8192
        }
    );
    let padded = format!(r#"{{"type":"chat","text":"{}"}}"#, "a".repeat(9000));
    assert!(matches!(
        refused_json(&mut b, F1, &padded),
        Rejected::TooLarge { .. }
    ));
}

#[test]
fn unknown_or_missing_types_are_told_apart_from_bad_fields() {
    let (mut b, _) = board();
    for bad in [
        r#"{"type":"launchMissiles"}"#,
        r#"{"text":"no type"}"#,
        r#"{"type":7}"#,
        r#"[{"type":"chat"}]"#,
        r#""chat""#,
        r#"{"type":"Chat","text":"case matters"}"#,
    ] {
        assert_eq!(refused_json(&mut b, F1, bad), Rejected::UnknownType, "{bad}");
    }
    for bad in [
        r#"{"type":"chat"}"#,
        r#"{"type":"chat","text":5}"#,
        r#"{"type":"chat","text":"hi","admin":true}"#,
        r#"{"type":"react","reaction":"skull"}"#,
        r#"{"type":"draw","points":[[0.1]],"colour":"red","width":2}"#,
        r#"{"type":"draw","points":[[0.1,0.2]],"colour":"ultraviolet","width":2}"#,
        r#"{"type":"draw","points":[[0.1,0.2]],"colour":"red","width":-1}"#,
        r#"{"type":"draw","points":[[0.1,0.2]],"colour":"red","width":2.5}"#,
        r#"{"type":"vote","sku":"SKU-1","choice":"maybe"}"#,
    ] {
        assert_eq!(refused_json(&mut b, F1, bad), Rejected::BadShape, "{bad}");
    }
}

#[test]
fn non_finite_and_out_of_range_coordinates_are_refused() {
    let (mut b, _) = board();
    let draw = |pts: &str| format!(r#"{{"type":"draw","points":{pts},"colour":"red","width":2}}"#);
    // JSON has no NaN or infinity; the literals are not JSON.
    for pts in ["[[NaN,0.5]]", "[[0.5,Infinity]]", "[[1e999,0.5]]"] {
        assert!(
            matches!(refused_json(&mut b, F1, &draw(pts)), Rejected::NotJson { .. }),
            "{pts}"
        );
    }
    // A number too big for f32 becomes infinite on the way in, and is caught.
    assert_eq!(
        refused_json(&mut b, F1, &draw("[[0.5,0.5],[1e300,0]]")),
        Rejected::BadCoordinate { index: 1 }
    );
    for pts in ["[[1.0001,0.5]]", "[[0.5,-0.0001]]", "[[-3,7]]"] {
        assert_eq!(
            refused_json(&mut b, F1, &draw(pts)),
            Rejected::BadCoordinate { index: 0 },
            "{pts}"
        );
    }
    // An intent built in code can carry a real NaN.
    let nan = Intent::Draw {
        points: vec![Point(f32::NAN, 0.5)],
        colour: StrokeColour::Red,
        width: 2,
    };
    let seq = b.seq();
    assert_eq!(
        b.apply_intent(F1, nan, Instant::now(), catalog),
        Err(Rejected::BadCoordinate { index: 0 })
    );
    assert_eq!(b.seq(), seq);
}

#[test]
fn strokes_with_too_many_points_no_points_or_a_bad_width_are_refused() {
    let (mut b, _) = board_with(BoardConfig {
        max_points_per_stroke: 4,
        ..roomy()
    });
    let five = r#"{"type":"draw","points":[[0,0],[0,0],[0,0],[0,0],[0,0]],"colour":"red","width":2}"#;
    assert_eq!(
        refused_json(&mut b, F1, five),
        Rejected::TooManyPoints { count: 5, max: 4 }
    );
    let none = r#"{"type":"draw","points":[],"colour":"red","width":2}"#;
    assert_eq!(
        refused_json(&mut b, F1, none),
        Rejected::Empty { field: "points" }
    );
    for w in [0, 21, 4_000_000_000u32] {
        let json = format!(r#"{{"type":"draw","points":[[0,0]],"colour":"red","width":{w}}}"#);
        assert_eq!(
            refused_json(&mut b, F1, &json),
            Rejected::BadWidth {
                width: w,
                max: MAX_STROKE_WIDTH
            }
        );
    }
}

#[test]
fn control_and_direction_override_characters_are_refused() {
    let (mut b, _) = board();
    for text in [
        "line\\nbreak",
        "bell\\u0007",
        "\\u202Eevil",
        "tab\\there",
        "\\u0000",
        "\\r",
    ] {
        let json = format!(r#"{{"type":"chat","text":"{text}"}}"#);
        assert_eq!(
            refused_json(&mut b, F1, &json),
            Rejected::ControlChars { field: "text" },
            "{text}"
        );
    }
    let note = r#"{"type":"pushCard","sku":"SKU-1","note":"a\u2066b"}"#;
    assert_eq!(
        refused_json(&mut b, S, note),
        Rejected::ControlChars { field: "note" }
    );
    // Markup and any script are text, shown as typed.
    assert!(
        b.apply_raw(
            F1,
            r#"{"type":"chat","text":"<b>好看</b> 👍"}"#.as_bytes(),
            Instant::now(),
            catalog
        )
        .is_ok()
    );
}

#[test]
fn blank_and_overlong_texts_are_refused() {
    let (mut b, _) = board();
    assert_eq!(
        refused_json(&mut b, F1, r#"{"type":"chat","text":"   "}"#),
        Rejected::Empty { field: "text" }
    );
    let long = format!(
        r#"{{"type":"chat","text":"{}"}}"#,
        "好".repeat(MAX_CHAT_CHARS + 1)
    );
    assert_eq!(
        refused_json(&mut b, F1, &long),
        Rejected::TooLong {
            field: "text",
            max_chars: MAX_CHAT_CHARS
        }
    );
    let exactly = format!(r#"{{"type":"chat","text":"{}"}}"#, "好".repeat(MAX_CHAT_CHARS));
    assert!(
        b.apply_raw(F1, exactly.as_bytes(), Instant::now(), catalog)
            .is_ok()
    );
    let size = r#"{"type":"pushCard","sku":"SKU-1","size":"XXXXXXXXXXXXL"}"#;
    assert_eq!(
        refused_json(&mut b, S, size),
        Rejected::TooLong {
            field: "size",
            max_chars: MAX_SIZE_CHARS
        }
    );
}

#[test]
fn unknown_products_and_malformed_skus_are_refused() {
    let (mut b, _) = board();
    assert_eq!(
        refused_json(&mut b, S, r#"{"type":"pushCard","sku":"GONE-1"}"#),
        Rejected::UnknownProduct
    );
    assert_eq!(
        refused_json(
            &mut b,
            S,
            r#"{"type":"pushCard","sku":"SKU-1","variant":"GONE-1-M"}"#
        ),
        Rejected::UnknownProduct
    );
    assert_eq!(
        refused_json(&mut b, F1, r#"{"type":"vote","sku":"GONE-1","choice":"keep"}"#),
        Rejected::UnknownProduct
    );
    for sku in ["", "SKU 1", "SKU-1/../x", "SKU-\u{e9}", &"S".repeat(41)] {
        let json = format!(r#"{{"type":"pushCard","sku":"{sku}"}}"#);
        assert_eq!(
            refused_json(&mut b, S, &json),
            Rejected::BadSku { field: "sku" },
            "{sku}"
        );
    }
    assert_eq!(
        refused_json(&mut b, S, r#"{"type":"pushCard","sku":"SKU-1","variant":"a b"}"#),
        Rejected::BadSku { field: "variant" }
    );
}

#[test]
fn each_role_is_held_to_its_permissions() {
    let (mut b, _) = board();
    let forbidden = |role, action| Rejected::Forbidden { role, action };
    assert_eq!(
        refused_json(&mut b, F1, r#"{"type":"pushCard","sku":"SKU-1"}"#),
        forbidden(Role::Friend, Action::PushCard)
    );
    assert_eq!(
        refused_json(&mut b, F1, r#"{"type":"removeCard","card":1}"#),
        forbidden(Role::Friend, Action::RemoveCard)
    );
    assert_eq!(
        refused_json(&mut b, F2, r#"{"type":"clear","scope":"all"}"#),
        forbidden(Role::Friend, Action::ClearAll)
    );
    assert_eq!(
        refused_json(&mut b, S, r#"{"type":"vote","sku":"SKU-1","choice":"keep"}"#),
        forbidden(Role::Stylist, Action::Vote)
    );
    // Permission comes before content: a friend learns nothing about the catalog.
    assert_eq!(
        refused_json(&mut b, F1, r#"{"type":"pushCard","sku":"GONE-1"}"#),
        forbidden(Role::Friend, Action::PushCard)
    );
}

#[test]
fn removing_a_missing_card_and_voting_on_too_many_items_are_refused() {
    let (mut b, _) = board_with(BoardConfig {
        max_voted_items: 2,
        ..roomy()
    });
    assert_eq!(
        refused_json(&mut b, S, r#"{"type":"removeCard","card":12345}"#),
        Rejected::UnknownCard
    );
    let now = Instant::now();
    for sku in ["SKU-1", "SKU-2"] {
        let json = format!(r#"{{"type":"vote","sku":"{sku}","choice":"keep"}}"#);
        b.apply_raw(F1, json.as_bytes(), now, catalog).unwrap();
    }
    assert_eq!(
        refused_json(&mut b, F2, r#"{"type":"vote","sku":"SKU-3","choice":"keep"}"#),
        Rejected::TooManyItems { max: 2 }
    );
    // Items already voted on still take votes.
    assert!(
        b.apply_raw(
            F2,
            r#"{"type":"vote","sku":"SKU-2","choice":"skip"}"#.as_bytes(),
            now,
            catalog
        )
        .is_ok()
    );
}

#[test]
fn a_refusal_never_carries_what_was_sent() {
    let (mut b, _) = board();
    let secret = "my-card-number-4111";
    let attempts = [
        format!(r#"{{"type":"chat","text":"{secret}","x":1}}"#),
        format!(r#"{{"type":"{secret}"}}"#),
        format!(r#"{{"type":"chat","text":"{secret}\u0007"}}"#),
        format!(r#"{{"type":"pushCard","sku":"{secret}!"}}"#),
        format!(r#"{{"type":"chat","text":"{secret}"#),
    ];
    for json in attempts {
        let err = refused_json(&mut b, F1, &json);
        let shown = format!(
            "{err} {err:?} {}",
            serde_json::to_string(&BoardMessage::Error { code: err.code() }).unwrap()
        );
        assert!(!shown.contains(secret), "{shown}");
    }
}

#[test]
fn every_intent_type_is_listed_and_round_trips() {
    let samples = [
        Intent::Sync {
            epoch: Some(1),
            last_seq: Some(2),
        },
        Intent::PushCard {
            sku: "SKU-1".into(),
            variant: None,
            colour: None,
            size: None,
            note: None,
        },
        Intent::RemoveCard { card: CardId(1) },
        Intent::Draw {
            points: vec![Point(0.5, 0.25)],
            colour: StrokeColour::Pink,
            width: 3,
        },
        Intent::Clear {
            scope: ClearScope::Mine,
        },
        Intent::Vote {
            sku: "SKU-1".into(),
            choice: VoteChoice::SizeUp,
        },
        Intent::Unvote { sku: "SKU-1".into() },
        Intent::Chat { text: "hi".into() },
        Intent::React {
            reaction: Reaction::ThumbsUp,
        },
    ];
    assert_eq!(samples.len(), Intent::TYPES.len());
    for intent in samples {
        let json = serde_json::to_string(&intent).unwrap();
        let value: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert!(Intent::TYPES.contains(&value["type"].as_str().unwrap()), "{json}");
        assert_eq!(decode_intent(json.as_bytes(), 8192).unwrap(), intent);
    }
    let draw = r#"{"type":"draw","points":[[0.5,0.25]],"colour":"pink","width":3}"#;
    assert!(matches!(
        decode_intent(draw.as_bytes(), 8192),
        Ok(Intent::Draw { .. })
    ));
    let sync = r#"{"type":"sync","epoch":7,"lastSeq":12}"#;
    assert_eq!(
        decode_intent(sync.as_bytes(), 8192),
        Ok(Intent::Sync {
            epoch: Some(7),
            last_seq: Some(12)
        })
    );
}

#[test]
fn a_full_board_still_fits_one_data_channel_message() {
    // Everything at its default limit, every text at its longest, in three-byte characters.
    let config = BoardConfig {
        rate_burst: u32::MAX,
        rate_per_sec: u32::MAX,
        ..BoardConfig::default()
    };
    let c = config.clone();
    let t0 = Instant::now();
    let mut b = Board::new(config, u32::MAX);
    let name = "名".repeat(MAX_NAME_CHARS);
    for i in 0..c.max_participants as u64 {
        let role = if i == 0 { Role::Stylist } else { Role::Friend };
        b.join(ParticipantId(u64::from(u32::MAX) + i), role, &name, t0)
            .unwrap();
    }
    let stylist = ParticipantId(u64::from(u32::MAX));
    let long = |n: usize| "字".repeat(n);
    for i in 0..c.max_cards {
        let card = Intent::PushCard {
            sku: format!("SKU-{i:0>36}"),
            variant: Some(format!("SKU-{i:0>36}")),
            colour: Some(long(MAX_COLOUR_CHARS)),
            size: Some(long(MAX_SIZE_CHARS)),
            note: Some(long(MAX_NOTE_CHARS)),
        };
        b.apply_intent(stylist, card, t0, catalog).unwrap();
    }
    let points: Vec<Point> = (0..c.max_points_per_stroke)
        .map(|i| Point(0.1234 + i as f32 * 1e-4, 0.5678))
        .collect();
    for _ in 0..c.max_strokes {
        let draw = Intent::Draw {
            points: points.clone(),
            colour: StrokeColour::Yellow,
            width: 20,
        };
        b.apply_intent(stylist, draw, t0, catalog).unwrap();
    }
    for i in 0..c.max_voted_items {
        for f in 1..c.max_participants as u64 {
            let vote = Intent::Vote {
                sku: format!("SKU-{i:0>36}"),
                choice: VoteChoice::SizeUp,
            };
            b.apply_intent(ParticipantId(u64::from(u32::MAX) + f), vote, t0, catalog)
                .unwrap();
        }
    }
    for _ in 0..c.max_chat {
        b.apply_intent(
            stylist,
            Intent::Chat {
                text: long(MAX_CHAT_CHARS),
            },
            t0,
            catalog,
        )
        .unwrap();
    }
    for _ in 0..c.max_reactions {
        b.apply_intent(
            stylist,
            Intent::React {
                reaction: Reaction::ThumbsDown,
            },
            t0,
            catalog,
        )
        .unwrap();
    }
    assert_eq!(
        b.state().total_points(),
        c.max_total_points - c.max_total_points % c.max_points_per_stroke
    );
    let json = serde_json::to_string(&BoardMessage::Snapshot(b.snapshot())).unwrap();
    // Chromium's SCTP message limit is 256 KiB.
    assert!(json.len() < 256 * 1024, "snapshot of {} bytes", json.len());
}
