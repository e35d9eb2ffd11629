//! Fuzz targets of the form data parsers: the TOML form definitions under `data/forms`, form
//! data checked against each of them (`POST /api/v1/forms/{id}/validate`, and the filing
//! application read from form 1), and phone numbers. Arbitrary values never panic and give
//! either acceptance or coded errors naming a field; a damaged definition is refused or loads.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use proptest::prelude::*;

use super::{is_phone, validate_form, FieldKind, Form};
use crate::filing::{FilingApplication, Phone};
use crate::fuzz_support::{arb_text, config, near, pieces};

const FORMS: [&str; 6] = [
    include_str!("../../../../data/forms/chuanyu-form-1.toml"),
    include_str!("../../../../data/forms/chuanyu-form-2.toml"),
    include_str!("../../../../data/forms/chuanyu-form-3.toml"),
    include_str!("../../../../data/forms/chuanyu-form-4.toml"),
    include_str!("../../../../data/forms/chuanyu-form-5.toml"),
    include_str!("../../../../data/forms/chuanyu-form-6.toml"),
];

fn forms() -> Vec<Form> {
    FORMS.iter().map(|t| toml::from_str(t).unwrap()).collect()
}

/// A value for a field: plausible for its kind, a near miss of that, or anything at all.
fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("11010519491231002X".to_string()),
        Just("2026-11-20".to_string()),
        Just("138-0000-1234".to_string()),
        Just("500000".to_string()),
        Just("1,234.56".to_string()),
        Just("9223372036854775807".to_string()),
        Just("-9223372036854775809".to_string()),
        near(Just("2026-11-20".to_string())),
        pieces(12),
        arb_text(),
    ]
}

/// Data for a form: a value (or a choice of the field) for some of its keys, and a stray key.
fn data_for(form: Form) -> impl Strategy<Value = (Form, BTreeMap<String, String>)> {
    let n = form.fields.len();
    let choices: Vec<String> = form
        .fields
        .iter()
        .flat_map(|f| f.choices.iter().cloned())
        .chain(["".to_string()])
        .collect();
    (
        prop::collection::vec(
            (
                0..n.max(1),
                prop_oneof![value(), prop::sample::select(choices)],
            ),
            0..n + 2,
        ),
        prop::option::of(arb_text()),
    )
        .prop_map(move |(picks, stray)| {
            let mut data: BTreeMap<String, String> = picks
                .into_iter()
                .filter(|(i, _)| *i < n)
                .map(|(i, v)| (form.fields[i].key.clone(), v))
                .collect();
            if let Some(k) = stray {
                data.insert(k, "x".to_string());
            }
            (form.clone(), data)
        })
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn form_data_of_any_value_never_panics(
        (form, data) in prop::sample::select(forms()).prop_flat_map(data_for)
    ) {
        match validate_form(&form, &data, today()) {
            Ok(()) => {
                // Accepted data names only the form's fields, and a date is a date.
                for (k, v) in &data {
                    let field = form.fields.iter().find(|f| &f.key == k);
                    prop_assert!(field.is_some(), "{} accepted", k);
                    if field.unwrap().kind == FieldKind::Date && !v.trim().is_empty() {
                        prop_assert!(NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d").is_ok());
                    }
                }
            }
            Err(errors) => {
                prop_assert!(!errors.is_empty());
                for e in errors {
                    prop_assert!(!e.code.is_empty() && !e.message.is_empty());
                    prop_assert!(data.contains_key(&e.field) || form.fields.iter().any(|f| f.key == e.field));
                }
            }
        }
        // Form 1 is also read as a filing application.
        if form.id == "chuanyu-form-1" {
            let _ = FilingApplication::parse(&data);
        }
    }

    #[test]
    fn form_definitions_damaged_never_panic(
        text in prop::sample::select(FORMS.map(String::from).to_vec()).prop_flat_map(|t| near(Just(t)))
    ) {
        let _ = toml::from_str::<Form>(&text);
    }

    #[test]
    fn phone_numbers_of_any_text_never_panic(s in prop_oneof![arb_text(), near(Just("138-0000-1234".to_string()))]) {
        if is_phone(&s) {
            prop_assert!(s.chars().all(|c| c.is_ascii_digit() || c == '-' || c == ' '));
        }
        if let Some(p) = Phone::parse(&s) {
            prop_assert!(p.as_str().bytes().all(|b| b.is_ascii_digit()));
            let _ = p.masked();
        }
    }
}
