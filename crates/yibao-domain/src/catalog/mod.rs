//! The service catalog (事项清单 / 办事指南): every item of every jurisdiction's guide, as data.
//!
//! `load` turns the text of the data files into a validated `Catalog`, or a list of every problem
//! with its file and line. It is pure (the caller reads the files), so the server, the CLI and the
//! tests validate the same way.

mod form_validate;
#[cfg(test)]
mod fuzz;
mod load;
mod model;
mod offices;
mod query;
mod rank;
mod service;

pub use form_validate::{
    is_phone, normalize_form, parse_date_text, region_of_text, validate_form, FieldError,
};
pub use load::{load, LoadError, SourceFile};
pub use model::*;
pub use offices::{Office, OfficeDirectory, OnlineChannel};
pub use query::{domain_label, CatalogQuery, DOMAINS};
pub use service::{Service, UnknownService};

use std::collections::BTreeMap;

/// Named, machine-checked conditions an item may refer to (docs/catalog-format.md).
pub const PREDICATES: &[&str] = &[
    "scheme_employee",
    "scheme_resident",
    "retired",
    "in_service",
    "flexible_worker",
    "employer_applicant",
    "employer_agency",
    "person_applicant",
    "institution_applicant",
    "proxy",
    "key_info_change",
    "enterprise",
    "government_or_public_institution",
    "private_non_enterprise_or_social_org",
    "hk_macao_taiwan_resident",
    "foreign_national",
    "local_hukou",
    "non_local_hukou",
    "age_at_least",
    "age_below_retirement",
    "no_arrears",
    "no_active_employees",
    "contributions_normal",
    "death",
    "emigration",
    "leaving_scheme",
    "aid_recipient",
    "aid_unrecognised",
    "designated_hospital",
    "designated_pharmacy",
    "student",
    "newborn",
    "within_days_of_event",
    "trauma_admission",
    "resides_elsewhere",
    "works_elsewhere",
    "referral_certificate",
    "emergency_admission",
    "hukou_moved",
    "min_stay",
    "min_contribution_months",
    "split_or_merger",
    "deregistration",
    "retirement_transfer",
    "injury",
    "special_outpatient",
    "non_public_sector",
    "not_networked",
];

/// The whole validated catalog.
#[derive(Debug, Clone)]
pub struct Catalog {
    pub jurisdictions: Vec<Jurisdiction>,
    pub services: Vec<ServiceInfo>,
    /// Sorted by jurisdiction (in `jurisdictions` order), then id, then version.
    pub items: Vec<Item>,
    pub forms: BTreeMap<String, Form>,
    pub offices: Vec<OfficeDirectory>,
}

impl Catalog {
    pub fn jurisdiction(&self, key: &str) -> Option<&Jurisdiction> {
        self.jurisdictions.iter().find(|j| j.key == key)
    }

    pub fn service(&self, key: Service) -> Option<&ServiceInfo> {
        self.services.iter().find(|s| s.key == key)
    }

    pub fn form(&self, id: &str) -> Option<&Form> {
        self.forms.get(id)
    }

    /// All versions of all items of one jurisdiction.
    pub fn items_in<'a>(&'a self, jurisdiction: &'a str) -> impl Iterator<Item = &'a Item> + 'a {
        self.items
            .iter()
            .filter(move |i| i.jurisdiction == jurisdiction)
    }

    /// The item of `jurisdiction` that answers to `code` (its id or an item code): the version in
    /// force on `on` if a date is given, else the highest version.
    pub fn find(
        &self,
        jurisdiction: &str,
        code: &str,
        on: Option<chrono::NaiveDate>,
    ) -> Option<&Item> {
        self.items
            .iter()
            .filter(|i| i.jurisdiction == jurisdiction && i.answers_to(code))
            .filter(|i| on.is_none_or(|d| i.in_force_on(d)))
            .max_by_key(|i| i.version)
    }

    /// One exact version (what a case filed under that version refers to).
    pub fn find_version(&self, jurisdiction: &str, id: &str, version: u32) -> Option<&Item> {
        self.items
            .iter()
            .find(|i| i.jurisdiction == jurisdiction && i.id == id && i.version == version)
    }

    /// The current version of every item, in catalog order.
    pub fn current_items(&self) -> impl Iterator<Item = &Item> {
        self.items.iter().filter(move |i| {
            !self
                .items
                .iter()
                .any(|o| o.jurisdiction == i.jurisdiction && o.id == i.id && o.version > i.version)
        })
    }

    /// The current variants of one canonical service across jurisdictions.
    pub fn variants(&self, service: Service) -> impl Iterator<Item = &Item> {
        self.current_items().filter(move |i| i.service == service)
    }

    /// The same canonical service in the other jurisdictions (current versions).
    pub fn other_variants<'a>(&'a self, item: &'a Item) -> impl Iterator<Item = &'a Item> + 'a {
        self.variants(item.service)
            .filter(move |v| v.jurisdiction != item.jurisdiction || v.id != item.id)
    }

    /// Every version number of `item` (a case records the one it was filed under).
    pub fn versions_of(&self, item: &Item) -> Vec<u32> {
        self.items
            .iter()
            .filter(|v| v.jurisdiction == item.jurisdiction && v.id == item.id)
            .map(|v| v.version)
            .collect()
    }

    pub fn offices_of(&self, jurisdiction: &str) -> Option<&OfficeDirectory> {
        self.offices.iter().find(|o| o.jurisdiction == jurisdiction)
    }
}
