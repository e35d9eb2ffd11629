//! Names of cities and counties (地级、县级行政区划) from `data/regions/divisions.csv`, so pages
//! say 重庆市南川区 instead of 500119 and people may type a name where a region is asked.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use super::region::{province_name, RegionCode};

const DIVISIONS: &str = include_str!("../../../../data/regions/divisions.csv");

fn table() -> &'static BTreeMap<&'static str, &'static str> {
    static T: OnceLock<BTreeMap<&'static str, &'static str>> = OnceLock::new();
    T.get_or_init(|| {
        DIVISIONS
            .lines()
            .filter(|l| !l.starts_with('#') && !l.starts_with("code,"))
            .filter_map(|l| l.split_once(','))
            .map(|(c, n)| (c.trim(), n.trim()))
            .filter(|(c, n)| c.len() == 6 && !n.is_empty())
            .collect()
    })
}

/// The name of a city or county code, as the statistics office writes it (南川区, 成都市).
pub fn division_name(code: &str) -> Option<&'static str> {
    table().get(code).copied()
}

/// The full name of a region: province, city and county as far as they are known
/// (重庆市南川区, 四川省成都市武侯区, 海南省三亚市); `None` for a code no table names.
pub fn full_name(r: &RegionCode) -> Option<String> {
    let code = r.as_str();
    let province = province_name(&code[..2])?;
    if r.is_province_level() {
        return Some(province.to_string());
    }
    let city_code = format!("{}00", &code[..4]);
    let city = division_name(&city_code);
    let county = (!r.is_city_level()).then(|| division_name(code)).flatten();
    match (city, county) {
        (Some(c), Some(k)) => Some(format!("{province}{c}{k}")),
        (Some(c), None) if r.is_city_level() => Some(format!("{province}{c}")),
        // A municipality's districts (重庆市南川区) and counties directly under a province.
        (None, Some(k)) => Some(format!("{province}{k}")),
        _ => None,
    }
}

/// Every known region with its full name, for pickers: cities, and counties under them.
pub fn all_full_names() -> &'static [(String, String)] {
    static ALL: OnceLock<Vec<(String, String)>> = OnceLock::new();
    ALL.get_or_init(|| {
        table()
            .keys()
            .filter_map(|c| {
                let r: RegionCode = c.parse().ok()?;
                Some((c.to_string(), full_name(&r)?))
            })
            .collect()
    })
}

/// The region a name stands for: a full name (重庆市南川区, 海南省三亚市, 四川省成都市), or a
/// city's or county's own name when only one region has it (南川区, 三亚市). An ambiguous name
/// (朝阳区 is in Beijing and in Changchun) stands for none: the person adds the province or city.
pub fn region_of_name(name: &str) -> Option<RegionCode> {
    let name = name.trim();
    if name.chars().count() < 2 {
        return None;
    }
    if let Some((c, _)) = all_full_names().iter().find(|(_, full)| full == name) {
        return c.parse().ok();
    }
    let mut found = table().iter().filter(|(_, n)| **n == name).map(|(c, _)| *c);
    match (found.next(), found.next()) {
        (Some(c), None) => c.parse().ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(c: &str) -> RegionCode {
        c.parse().unwrap()
    }

    #[test]
    fn full_names_at_every_level() {
        assert_eq!(full_name(&r("500119")).as_deref(), Some("重庆市南川区"));
        assert_eq!(
            full_name(&r("500242")).as_deref(),
            Some("重庆市酉阳土家族苗族自治县")
        );
        assert_eq!(full_name(&r("510100")).as_deref(), Some("四川省成都市"));
        assert_eq!(
            full_name(&r("510107")).as_deref(),
            Some("四川省成都市武侯区")
        );
        assert_eq!(full_name(&r("460200")).as_deref(), Some("海南省三亚市"));
        assert_eq!(full_name(&r("500000")).as_deref(), Some("重庆市"));
        assert_eq!(full_name(&r("510199")), None, "not a division");
    }

    #[test]
    fn names_read_back_to_codes_unless_ambiguous() {
        assert_eq!(region_of_name("重庆市南川区"), Some(r("500119")));
        assert_eq!(region_of_name("南川区"), Some(r("500119")));
        assert_eq!(region_of_name("海南省三亚市"), Some(r("460200")));
        assert_eq!(region_of_name("三亚市"), Some(r("460200")));
        assert_eq!(region_of_name("四川省成都市武侯区"), Some(r("510107")));
        // 朝阳区: Beijing's and Changchun's.
        assert_eq!(region_of_name("朝阳区"), None);
        assert_eq!(region_of_name("北京市朝阳区"), Some(r("110105")));
        assert_eq!(region_of_name("区"), None);
        assert_eq!(region_of_name("火星市"), None);
    }

    #[test]
    fn the_table_is_complete_enough() {
        // Every Chongqing district and county, and Sichuan's 21 cities and prefectures.
        let cq = all_full_names()
            .iter()
            .filter(|(c, _)| c.starts_with("50"))
            .count();
        assert_eq!(cq, 38);
        let sc_cities = all_full_names()
            .iter()
            .filter(|(c, _)| c.starts_with("51") && c.ends_with("00"))
            .count();
        assert_eq!(sc_cities, 21);
    }
}
