//! What every page shows around its content: who is logged in, their links, the logout form
//! (with the CSRF token), and the token for the page's own forms.

use yibao_domain::staff::StaffRole;
use yibao_service::identity::Actor;

use crate::auth::Auth;

pub struct Chrome {
    /// Empty when nobody is logged in.
    pub who: String,
    pub csrf: String,
    pub links: Vec<(&'static str, &'static str)>,
}

impl Chrome {
    pub fn of(auth: &Auth) -> Chrome {
        let mut links = Vec::new();
        match &auth.actor {
            Actor::Citizen(_) => {
                links.push(("/cases", "我的办件"));
                links.push(("/account/record", "我的参保信息"));
                links.push(("/account/filings", "异地就医备案"));
                links.push(("/account/evoucher", "医保电子凭证"));
                links.push(("/complaints", "投诉举报"));
                links.push(("/account", "我的账户"));
            }
            Actor::Employer(_) => {
                links.push(("/employer", "本单位"));
                links.push(("/account", "账户"));
            }
            Actor::Institution(_) => {
                links.push(("/institution", "月结算"));
            }
            Actor::Staff(s) => {
                links.push(("/cases", "办件工作台"));
                if s.has_role(StaffRole::Supervisor) || s.has_role(StaffRole::Auditor) {
                    links.push(("/staff/dashboard", "监督看板"));
                    links.push(("/cases/overdue", "超期办件"));
                    links.push(("/cases/evaluations", "好差评"));
                }
                if s.has_role(StaffRole::Finance) {
                    links.push(("/cases/disbursement", "拨付"));
                    links.push(("/staff/contributions", "缴费核定"));
                }
                if [StaffRole::Clerk, StaffRole::Reviewer, StaffRole::Supervisor]
                    .iter()
                    .any(|r| s.has_role(*r))
                {
                    links.push(("/complaints", "投诉举报"));
                }
                links.push(("/staff/persons", "参保人员"));
                links.push(("/staff/employers", "参保单位"));
                if [
                    StaffRole::Finance,
                    StaffRole::Supervisor,
                    StaffRole::Auditor,
                ]
                .iter()
                .any(|r| s.has_role(*r))
                {
                    links.push(("/staff/settlements", "结算记录"));
                }
                if [
                    StaffRole::Reviewer,
                    StaffRole::Finance,
                    StaffRole::Supervisor,
                    StaffRole::Auditor,
                ]
                .iter()
                .any(|r| s.has_role(*r))
                {
                    // Admins (the most links already) reach it from 定点机构's page.
                    links.push(("/staff/monthly", "机构月结算"));
                }
                if [
                    StaffRole::Finance,
                    StaffRole::Supervisor,
                    StaffRole::Auditor,
                ]
                .iter()
                .any(|r| s.has_role(*r))
                {
                    links.push(("/staff/clearing", "跨省清算"));
                }
                if s.has_role(StaffRole::Admin) {
                    links.push(("/admin/staff", "人员管理"));
                    links.push(("/admin/institutions", "定点机构"));
                    links.push(("/admin/calendar", "节假日"));
                    links.push(("/admin/benefit", "待遇政策"));
                }
                if s.has_role(StaffRole::Auditor) || s.has_role(StaffRole::Supervisor) {
                    links.push(("/audit", "审计日志"));
                }
                links.push(("/account", "账户"));
            }
            _ => {}
        }
        Chrome {
            who: auth.actor.display(),
            csrf: auth.csrf.clone(),
            links,
        }
    }

    /// For pages rendered outside a request's authentication (error pages).
    pub fn anonymous() -> Chrome {
        Chrome {
            who: String::new(),
            csrf: String::new(),
            links: Vec::new(),
        }
    }
}
