//! Fuzz targets of the employer roster reader (CSV in UTF-8, GB18030 or UTF-16, and .xlsx) and
//! of the registry form reader. Arbitrary bytes never panic and give either records or
//! problems tied to a line; a roster written from generated valid rows, in every encoding and
//! line ending Excel produces, reads back as exactly those rows.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use proptest::prelude::*;
use yibao_domain::ids::citizen_id_check_char;

use super::form::Form;
use super::roster::{parse_roster, ParsedRoster, RosterKind, MAX_ROWS};
use crate::fuzz_support::{arb_bytes, arb_text, config, mutated};

/// One valid enrolment row as the user typed it and as the reader must give it back.
#[derive(Debug, Clone)]
struct Row {
    name: String,
    id: String,
    date_typed: String,
    date: NaiveDate,
}

/// Names of Chinese characters with, inside, the characters CSV must quote.
fn name() -> impl Strategy<Value = String> {
    "[\u{4e00}-\u{9fa5}][\u{4e00}-\u{9fa5},\"\n ·]{0,4}[\u{4e00}-\u{9fa5}]"
}

fn date_typed() -> impl Strategy<Value = (String, NaiveDate)> {
    let formats = vec![
        "%Y-%m-%d",
        "%Y/%-m/%-d",
        "%Y.%m.%d",
        "%Y%m%d",
        "%Y年%-m月%-d日",
        "%Y-%m-%d 0:00",
    ];
    (0i64..73_000, prop::sample::select(formats)).prop_map(|(days, f)| {
        let d = NaiveDate::from_ymd_opt(1900, 1, 1).unwrap() + chrono::Duration::days(days);
        (d.format(f).to_string(), d)
    })
}

/// Rows with distinct ID numbers (the sequence part is the row's index).
fn rows(max: usize) -> impl Strategy<Value = Vec<Row>> {
    prop::collection::vec((name(), date_typed(), 0u32..100, any::<bool>()), 1..max).prop_map(|v| {
        v.into_iter()
            .enumerate()
            .map(|(i, (name, (date_typed, date), area, lower_x))| {
                let first17 = format!("5001{area:02}19900101{i:03}");
                let mut id = format!("{first17}{}", citizen_id_check_char(first17.as_bytes()));
                if lower_x {
                    id = id.to_lowercase();
                }
                Row {
                    name,
                    id,
                    date_typed,
                    date,
                }
            })
            .collect()
    })
}

#[derive(Debug, Clone, Copy)]
enum Encoding {
    Utf8,
    Utf8Bom,
    Gb18030,
    Utf16Tabs,
}

fn encoding() -> impl Strategy<Value = Encoding> {
    prop::sample::select(vec![
        Encoding::Utf8,
        Encoding::Utf8Bom,
        Encoding::Gb18030,
        Encoding::Utf16Tabs,
    ])
}

fn csv_file(rows: &[Row], enc: Encoding, crlf: bool) -> Vec<u8> {
    let tabs = matches!(enc, Encoding::Utf16Tabs);
    let mut w = csv::WriterBuilder::new()
        .delimiter(if tabs { b'\t' } else { b',' })
        .terminator(if crlf {
            csv::Terminator::CRLF
        } else {
            csv::Terminator::Any(b'\n')
        })
        .from_writer(Vec::new());
    w.write_record(["姓名", "证件号码", "入职日期"]).unwrap();
    for r in rows {
        w.write_record([&r.name, &r.id, &r.date_typed]).unwrap();
    }
    let text = String::from_utf8(w.into_inner().unwrap()).unwrap();
    match enc {
        Encoding::Utf8 => text.into_bytes(),
        Encoding::Utf8Bom => [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat(),
        Encoding::Gb18030 => encoding_rs::GB18030.encode(&text).0.into_owned(),
        Encoding::Utf16Tabs => {
            let mut b = vec![0xFF, 0xFE];
            b.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
            b
        }
    }
}

fn xlsx_file(rows: &[Row]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in ["姓名", "证件号码", "入职日期"].into_iter().enumerate() {
        sheet.write_string(0, c as u16, h).unwrap();
    }
    for (i, r) in rows.iter().enumerate() {
        let line = i as u32 + 1;
        sheet.write_string(line, 0, &r.name).unwrap();
        sheet.write_string(line, 1, &r.id).unwrap();
        sheet.write_string(line, 2, &r.date_typed).unwrap();
    }
    book.save_to_buffer().unwrap()
}

fn expected(rows: &[Row]) -> Vec<BTreeMap<String, String>> {
    rows.iter()
        .map(|r| {
            [
                ("name", r.name.trim().to_string()),
                ("document_type", "居民身份证".to_string()),
                ("id_number", r.id.clone()),
                ("join_date", r.date.format("%Y-%m-%d").to_string()),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect()
        })
        .collect()
}

/// What holds for any file: no panic, and every record and problem is tied to a line.
fn check_shape(p: &ParsedRoster) -> Result<(), TestCaseError> {
    prop_assert!(p.records.len() <= MAX_ROWS);
    prop_assert!(p.records.windows(2).all(|w| w[0].line < w[1].line));
    prop_assert!(p.records.iter().all(|r| r.line >= 2));
    for problem in &p.problems {
        prop_assert!(problem.code.starts_with("roster."));
        prop_assert!(!problem.message.is_empty());
    }
    // Either the file as a whole is refused, or rows are read; a refused file gives no records.
    if p.problems.iter().any(|q| q.line == 0) {
        prop_assert!(p.records.is_empty());
    }
    Ok(())
}

/// A small valid workbook, built once, for the byte-mutation target.
fn small_xlsx() -> Vec<u8> {
    let row = Row {
        name: "张三".to_string(),
        id: "11010119900307123X".to_string(),
        date_typed: "2026-03-01".to_string(),
        date: NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(),
    };
    xlsx_file(&[row])
}

proptest! {
    #![proptest_config(config(1))]

    #[test]
    fn roster_arbitrary_bytes_never_panic(bytes in arb_bytes(), remove in any::<bool>()) {
        let kind = if remove { RosterKind::Remove } else { RosterKind::Enrol };
        check_shape(&parse_roster(kind, &bytes))?;
        // The same bytes behind a zip or OLE signature go down the spreadsheet paths.
        check_shape(&parse_roster(kind, &[b"PK\x03\x04".as_slice(), &bytes].concat()))?;
        check_shape(&parse_roster(kind, &[b"\xD0\xCF\x11\xE0".as_slice(), &bytes].concat()))?;
    }

    #[test]
    fn roster_csv_with_a_valid_header_and_arbitrary_rows_never_panics(
        body in prop::collection::vec(arb_text(), 0..6),
        gb in any::<bool>(),
    ) {
        let text = format!("姓名,证件号码,入职日期,证件类型,出生日期\n{}", body.join("\n"));
        let bytes = if gb {
            encoding_rs::GB18030.encode(&text).0.into_owned()
        } else {
            text.into_bytes()
        };
        check_shape(&parse_roster(RosterKind::Enrol, &bytes))?;
    }

    #[test]
    fn roster_csv_reads_back_the_rows_written(
        rows in rows(12),
        enc in encoding(),
        crlf in any::<bool>(),
    ) {
        let parsed = parse_roster(RosterKind::Enrol, &csv_file(&rows, enc, crlf));
        prop_assert_eq!(&parsed.problems, &vec![]);
        let fields: Vec<_> = parsed.records.iter().map(|r| r.fields.clone()).collect();
        prop_assert_eq!(fields, expected(&rows));
        // A quoted line break stays in its cell: the lines are the spreadsheet's rows.
        let lines: Vec<usize> = parsed.records.iter().map(|r| r.line).collect();
        prop_assert_eq!(lines, (2..rows.len() + 2).collect::<Vec<_>>());
    }
}

proptest! {
    // Writing and reading a workbook costs about as much as 16 CSV files.
    #![proptest_config(config(16))]

    #[test]
    fn roster_xlsx_reads_back_the_rows_written(rows in rows(8)) {
        let parsed = parse_roster(RosterKind::Enrol, &xlsx_file(&rows));
        prop_assert_eq!(&parsed.problems, &vec![]);
        let fields: Vec<_> = parsed.records.iter().map(|r| r.fields.clone()).collect();
        prop_assert_eq!(fields, expected(&rows));
    }
}

proptest! {
    #![proptest_config(config(4))]

    #[test]
    fn roster_damaged_xlsx_never_panics(bytes in mutated(small_xlsx())) {
        check_shape(&parse_roster(RosterKind::Enrol, &bytes))?;
    }
}

proptest! {
    #![proptest_config(config(1))]

    #[test]
    fn registry_form_arbitrary_fields_never_panic(
        fields in prop::collection::btree_map(
            prop::sample::select(vec!["roster", "join_date", "name", "flag"]),
            prop_oneof![arb_text(), Just("[{\"line\": 18446744073709551615, \"a\": 1}]".to_string())],
            0..4,
        )
    ) {
        let form = Form {
            fields: fields.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
            line: 0,
        };
        let _ = form.date("join_date", "入职日期");
        let _ = form.optional_date("join_date", "入职日期");
        let _ = form.text("name", "姓名");
        let _ = form.yes("flag");
        if let Ok(rows) = form.rows() {
            prop_assert!(!rows.is_empty() || form.get("roster").is_some());
        }
    }
}
