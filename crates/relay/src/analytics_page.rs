//! `GET /admin/report`: the analytics report as one server-rendered page, in English or Chinese,
//! every text escaped, no script.

use std::fmt::Write as _;

use atelier_domain::analytics::report::ReportRow;

use crate::analytics::ReportJson;

/// The page's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Zh,
}

impl Lang {
    /// `?lang=` first, then the browser's first preference; English otherwise.
    pub fn pick(query: Option<&str>, accept_language: Option<&str>) -> Lang {
        let wanted = query
            .or(accept_language)
            .unwrap_or("en")
            .trim()
            .to_ascii_lowercase();
        if wanted.starts_with("zh") {
            Lang::Zh
        } else {
            Lang::En
        }
    }

    fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh-CN",
        }
    }
}

/// Escapes text for HTML element content and quoted attributes.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

struct Labels {
    title: &'static str,
    from: &'static str,
    to: &'static str,
    store: &'static str,
    tz: &'static str,
    show: &'static str,
    room: &'static str,
    day: &'static str,
    sessions: &'static str,
    open_hours: &'static str,
    usage: &'static str,
    occupancy: &'static str,
    avg_session: &'static str,
    calls_friend: &'static str,
    calls_stylist: &'static str,
    avg_call: &'static str,
    complaints: &'static str,
    bring_me: &'static str,
    shown: &'static str,
    opened: &'static str,
    tried: &'static str,
    bought: &'static str,
    total: &'static str,
    empty: &'static str,
    unreadable: &'static str,
    notes: &'static [&'static str],
    other_lang: &'static str,
}

const EN: Labels = Labels {
    title: "Fitting-room report",
    from: "From",
    to: "To",
    store: "Store (all if empty)",
    tz: "UTC offset",
    show: "Show",
    room: "Room",
    day: "Day",
    sessions: "Sessions",
    open_hours: "Open hours",
    usage: "Sessions / open hour",
    occupancy: "Time in use",
    avg_session: "Avg. session",
    calls_friend: "Friend calls (asked / live)",
    calls_stylist: "Stylist calls (asked / live)",
    avg_call: "Avg. call",
    complaints: "Complaints",
    bring_me: "Bring-me requests",
    shown: "Looks shown",
    opened: "Opened",
    tried: "Tried",
    bought: "Bought",
    total: "Total",
    empty: "No events in this period.",
    unreadable: "stored events from a newer kiosk version are left out",
    notes: &[
        "Open hours: clock hours in which the mirror was running. Usage rate: sessions started per open hour.",
        "Time in use: the ended sessions' time as a share of the open hours.",
        "Averages count sessions and calls that ended that day; a call's time is its live time.",
        "Funnel: looks shown → opened → tried (a garment of the look scanned or brought) → bought (needs a till integration; 0 until then).",
        "Nothing about a shopper's body, face or skin is recorded.",
    ],
    other_lang: "中文",
};

const ZH: Labels = Labels {
    title: "试衣间报表",
    from: "开始日期",
    to: "结束日期",
    store: "门店（留空为全部）",
    tz: "UTC 时差",
    show: "查询",
    room: "试衣间",
    day: "日期",
    sessions: "使用次数",
    open_hours: "开机小时",
    usage: "每开机小时使用次数",
    occupancy: "使用时间占比",
    avg_session: "平均使用时长",
    calls_friend: "朋友通话（请求 / 接通）",
    calls_stylist: "造型师通话（请求 / 接通）",
    avg_call: "平均通话时长",
    complaints: "投诉",
    bring_me: "送衣请求",
    shown: "展示搭配",
    opened: "查看",
    tried: "试穿",
    bought: "购买",
    total: "合计",
    empty: "此期间没有事件。",
    unreadable: "条来自较新版本试衣镜的事件未计入",
    notes: &[
        "开机小时：镜子运行的整点小时数。使用率：每开机小时开始的使用次数。",
        "使用时间占比：已结束使用的总时长占开机时间的比例。",
        "平均值按当天结束的使用和通话计算；通话时长为接通后的时长。",
        "转化漏斗：展示搭配 → 查看 → 试穿（扫描或送来搭配中的单品）→ 购买（需接入收银系统，接入前为 0）。",
        "不记录顾客的身体、面部或肤色信息。",
    ],
    other_lang: "English",
};

fn secs(v: Option<f64>) -> String {
    match v {
        None => "–".into(),
        Some(s) => {
            let s = s.round() as u64;
            format!("{}:{:02}", s / 60, s % 60)
        }
    }
}

fn ratio(v: Option<f64>, percent: bool) -> String {
    match v {
        None => "–".into(),
        Some(r) if percent => format!("{:.0}%", r * 100.0),
        Some(r) => format!("{r:.2}"),
    }
}

fn cells(out: &mut String, r: &ReportRow) {
    let values = [
        r.sessions.to_string(),
        r.open_hours.to_string(),
        ratio(r.sessions_per_open_hour, false),
        ratio(r.occupancy, true),
        secs(r.avg_session_secs),
        format!("{} / {}", r.calls_requested_friend, r.calls_friend),
        format!("{} / {}", r.calls_requested_stylist, r.calls_stylist),
        secs(r.avg_call_secs),
        r.complaints.to_string(),
        r.bring_me.to_string(),
        r.shown.to_string(),
        r.opened.to_string(),
        r.tried.to_string(),
        r.bought.to_string(),
    ];
    for v in values {
        let _ = write!(out, "<td>{}</td>", escape(&v));
    }
}

fn tz_text(mins: i32) -> String {
    let sign = if mins < 0 { '-' } else { '+' };
    let m = mins.unsigned_abs();
    format!("{sign}{:02}:{:02}", m / 60, m % 60)
}

/// The whole page.
pub fn render(report: &ReportJson, lang: Lang) -> String {
    let l = match lang {
        Lang::En => &EN,
        Lang::Zh => &ZH,
    };
    let tz = tz_text(report.utc_offset_mins);
    let store = report.store.clone().unwrap_or_default();
    let other = match lang {
        Lang::En => "zh-CN",
        Lang::Zh => "en",
    };
    let mut out = String::with_capacity(8 * 1024);
    let _ = write!(
        out,
        "<!doctype html><html lang=\"{code}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title><style>\
         body{{font-family:system-ui,sans-serif;margin:1.5rem;color:#222}}\
         table{{border-collapse:collapse;font-size:.9rem}}th,td{{border:1px solid #ccc;padding:.3rem .5rem;text-align:right}}\
         th{{background:#f4f1ec}}td.k{{text-align:left}}tr.total td{{font-weight:600;background:#faf8f5}}\
         form{{margin:1rem 0;display:flex;gap:.8rem;flex-wrap:wrap;align-items:end}}label{{display:flex;flex-direction:column;font-size:.85rem}}\
         </style></head><body><h1>{title}</h1>\
         <p><a href=\"?from={from}&amp;to={to}&amp;store={store_q}&amp;tz={tz_q}&amp;lang={other}\">{other_lang}</a></p>\
         <form method=\"get\"><input type=\"hidden\" name=\"lang\" value=\"{code}\">\
         <label>{l_from}<input type=\"date\" name=\"from\" value=\"{from}\"></label>\
         <label>{l_to}<input type=\"date\" name=\"to\" value=\"{to}\"></label>\
         <label>{l_store}<input name=\"store\" value=\"{store_h}\"></label>\
         <label>{l_tz}<input name=\"tz\" value=\"{tz_h}\" size=\"6\"></label>\
         <button>{show}</button></form>",
        code = lang.code(),
        title = escape(l.title),
        from = escape(&report.from),
        to = escape(&report.to),
        store_q = escape(&percent_encode(&store)),
        tz_q = escape(&percent_encode(&tz)),
        other_lang = escape(l.other_lang),
        l_from = escape(l.from),
        l_to = escape(l.to),
        l_store = escape(l.store),
        l_tz = escape(l.tz),
        store_h = escape(&store),
        tz_h = escape(&tz),
        show = escape(l.show),
    );
    if report.rows.is_empty() {
        let _ = write!(out, "<p>{}</p>", escape(l.empty));
    } else {
        out.push_str("<table><thead><tr>");
        for h in [
            l.store,
            l.room,
            l.day,
            l.sessions,
            l.open_hours,
            l.usage,
            l.occupancy,
            l.avg_session,
            l.calls_friend,
            l.calls_stylist,
            l.avg_call,
            l.complaints,
            l.bring_me,
            l.shown,
            l.opened,
            l.tried,
            l.bought,
        ] {
            let _ = write!(out, "<th>{}</th>", escape(h));
        }
        out.push_str("</tr></thead><tbody>");
        for r in &report.rows {
            let _ = write!(
                out,
                "<tr><td class=\"k\">{}</td><td class=\"k\">{}</td><td class=\"k\">{}</td>",
                escape(&r.store),
                escape(&r.room),
                escape(&r.day)
            );
            cells(&mut out, r);
            out.push_str("</tr>");
        }
        let _ = write!(
            out,
            "<tr class=\"total\"><td class=\"k\" colspan=\"3\">{}</td>",
            escape(l.total)
        );
        cells(&mut out, &report.total);
        out.push_str("</tr></tbody></table>");
    }
    if report.unreadable > 0 {
        let _ = write!(out, "<p>{} {}</p>", report.unreadable, escape(l.unreadable));
    }
    out.push_str("<ul>");
    for n in l.notes {
        let _ = write!(out, "<li>{}</li>", escape(n));
    }
    out.push_str("</ul></body></html>");
    out
}

/// Percent-encodes a query value (everything but unreserved ASCII).
fn percent_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(room: &str) -> ReportJson {
        let row = ReportRow {
            store: "s1".into(),
            room: room.into(),
            day: "2025-06-15".into(),
            sessions: 3,
            open_hours: 2,
            sessions_per_open_hour: Some(1.5),
            occupancy: Some(0.25),
            avg_session_secs: Some(605.0),
            shown: 9,
            tried: 2,
            ..ReportRow::default()
        };
        ReportJson {
            from: "2025-06-09".into(),
            to: "2025-06-15".into(),
            store: None,
            utc_offset_mins: 480,
            total: atelier_domain::analytics::report::total(std::slice::from_ref(&row)),
            rows: vec![row],
            unreadable: 0,
        }
    }

    #[test]
    fn renders_rows_escaped_in_both_languages() {
        let page = render(&report("<b>Room \"1\"</b>"), Lang::En);
        assert!(page.contains("&lt;b&gt;Room &quot;1&quot;&lt;/b&gt;"), "{page}");
        assert!(!page.contains("<b>Room"));
        assert!(page.contains("<td>1.50</td><td>25%</td><td>10:05</td>"), "{page}");
        assert!(page.contains("value=\"+08:00\""));
        assert!(page.contains("tz=%2B08%3A00"));
        let zh = render(&report("3号试衣间"), Lang::Zh);
        assert!(zh.contains("<html lang=\"zh-CN\">"));
        assert!(zh.contains("试衣间报表") && zh.contains("3号试衣间") && zh.contains("合计"));
        let mut empty = report("r");
        empty.rows.clear();
        assert!(render(&empty, Lang::En).contains("No events in this period."));
    }

    #[test]
    fn the_language_comes_from_the_query_then_the_browser() {
        assert_eq!(Lang::pick(Some("zh-CN"), Some("en")), Lang::Zh);
        assert_eq!(Lang::pick(None, Some("zh-CN,zh;q=0.9")), Lang::Zh);
        assert_eq!(Lang::pick(Some("en"), Some("zh-CN")), Lang::En);
        assert_eq!(Lang::pick(None, None), Lang::En);
    }
}
