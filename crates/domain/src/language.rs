//! The languages the kiosk UI speaks.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A UI language. Stores are in mainland China and abroad, so both exist from the first screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Language {
    /// English.
    #[default]
    #[serde(rename = "en")]
    En,
    /// Simplified Chinese.
    #[serde(rename = "zh-CN")]
    ZhCn,
}

impl Language {
    /// Every supported language, in the order the switch shows them.
    pub const ALL: [Language; 2] = [Language::ZhCn, Language::En];

    /// The BCP 47 tag, as used in config files and in the `lang` attribute of the page.
    pub fn tag(self) -> &'static str {
        match self {
            Language::En => "en",
            Language::ZhCn => "zh-CN",
        }
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.tag())
    }
}

/// A language tag that is not one Atelier speaks.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown language {0:?}: expected \"en\" or \"zh-CN\"")]
pub struct UnknownLanguage(pub String);

impl FromStr for Language {
    type Err = UnknownLanguage;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        // Accept the common spellings staff type; store the canonical tag.
        match s.trim().to_ascii_lowercase().replace('_', "-").as_str() {
            "en" | "en-us" | "en-gb" | "english" => Ok(Language::En),
            "zh-cn" | "zh" | "zh-hans" | "zh-hans-cn" | "chinese" => Ok(Language::ZhCn),
            _ => Err(UnknownLanguage(s.to_owned())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_canonical_and_common_spellings() {
        assert_eq!("en".parse::<Language>(), Ok(Language::En));
        assert_eq!("zh-CN".parse::<Language>(), Ok(Language::ZhCn));
        assert_eq!("zh_cn".parse::<Language>(), Ok(Language::ZhCn));
        assert_eq!("zh-Hans".parse::<Language>(), Ok(Language::ZhCn));
        assert!("fr".parse::<Language>().is_err());
    }

    #[test]
    fn serde_uses_the_tag() {
        assert_eq!(serde_json::to_string(&Language::ZhCn).unwrap(), "\"zh-CN\"");
        let back: Language = serde_json::from_str("\"en\"").unwrap();
        assert_eq!(back, Language::En);
        for l in Language::ALL {
            assert_eq!(l.tag().parse::<Language>(), Ok(l));
        }
    }
}
