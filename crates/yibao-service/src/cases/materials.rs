//! Materials on a case: uploads checked by content and size and stored with their SHA-256;
//! papers seen at the window (original, copy); the personal pledge (个人承诺书, seed 000 表6)
//! where the item allows it.

use serde::Deserialize;
use serde_json::json;
use yibao_domain::case::{check_upload, materials_open, ProvidedAs, Submitter};
use yibao_domain::staff::StaffRole;
use yibao_store::cases::{self as store, CaseRow, EventRow, MaterialRow, NewMaterial};
use yibao_store::StoreError;

use super::{item_of, load};
use crate::identity::{forbidden, hex, sha256_hex, Actor};
use crate::{audit, ServiceError, Services};

#[derive(Debug, Clone, Deserialize)]
pub struct MaterialInput {
    pub material_id: String,
    /// upload, original, copy or pledge.
    pub provided_as: String,
    #[serde(default)]
    pub file_name: String,
    /// The clerk saw the unit's seal on it (加盖单位公章): only a clerk may say so, and only
    /// for a material whose guide text asks for the seal.
    #[serde(default)]
    pub seal_confirmed: bool,
}

pub async fn add_material(
    services: &Services,
    actor: &Actor,
    number: &str,
    input: &MaterialInput,
    bytes: &[u8],
) -> Result<MaterialRow, ServiceError> {
    let now = services.clock().now_text();
    let mut tx = services.store().begin().await?;
    let case = load(&mut tx, actor, number).await?;
    let item = item_of(services, &case)?;
    // The item's materials, or the engine's own proxy papers.
    let engine_material;
    let material = match item.materials.iter().find(|m| m.id == input.material_id) {
        Some(m) => m,
        None => {
            let name =
                yibao_domain::case::engine_material_name(&input.material_id).ok_or_else(|| {
                    ServiceError::from_domain(yibao_domain::case::CaseError::UnknownMaterial(
                        input.material_id.clone(),
                    ))
                })?;
            engine_material = yibao_domain::catalog::Material {
                id: input.material_id.clone(),
                name: name.to_string(),
                text: name.to_string(),
                form: None,
                copies: None,
                paper: None,
                alternatives: Vec::new(),
                required: true,
                applies_to: Some("proxy".into()),
                applies_to_text: None,
                pledge_allowed: false,
                form_ref: None,
                seal_required: false,
                group: None,
                one_of: None,
                applies_also: Vec::new(),
            };
            &engine_material
        }
    };
    let how = ProvidedAs::parse(&input.provided_as).ok_or_else(|| {
        ServiceError::invalid(
            "case.provided_as",
            "材料提交方式应为 upload（电子文件）、original（原件）、copy（复印件）或 pledge（承诺书）",
        )
    })?;
    may_add_materials(actor, &case)?;
    let seal_by = if input.seal_confirmed {
        seal_confirmer(actor, material)?
    } else {
        String::new()
    };
    if matches!(actor, Actor::Citizen(_) | Actor::Employer(_))
        && matches!(how, ProvidedAs::Original | ProvidedAs::Copy)
    {
        return Err(ServiceError::invalid(
            "case.paper_at_window",
            "原件、复印件须在窗口当面提交；网上请上传电子文件或选择承诺书",
        ));
    }
    let template = services
        .catalog()
        .form("chuanyu-form-6")
        .and_then(|f| f.notes_text.clone())
        .unwrap_or_default();
    let pledge = (how == ProvidedAs::Pledge).then(|| {
        pledge_text(
            &template,
            &case.applicant_name,
            &case.applicant_ref,
            &item.name,
            &material.name,
            &services.clock().today().to_string(),
        )
    });
    let (kind_label, content_type, sha, content): (String, String, String, Option<&[u8]>) =
        match (how, &pledge) {
            (ProvidedAs::Upload, _) => {
                let kind =
                    check_upload(bytes, item.upload.as_ref()).map_err(ServiceError::from_domain)?;
                let digest = {
                    use sha2::{Digest, Sha256};
                    hex(&Sha256::digest(bytes))
                };
                (kind.label().into(), kind.mime().into(), digest, Some(bytes))
            }
            (ProvidedAs::Pledge, Some(text)) => {
                if !material.pledge_allowed {
                    return Err(ServiceError::from_domain(
                        yibao_domain::case::CaseError::PledgeNotAllowed(material.name.clone()),
                    ));
                }
                (
                    "个人承诺书".into(),
                    "text/plain; charset=utf-8".into(),
                    sha256_hex(text),
                    Some(text.as_bytes()),
                )
            }
            (ProvidedAs::Original | ProvidedAs::Copy, _) => {
                (how.label().into(), String::new(), String::new(), None)
            }
            _ => {
                return Err(ServiceError::invalid(
                    "case.provided_as",
                    "在线表单随申请一并提交",
                ))
            }
        };
    let file_name: String = input
        .file_name
        .chars()
        .filter(|c| !c.is_control())
        .take(120)
        .collect();
    let id = store::add_material(
        &mut tx,
        &NewMaterial {
            case: &case.key(),
            material_id: &material.id,
            provided_as: how.as_str(),
            file_name: &file_name,
            content_type: &content_type,
            sha256: &sha,
            content,
            added_at: &now,
            added_by: &actor.label(),
            seal_confirmed_by: &seal_by,
        },
    )
    .await?;
    store::insert_event(
        &mut tx,
        &EventRow {
            id: 0,
            case_id: case.id,
            case_month: case.key().month,
            at: now.clone(),
            action: yibao_domain::case::EventKind::Material,
            from_status: yibao_domain::codes::MaybeCode(Some(case.status)),
            to_status: case.status,
            actor_kind: actor.kind().into(),
            actor_id: actor.id(),
            actor_label: actor.label(),
            channel: case.channel.clone(),
            note: if seal_by.is_empty() {
                format!("{}：{kind_label}", material.name)
            } else {
                format!("{}：{kind_label}，已核验单位公章", material.name)
            },
        },
    )
    .await?;
    audit::record(
        &mut tx,
        services,
        actor,
        "case.material",
        "case",
        &case.number,
        None,
        Some(&json!({
            "material": material.id,
            "how": how.as_str(),
            "sha256": sha,
            "seal_confirmed": !seal_by.is_empty(),
        })),
        &format!(
            "办件 {} 提交材料 {}（{kind_label}）",
            case.number, material.name
        ),
    )
    .await?;
    let row = store::materials(&mut tx, &case.key())
        .await?
        .into_iter()
        .find(|m| m.id == id)
        .ok_or_else(super::not_found)?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(row)
}

/// Who confirms a seal: a clerk of the case's agency (never the applicant), on a material
/// whose guide text asks for the seal.
fn seal_confirmer(
    actor: &Actor,
    material: &yibao_domain::catalog::Material,
) -> Result<String, ServiceError> {
    if !matches!(actor, Actor::Staff(s) if s.has_role(StaffRole::Clerk)) {
        return Err(forbidden(
            "case.seal_by_clerk",
            "单位公章由窗口经办人员核验确认",
        ));
    }
    if !material.seal_required {
        return Err(ServiceError::invalid(
            "case.seal_not_required",
            format!("材料“{}”无需加盖单位公章", material.name),
        ));
    }
    Ok(actor.label())
}

/// A clerk confirms the unit's seal on a material already on the case (an upload, the form
/// filled in online, or papers recorded before the seal was checked).
pub async fn confirm_seal(
    services: &Services,
    actor: &Actor,
    number: &str,
    material_row: i64,
) -> Result<MaterialRow, ServiceError> {
    let now = services.clock().now_text();
    let mut tx = services.store().begin().await?;
    let case = load(&mut tx, actor, number).await?;
    let item = item_of(services, &case)?;
    may_add_materials(actor, &case)?;
    let row = store::materials(&mut tx, &case.key())
        .await?
        .into_iter()
        .find(|m| m.id == material_row)
        .ok_or_else(|| ServiceError::not_found("case.material_not_found", "材料不存在"))?;
    let material = item
        .materials
        .iter()
        .find(|m| m.id == row.material_id)
        .ok_or_else(|| ServiceError::invalid("case.seal_not_required", "该材料无需加盖单位公章"))?;
    let by = seal_confirmer(actor, material)?;
    if row.provided_as == ProvidedAs::Pledge.as_str() {
        return Err(ServiceError::invalid(
            "case.seal_on_pledge",
            "个人承诺书无需加盖单位公章",
        ));
    }
    if !store::confirm_seal(&mut tx, &case.key(), row.id, &by, &now).await? {
        return Err(ServiceError::not_found(
            "case.material_not_found",
            "材料不存在",
        ));
    }
    store::insert_event(
        &mut tx,
        &EventRow {
            id: 0,
            case_id: case.id,
            case_month: case.key().month,
            at: now.clone(),
            action: yibao_domain::case::EventKind::Material,
            from_status: yibao_domain::codes::MaybeCode(Some(case.status)),
            to_status: case.status,
            actor_kind: actor.kind().into(),
            actor_id: actor.id(),
            actor_label: actor.label(),
            channel: case.channel.clone(),
            note: format!("{}：已核验单位公章", material.name),
        },
    )
    .await?;
    audit::record(
        &mut tx,
        services,
        actor,
        "case.material_seal",
        "case",
        &case.number,
        None,
        Some(&json!({ "material": material.id, "row": row.id })),
        &format!("办件 {} 核验材料 {} 的单位公章", case.number, material.name),
    )
    .await?;
    let row = store::materials(&mut tx, &case.key())
        .await?
        .into_iter()
        .find(|m| m.id == row.id)
        .ok_or_else(super::not_found)?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(row)
}

/// The personal pledge (个人承诺书) filled in from seed 000 表6 (`chuanyu-form-6`): its four
/// blanks are the person, the ID number, the business and the proof it replaces.
pub fn pledge_text(
    template: &str,
    name: &str,
    id_number: &str,
    item: &str,
    material: &str,
    date: &str,
) -> String {
    let mut text = String::new();
    let mut values = [name, id_number, item, material].into_iter();
    let mut parts = template.split("____").peekable();
    while let Some(part) = parts.next() {
        text.push_str(part);
        if parts.peek().is_some() {
            text.push_str(values.next().unwrap_or(""));
        }
    }
    format!("个人承诺书\n\n{text}\n\n承诺人：{name}\n日期：{date}\n")
}

/// One material's content, for those who may see the case.
pub async fn material_content(
    services: &Services,
    actor: &Actor,
    number: &str,
    material_row: i64,
) -> Result<(MaterialRow, Vec<u8>), ServiceError> {
    let mut tx = services.store().begin_read().await?;
    let case = load(&mut tx, actor, number).await?;
    store::material_content(&mut tx, &case.key(), material_row)
        .await?
        .ok_or_else(|| ServiceError::not_found("case.material_not_found", "材料不存在"))
}

/// Whether `actor` may add materials to `case` now (the domain's `materials_open`, for the
/// applicant or a clerk); the case page asks the same question through the case view.
pub(crate) fn may_add_materials(actor: &Actor, case: &CaseRow) -> Result<(), ServiceError> {
    let status = case.status;
    let by = match actor {
        Actor::Citizen(_) | Actor::Employer(_) => Submitter::Applicant,
        // The receiving or deciding agency's clerk; a supervising agency only looks.
        Actor::Staff(s)
            if s.has_role(StaffRole::Clerk)
                && (s.agency_id == case.receiving_agency_id
                    || s.agency_id == case.deciding_agency_id) =>
        {
            Submitter::Clerk
        }
        Actor::Staff(_) => {
            return Err(forbidden(
                "case.materials_closed",
                "办件当前状态下不能再补充材料",
            ))
        }
        _ => return Err(forbidden("auth.forbidden", "无权为该办件提交材料")),
    };
    if materials_open(status, by) {
        Ok(())
    } else {
        Err(forbidden(
            "case.materials_closed",
            "办件当前状态下不能再补充材料",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::pledge_text;

    #[test]
    fn the_pledge_follows_table_6() {
        // Seed 000 附表6 个人承诺书, as transcribed in data/forms.
        let template = "本人____(身份证件号码:____),办理____业务。因个人原因无法提供____证明,本人保证符合此业务办理条件。";
        let t = pledge_text(
            template,
            "张三",
            "11010519491231002X",
            "异地安置退休人员备案",
            "异地居住证明",
            "2026-11-22",
        );
        assert!(t.contains("本人张三(身份证件号码:11010519491231002X),办理异地安置退休人员备案业务。因个人原因无法提供异地居住证明证明"));
        assert!(t.ends_with("日期：2026-11-22\n"));
    }
}
