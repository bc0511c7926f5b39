//! Personal colour palettes: named garment colours (English and Simplified Chinese) and the rules
//! that choose, from a shopper's skin analysis, the colours that flatter and the ones to avoid.
//!
//! The rules, in the order they add up (each colour gets a score; the best eight with a positive
//! score flatter, the worst five with a negative score are to avoid):
//! 1. **Temperature.** Each library colour is classed warm, cool or neutral by a stylist's eye (the
//!    table below). A warm undertone scores warm +2, neutral +1, cool −2; a cool undertone the mirror
//!    image; a neutral undertone scores neutral +2 and both others +0.5, except very saturated
//!    colours (C* > 45) which get 0 (they need a clear warm or cool skin to carry them).
//! 2. **Separation from the skin.** A colour within ΔE2000 8 of the skin merges with it near the
//!    face: −2. A lightness difference from the skin between 20 and 60 frames the face: +1; under 10
//!    it washes out: −1.
//! 3. **Contrast.** High contrast (dark hair or eyes on light skin, or the reverse) carries stark and
//!    clear colours: C* > 40 or a near-black / near-white +1. Low contrast is overwhelmed by them:
//!    near-black or near-white −1.5, C* > 55 −1, muted (C* < 35) +1. Medium: 20 < C* < 50 +0.5.
//! 4. **Depth.** Light skin (Monk 1–4) with soft pastels (L* > 75, 10 < C* < 35) +0.5, with
//!    near-black −0.5 unless contrast is high; deep skin (Monk 8–10) with jewel tones (30 < L* < 60,
//!    C* > 40) +0.5 and with colours darker than L* 25 −0.5 (they merge in low light).
//!
//! Ties are broken by the English name, so the same analysis always gives the same palette.

use serde::{Deserialize, Serialize};

use crate::catalog::NamedColour;
use crate::colour::{Lab, delta_e_2000, lab_from_srgb8};

/// A colour's temperature as a stylist classes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Temperature {
    Warm,
    Cool,
    Neutral,
}

/// One entry of the palette library.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LibraryColour {
    pub name_en: &'static str,
    pub name_zh: &'static str,
    pub srgb: [u8; 3],
    pub temperature: Temperature,
}

const fn c(
    name_en: &'static str,
    name_zh: &'static str,
    hex: u32,
    temperature: Temperature,
) -> LibraryColour {
    LibraryColour {
        name_en,
        name_zh,
        srgb: [(hex >> 16) as u8, (hex >> 8) as u8, hex as u8],
        temperature,
    }
}

use Temperature::{Cool, Neutral, Warm};

/// The named colours palettes are drawn from (sRGB approximations of the usual garment colours).
pub const LIBRARY: &[LibraryColour] = &[
    c("camel", "驼色", 0xC19A6B, Warm),
    c("milk-tea beige", "奶茶色", 0xCDB49A, Warm),
    c("rust", "铁锈红", 0xB7410E, Warm),
    c("terracotta", "陶土色", 0xC66B4E, Warm),
    c("mustard", "芥末黄", 0xCFA23A, Warm),
    c("olive", "橄榄绿", 0x708238, Warm),
    c("coral", "珊瑚色", 0xF88379, Warm),
    c("peach", "蜜桃色", 0xF4B493, Warm),
    c("cream", "奶油白", 0xF3E9D2, Warm),
    c("chocolate brown", "巧克力色", 0x5C3A21, Warm),
    c("tomato red", "番茄红", 0xD2452F, Warm),
    c("moss green", "苔藓绿", 0x8A9A5B, Warm),
    c("golden yellow", "金黄色", 0xE6B422, Warm),
    c("khaki", "卡其色", 0xBFA87A, Warm),
    c("navy", "藏青色", 0x1F2A44, Cool),
    c("dusty blue", "雾霾蓝", 0x7E95AE, Cool),
    c("berry", "莓果红", 0x8E3A59, Cool),
    c("emerald", "祖母绿", 0x1F7A57, Cool),
    c("lavender", "薰衣草紫", 0xB4A7D6, Cool),
    c("icy pink", "冰粉色", 0xF2D4DE, Cool),
    c("fuchsia", "玫红色", 0xC2185B, Cool),
    c("cobalt", "钴蓝色", 0x1F4FA8, Cool),
    c("pure white", "纯白色", 0xFFFFFF, Cool),
    c("cool grey", "冷灰色", 0x9AA0A8, Cool),
    c("burgundy", "酒红色", 0x6D1A36, Cool),
    c("silver grey", "银灰色", 0xC0C4C8, Cool),
    c("sapphire", "宝石蓝", 0x0F52BA, Cool),
    c("black", "黑色", 0x111111, Neutral),
    c("charcoal", "炭灰色", 0x36393F, Neutral),
    c("soft white", "柔白色", 0xF5F1EA, Neutral),
    c("taupe", "灰褐色", 0x8B7D70, Neutral),
    c("dusty rose", "豆沙粉", 0xC48A8F, Neutral),
    c("teal", "青绿色", 0x2A7C7A, Neutral),
    c("jade", "玉绿色", 0x7BAE95, Neutral),
    c("denim blue", "牛仔蓝", 0x4A6A8A, Neutral),
    c("mauve", "藕荷色", 0xA88B9C, Neutral),
    c("sage", "鼠尾草绿", 0xA3B18A, Neutral),
    c("oatmeal", "燕麦色", 0xD8CBB5, Neutral),
];

impl LibraryColour {
    /// CIELAB (D65) of the library's sRGB value.
    pub fn lab(&self) -> Lab {
        lab_from_srgb8(self.srgb)
    }

    /// As a catalog colour.
    pub fn named(&self) -> NamedColour {
        NamedColour {
            name_en: self.name_en.to_owned(),
            name_zh: self.name_zh.to_owned(),
            lab: self.lab(),
        }
    }
}

/// Warm, neutral or cool skin undertone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Undertone {
    Warm,
    Neutral,
    Cool,
}

/// How dark the skin is, by Monk group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Depth {
    /// Monk 1–4.
    Light,
    /// Monk 5–7.
    Medium,
    /// Monk 8–10.
    Deep,
}

impl Depth {
    /// The depth of a Monk Skin Tone (1–10).
    pub fn from_monk(monk: u8) -> Depth {
        match monk {
            0..=4 => Depth::Light,
            5..=7 => Depth::Medium,
            _ => Depth::Deep,
        }
    }
}

/// The lightness contrast between skin and hair or eyes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Contrast {
    Low,
    Medium,
    High,
}

/// Colours that flatter a shopper and colours to keep away from the face, best first / worst first.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Palette {
    pub flattering: Vec<NamedColour>,
    pub avoid: Vec<NamedColour>,
}

/// How many colours a palette lists on each side.
const FLATTERING: usize = 8;
const AVOID: usize = 5;

/// The palette for a skin colour, undertone, depth and contrast, by the rules in the module docs.
pub fn palette_for(skin: Lab, undertone: Undertone, depth: Depth, contrast: Contrast) -> Palette {
    let mut scored: Vec<(f32, &LibraryColour, Lab)> = LIBRARY
        .iter()
        .map(|c| {
            let lab = c.lab();
            (
                score(c.temperature, lab, skin, undertone, depth, contrast),
                c,
                lab,
            )
        })
        .collect();
    scored.sort_by(|x, y| y.0.total_cmp(&x.0).then_with(|| x.1.name_en.cmp(y.1.name_en)));
    let flattering = scored
        .iter()
        .filter(|s| s.0 > 0.0)
        .take(FLATTERING)
        .map(|s| s.1.named())
        .collect();
    let avoid = scored
        .iter()
        .rev()
        .filter(|s| s.0 < 0.0)
        .take(AVOID)
        .map(|s| s.1.named())
        .collect();
    Palette { flattering, avoid }
}

fn score(
    temp: Temperature,
    lab: Lab,
    skin: Lab,
    undertone: Undertone,
    depth: Depth,
    contrast: Contrast,
) -> f32 {
    let chroma = lab.chroma();
    let stark = lab.l < 20.0 || (lab.l > 97.0 && chroma < 3.0);
    let mut s = match (undertone, temp) {
        (Undertone::Warm, Warm) | (Undertone::Cool, Cool) => 2.0,
        (Undertone::Warm, Neutral) | (Undertone::Cool, Neutral) => 1.0,
        (Undertone::Warm, Cool) | (Undertone::Cool, Warm) => -2.0,
        (Undertone::Neutral, Neutral) => 2.0,
        (Undertone::Neutral, _) if chroma > 45.0 => 0.0,
        (Undertone::Neutral, _) => 0.5,
    };
    if delta_e_2000(lab, skin) < 8.0 {
        s -= 2.0;
    }
    let dl = (lab.l - skin.l).abs();
    if (20.0..=60.0).contains(&dl) {
        s += 1.0;
    } else if dl < 10.0 {
        s -= 1.0;
    }
    match contrast {
        Contrast::High => {
            if chroma > 40.0 || stark {
                s += 1.0;
            }
        }
        Contrast::Low => {
            if stark {
                s -= 1.5;
            }
            if chroma > 55.0 {
                s -= 1.0;
            }
            if chroma < 35.0 && !stark {
                s += 1.0;
            }
        }
        Contrast::Medium => {
            if chroma > 20.0 && chroma < 50.0 {
                s += 0.5;
            }
        }
    }
    match depth {
        Depth::Light => {
            if lab.l > 75.0 && chroma > 10.0 && chroma < 35.0 {
                s += 0.5;
            }
            if lab.l < 20.0 && contrast != Contrast::High {
                s -= 0.5;
            }
        }
        Depth::Deep => {
            if lab.l > 30.0 && lab.l < 60.0 && chroma > 40.0 {
                s += 0.5;
            }
            if lab.l < 25.0 {
                s -= 0.5;
            }
        }
        Depth::Medium => {}
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[NamedColour]) -> Vec<&str> {
        list.iter().map(|c| c.name_en.as_str()).collect()
    }

    #[test]
    fn library_names_are_unique_and_bilingual() {
        let mut en: Vec<&str> = LIBRARY.iter().map(|c| c.name_en).collect();
        en.sort_unstable();
        en.dedup();
        assert_eq!(en.len(), LIBRARY.len());
        assert!(
            LIBRARY
                .iter()
                .all(|c| !c.name_zh.is_empty() && !c.name_zh.is_ascii())
        );
        let dusty = LIBRARY
            .iter()
            .find(|c| c.name_en == "dusty blue")
            .map(LibraryColour::lab);
        assert!(dusty.is_some_and(|l| l.b < -10.0), "{dusty:?}");
    }

    #[test]
    fn warm_light_low_contrast_gets_soft_warm_colours() {
        let skin = Lab {
            l: 78.0,
            a: 6.0,
            b: 24.0,
        };
        let p = palette_for(skin, Undertone::Warm, Depth::Light, Contrast::Low);
        let good = names(&p.flattering);
        let bad = names(&p.avoid);
        assert_eq!(good.len(), 8);
        assert!(good.contains(&"peach") || good.contains(&"camel"), "{good:?}");
        assert!(
            !good
                .iter()
                .any(|n| ["fuchsia", "cobalt", "pure white", "black"].contains(n)),
            "{good:?}"
        );
        assert!(
            bad.contains(&"black") || bad.contains(&"pure white") || bad.contains(&"fuchsia"),
            "{bad:?}"
        );
    }

    #[test]
    fn cool_deep_high_contrast_gets_clear_cool_colours() {
        let skin = Lab {
            l: 30.0,
            a: 11.0,
            b: 10.0,
        };
        let p = palette_for(skin, Undertone::Cool, Depth::Deep, Contrast::High);
        let good = names(&p.flattering);
        assert!(good.contains(&"pure white"), "{good:?}");
        assert!(
            good.iter()
                .any(|n| ["cobalt", "sapphire", "fuchsia", "emerald"].contains(n)),
            "{good:?}"
        );
        let bad = names(&p.avoid);
        assert!(
            bad.iter()
                .any(|n| ["mustard", "rust", "olive", "khaki", "chocolate brown"].contains(n)),
            "{bad:?}"
        );
        assert!(p.flattering.iter().all(|c| !p.avoid.contains(c)));
    }

    #[test]
    fn same_input_same_palette() {
        let skin = Lab {
            l: 60.0,
            a: 9.0,
            b: 20.0,
        };
        let a = palette_for(skin, Undertone::Neutral, Depth::Medium, Contrast::Medium);
        assert_eq!(
            a,
            palette_for(skin, Undertone::Neutral, Depth::Medium, Contrast::Medium)
        );
        assert!(
            names(&a.flattering)
                .iter()
                .any(|n| ["teal", "jade", "dusty rose", "denim blue", "mauve"].contains(n))
        );
    }
}
