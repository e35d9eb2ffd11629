//! The care region's catalogue as a designated institution downloads it (1312, incremental by
//! version with `ver`), and 目录对照: the institution's item codes mapped to national codes
//! (3301 upload, 3302 withdrawal), which settlement uses for lines without a known national
//! code (docs/national.md "Catalogue download and mapping").

use std::collections::HashMap;

use chrono::NaiveDate;
use serde_json::{json, Value};
use yibao_domain::benefit::{catalogue_changes, Catalogue, CatalogueChange, ItemKind};
use yibao_domain::RegionCode;
use yibao_store::national::FeeLineData;
use yibao_store::national_mapping::{self as mapping, NewMapping};
use yibao_store::StoreError;

use super::{category_code, check_len, invalid, ratio, text, yuan, Call};
use crate::benefit_data::BenefitData;
use crate::ServiceError;

/// The versions of the care region's catalogue, oldest first: those of the most specific region
/// containing the institution's that has any (the catalogue settlement prices with).
fn region_versions<'a>(
    data: &'a BenefitData,
    region: &RegionCode,
) -> Vec<(&'a RegionCode, u32, &'a Catalogue)> {
    let Some(best) = data
        .catalogues
        .iter()
        .filter(|(r, _, _)| r.contains(region))
        .max_by_key(|(r, v, _)| (!r.is_province_level(), *v))
        .map(|(r, _, _)| r)
    else {
        return Vec::new();
    };
    let mut out: Vec<_> = data
        .catalogues
        .iter()
        .filter(|(r, _, _)| r == best)
        .map(|(r, v, c)| (r, *v, c))
        .collect();
    out.sort_by_key(|(_, v, _)| *v);
    out
}

fn care_region(c: &Call<'_>) -> Result<RegionCode, ServiceError> {
    Ok(c.inst.region_code.parse()?)
}

/// 目录类别 (FIELDS §3.11). The catalogue does not tell 西药 from 中成药 or 中药饮片: every drug
/// is `101`.
fn list_type(kind: ItemKind) -> &'static str {
    match kind {
        ItemKind::Drug => "101",
        ItemKind::Service => "201",
        ItemKind::Material => "301",
    }
}

fn page_number(d: &Value, key: &str, default: usize, max: usize) -> Result<usize, ServiceError> {
    match super::scalar(&d[key]) {
        None => Ok(default),
        Some(t) => t
            .trim()
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=max).contains(n))
            .ok_or_else(|| {
                invalid(
                    "national.paging",
                    format!("{key} 应为 1 到 {max} 之间的整数"),
                )
            }),
    }
}

/// 1312 医保目录信息查询 (FIELDS §2.3): the care region's catalogue rows, paged. `ver` (the
/// version the HIS holds, as 1301–1311 take it) makes it incremental: only rows new or changed
/// since, and rows whose code left the catalogue (`vali_flag` `0`); without it, every row of the
/// newest version. `hilist_code`, `list_type` and `vali_flag` filter. The answer's `ver` is the
/// newest version (kept by the HIS for its next call).
pub(super) async fn query(c: &Call<'_>) -> Result<Value, ServiceError> {
    let d = c.env.data();
    let region = care_region(c)?;
    let data = crate::benefit_data::data(c.services).await?;
    let versions = region_versions(&data, &region);
    let Some(&(region_of, newest, current)) = versions.last() else {
        return Err(ServiceError::not_found(
            "national.no_catalogue",
            "就医地尚未导入医保目录，暂无目录可下载",
        ));
    };
    let held = match text(d, &["ver"]) {
        None => None,
        Some(v) => Some(v.trim().parse::<u32>().map_err(|_| {
            invalid(
                "national.ver",
                format!("版本号（ver）{v} 应为目录版本号（整数）"),
            )
        })?),
    };
    let page_num = page_number(d, "page_num", 1, 100_000)?;
    let page_size = page_number(d, "page_size", 100, 1000)?;
    let changes = match held {
        Some(h) if h >= newest => Vec::new(),
        // The highest stored version not above the held one is what the HIS has.
        Some(h) => catalogue_changes(
            versions
                .iter()
                .rev()
                .find(|(_, v, _)| *v <= h)
                .map(|(_, _, c)| *c),
            current,
        ),
        None => catalogue_changes(None, current),
    };
    let code = text(d, &["hilist_code"]);
    let kind = text(d, &["list_type"]);
    let vali = text(d, &["vali_flag"]);
    let rows: Vec<Value> = changes
        .iter()
        .map(|ch| match ch {
            CatalogueChange::Current(e) => (e, "1"),
            CatalogueChange::Gone(e) => (e, "0"),
        })
        .filter(|(e, _)| code.as_deref().is_none_or(|c| c == e.code))
        .filter(|(e, _)| kind.as_deref().is_none_or(|k| k == list_type(e.kind)))
        .filter(|(_, v)| vali.as_deref().is_none_or(|f| f == *v))
        .map(|(e, v)| {
            json!({
                "hilist_code": e.code, "hilist_name": e.name,
                "insu_admdvs": region_of.as_str(),
                "begndate": e.effective_from.map(|d| d.to_string()),
                "enddate": e.effective_to.map(|d| d.to_string()),
                "med_chrgitm_type": null, "chrgitm_lv": category_code(e.category),
                "lmt_used_flag": "0", "list_type": list_type(e.kind),
                "selfpay_prop": ratio(e.self_pay_share_bp),
                "hilist_pric_uplmt_amt": e.price_cap.map(|p| yuan(p.fen())),
                "wubi": null, "pinyin": null, "memo": null,
                "vali_flag": v, "rid": format!("{}-{newest}-{}", region_of.as_str(), e.code).chars().take(40).collect::<String>(),
                "updt_time": null, "ver": newest.to_string(),
            })
        })
        .collect();
    let total = rows.len();
    let pages = total.div_ceil(page_size);
    let start = (page_num - 1).saturating_mul(page_size);
    let page: Vec<Value> = rows.into_iter().skip(start).take(page_size).collect();
    Ok(json!({
        "firstPage": page_num == 1, "lastPage": page_num >= pages,
        "size": page.len(), "startRow": start + 1, "pageSize": page_size, "pageNum": page_num,
        "recordCounts": total, "pages": pages, "ver": newest.to_string(), "data": page,
    }))
}

/// The rows of a 3301 / 3302 `data` (an object, or an array of them).
fn rows<'a>(c: &Call<'a>) -> Vec<&'a Value> {
    match c.env.input.get("data") {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(v @ Value::Object(_)) => vec![v],
        _ => Vec::new(),
    }
}

fn hospital_code(r: &Value, i: usize) -> Result<String, ServiceError> {
    let code = text(r, &["fixmedins_hilist_id", "medins_list_codg"]).ok_or_else(|| {
        invalid(
            "national.mapping",
            format!("第{}条缺少医药机构目录编码（fixmedins_hilist_id）", i + 1),
        )
    })?;
    check_len("医药机构目录编码", "fixmedins_hilist_id", &code, 150)?;
    Ok(code)
}

/// 3301 目录对照上传: each row maps the institution's item code (`fixmedins_hilist_id`, or
/// `medins_list_codg`) to a national code (`med_list_codg` / `hilist_code`) of the care
/// region's newest catalogue. The same mapping again is a no-op; another national code for a
/// mapped item is refused (3302 first). All rows or none.
pub(super) async fn upload(c: &Call<'_>) -> Result<Value, ServiceError> {
    let list = rows(c);
    if list.is_empty() {
        return Err(invalid("national.mapping", "缺少目录对照信息（data）"));
    }
    let data = crate::benefit_data::data(c.services).await?;
    let region = care_region(c)?;
    let versions = region_versions(&data, &region);
    let Some(&(_, _, current)) = versions.last() else {
        return Err(invalid(
            "national.no_catalogue",
            "就医地尚未导入医保目录，无法做目录对照",
        ));
    };
    let now = c.stored_now();
    let mut tx = c.services.store().begin().await?;
    for (i, r) in list.iter().enumerate() {
        let ours = hospital_code(r, i)?;
        let national = text(r, &["med_list_codg", "hilist_code"]).ok_or_else(|| {
            invalid(
                "national.mapping",
                format!("第{}条缺少医疗目录编码（med_list_codg）", i + 1),
            )
        })?;
        check_len("医疗目录编码", "med_list_codg", &national, 50)?;
        if !current.entries().iter().any(|e| e.code == national) {
            return Err(invalid(
                "national.mapping_code_unknown",
                format!("医疗目录编码 {national} 不在就医地医保目录中，不能对照（医药机构目录编码 {ours}）"),
            ));
        }
        match mapping::find_live(&mut tx, c.inst.institution_id, &ours).await? {
            Some(m) if m.med_list_codg == national => continue,
            Some(m) => {
                return Err(super::conflict(
                    "national.mapping_exists",
                    format!(
                        "医药机构目录编码 {ours} 已对照 {}，请先撤销（3302）再重新对照",
                        m.med_list_codg
                    ),
                ))
            }
            None => {}
        }
        let name = text(r, &["fixmedins_hilist_name"]);
        let kind = text(r, &["list_type"]);
        let begn = text(r, &["begndate"]);
        let end = text(r, &["enddate"]);
        mapping::insert(
            &mut tx,
            &NewMapping {
                institution_id: c.inst.institution_id,
                medins_list_codg: &ours,
                med_list_codg: &national,
                item_name: name.as_deref(),
                list_type: kind.as_deref(),
                begndate: begn.as_deref(),
                enddate: end.as_deref(),
                msgid: &c.env.msgid,
            },
            &now,
        )
        .await
        .map_err(|e| match e {
            StoreError::Conflict(_) => super::conflict(
                "national.mapping_exists",
                format!("医药机构目录编码 {ours} 正在对照中，请稍后重试"),
            ),
            other => other.into(),
        })?;
    }
    tx.commit().await.map_err(StoreError::from)?;
    Ok(json!({}))
}

/// 3302 目录对照撤销: withdraws each row's mapping; an item that is not mapped is named.
pub(super) async fn withdraw(c: &Call<'_>) -> Result<Value, ServiceError> {
    let list = rows(c);
    if list.is_empty() {
        return Err(invalid("national.mapping", "缺少要撤销的目录对照（data）"));
    }
    let now = c.stored_now();
    let mut tx = c.services.store().begin().await?;
    for (i, r) in list.iter().enumerate() {
        let ours = hospital_code(r, i)?;
        if !mapping::withdraw(&mut tx, c.inst.institution_id, &ours, &now).await? {
            return Err(ServiceError::not_found(
                "national.mapping_unknown",
                format!("医药机构目录编码 {ours} 没有生效的目录对照"),
            ));
        }
    }
    tx.commit().await.map_err(StoreError::from)?;
    Ok(json!({}))
}

/// What settlement needs to give each line its national code: the care region's catalogue and
/// the institution's mappings of the lines' own codes.
pub(super) struct Codes {
    data: std::sync::Arc<BenefitData>,
    region: RegionCode,
    mapped: HashMap<String, String>,
}

impl Codes {
    /// Looks up the mappings the lines may need (a line whose national code the catalogue does
    /// not know, or that has none).
    pub(super) async fn load(
        c: &Call<'_>,
        lines: &[(String, FeeLineData)],
        date: NaiveDate,
    ) -> Result<Codes, ServiceError> {
        let data = crate::benefit_data::data(c.services).await?;
        let region = care_region(c)?;
        let mut codes = Codes {
            data,
            region,
            mapped: HashMap::new(),
        };
        let wanted: Vec<String> = lines
            .iter()
            .filter(|(_, l)| !codes.known(&l.med_list_codg, date))
            .filter_map(|(_, l)| l.medins_list_codg.clone())
            .collect();
        if !wanted.is_empty() {
            let mut tx = c.services.store().begin_read().await?;
            for ours in wanted {
                if let Some(m) = mapping::find_live(&mut tx, c.inst.institution_id, &ours).await? {
                    let day = date.to_string();
                    let in_force = m
                        .begndate
                        .as_deref()
                        .is_none_or(|b| b[..b.len().min(10)] <= *day)
                        && m.enddate
                            .as_deref()
                            .is_none_or(|e| *day <= e[..e.len().min(10)]);
                    if in_force {
                        codes.mapped.insert(ours, m.med_list_codg);
                    }
                }
            }
        }
        Ok(codes)
    }

    fn catalogue(&self) -> Option<&Catalogue> {
        self.data.catalogue_for(&self.region)
    }

    fn known(&self, code: &str, date: NaiveDate) -> bool {
        !code.is_empty()
            && self
                .catalogue()
                .is_some_and(|c| matches!(c.find(code, date), Ok(Some(_))))
    }

    /// Gives line `sn` its national code: its own when the catalogue knows it; else its
    /// item's mapping; else, where the care region has no catalogue at all, its own code as
    /// sent (priced by the level and caps it carries). Otherwise it is refused, named.
    pub(super) fn resolve(
        &self,
        sn: &str,
        line: &mut FeeLineData,
        date: NaiveDate,
    ) -> Result<(), ServiceError> {
        if self.known(&line.med_list_codg, date) {
            return Ok(());
        }
        if let Some(m) = line
            .medins_list_codg
            .as_ref()
            .and_then(|o| self.mapped.get(o))
        {
            line.med_list_codg = m.clone();
            return Ok(());
        }
        if self.catalogue().is_none() && !line.med_list_codg.is_empty() {
            return Ok(());
        }
        let national = if line.med_list_codg.is_empty() {
            "（未填写）".to_string()
        } else {
            line.med_list_codg.clone()
        };
        let ours = line.medins_list_codg.as_deref().unwrap_or("（未填写）");
        Err(invalid(
            "national.unmapped",
            format!(
                "费用明细 {sn}：医疗目录编码 {national} 不在就医地医保目录中，医药机构目录编码 {ours} 也未做目录对照（3301）"
            ),
        ))
    }
}
