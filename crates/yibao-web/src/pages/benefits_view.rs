//! The person's standing for benefits as the record pages show it (issue #23): outpatient
//! chronic/special-disease qualifications (门诊慢特病资格, docs/qualifications.md), medical-aid
//! statuses (医疗救助身份) with the year's aid paid, and maternity benefits paid
//! (生育保险待遇, docs/maternity.md). The API gives the same: `GET /api/v1/persons/{id}/qualifications`
//! and `/maternity`.

use yibao_domain::Fen;
use yibao_service::aid::AidStatusView;
use yibao_service::identity::Actor;
use yibao_service::qualification::QualificationView;
use yibao_service::{ServiceError, Services};

pub struct MaternityLine {
    pub event: String,
    pub benefit: &'static str,
    pub paid: String,
    pub case_number: String,
}

pub struct BenefitsView {
    pub qualifications: Vec<QualificationView>,
    pub aid: Vec<AidStatusView>,
    pub aid_year: i64,
    pub aid_paid: String,
    pub maternity: Vec<MaternityLine>,
}

/// Fen's own display: `12.34元`.
fn yuan(fen: i64) -> String {
    Fen(fen).to_string()
}

pub async fn current(
    services: &Services,
    actor: &Actor,
    person_id: i64,
) -> Result<BenefitsView, ServiceError> {
    let q = yibao_service::aid::person_view(services, actor, person_id).await?;
    let m = yibao_service::maternity::for_person(services, actor, person_id).await?;
    Ok(BenefitsView {
        qualifications: q.qualifications,
        aid: q.aid_statuses,
        aid_year: q.year,
        aid_paid: yuan(q.aid_paid_fen),
        maternity: m
            .benefits
            .iter()
            .map(|b| MaternityLine {
                event: format!("{} {}", b.event_date, b.event_text),
                benefit: b.benefit.label(),
                paid: yuan(b.paid_fen),
                case_number: b.case_number.clone(),
            })
            .collect(),
    })
}
