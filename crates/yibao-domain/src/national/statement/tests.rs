use std::io::{Cursor, Read, Write};

use proptest::prelude::*;

use super::*;

/// A zip as the NMG client makes it (`ZipFile.CreateFromDirectory` over a folder of text files).
fn zip_of(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in files {
        zip.start_file(*name, options).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

const TWO_LINES: &str =
    "ST000000000001\tMD000000000001\t110101199001011237\t100.00\t60.00\t10.00\t0\r\n\
ST000000000002\tMD000000000002\t110101199001011237\t25.5\t0\t0.00\t1\r\n";

fn code(r: Result<Vec<DetailLine>, DetailFileError>) -> &'static str {
    r.map(|_| "ok").unwrap_or_else(|e| e.code())
}

#[test]
fn reads_the_zipped_tab_separated_text_the_clients_send() {
    let lines = read_detail_file(&zip_of(&[("医保对账.txt", TWO_LINES.as_bytes())])).unwrap();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0].setl_id, "ST000000000001");
    assert_eq!(lines[0].mdtrt_id, "MD000000000001");
    assert_eq!(lines[0].medfee, Fen(10_000));
    assert_eq!(lines[0].funds, Fen(6_000));
    assert_eq!(lines[0].account, Fen(1_000));
    assert!(!lines[0].refund);
    assert_eq!(lines[1].medfee, Fen(2_550));
    assert!(lines[1].refund);
    assert_eq!(lines[1].line, 2);
}

#[test]
fn plain_text_bom_lf_header_blank_lines_and_fixed_decimals_are_read() {
    let text = "\u{feff}setl_id\tmdtrt_id\tpsn_no\tmedfee_sumamt\tfund_pay_sumamt\tacct_pay\trefd_setl_flag\n\
\n ST1 \tMD1\tP1\t12.500000\t-3\t0\t0\n\n";
    let lines = read_detail_file(text.as_bytes()).unwrap();
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0].setl_id, "ST1");
    assert_eq!(lines[0].medfee, Fen(1_250));
    assert_eq!(lines[0].funds, Fen(-300));
    assert_eq!(lines[0].line, 3);
}

#[test]
fn an_empty_file_and_a_file_of_blank_lines_are_empty() {
    assert_eq!(code(read_detail_file(b"")), "national.detail_empty");
    assert_eq!(
        code(read_detail_file(b"\r\n\r\n  \n")),
        "national.detail_empty"
    );
    assert_eq!(
        code(read_detail_file(&zip_of(&[("a.txt", b"")]))),
        "national.detail_empty"
    );
    // Only a header.
    assert_eq!(
        code(read_detail_file(DETAIL_COLUMNS.join("\t").as_bytes())),
        "national.detail_empty"
    );
}

#[test]
fn a_wrong_column_count_names_the_line_and_the_count() {
    let text = "ST1\tMD1\tP1\t1\t1\t0\t0\nST2\tMD2\tP2\t1\t1\t0\n";
    let e = read_detail_file(text.as_bytes()).unwrap_err();
    assert_eq!(e, DetailFileError::Columns { line: 2, found: 6 });
    assert_eq!(e.code(), "national.detail_columns");
    assert!(e.message().contains("第 2 行有 6 列，应为 7 列"));
    // Commas are not the separator.
    let e = read_detail_file(b"ST1,MD1,P1,1,1,0,0").unwrap_err();
    assert_eq!(e, DetailFileError::Columns { line: 1, found: 1 });
}

#[test]
fn a_broken_zip_is_refused_with_a_stable_code() {
    let mut z = zip_of(&[("a.txt", TWO_LINES.as_bytes())]);
    // Truncated: the central directory is gone.
    z.truncate(z.len() / 2);
    let e = read_detail_file(&z).unwrap_err();
    assert_eq!(e.code(), "national.detail_zip");
    assert!(e.message().contains("zip"));
    // A local header and nothing else.
    assert_eq!(
        code(read_detail_file(b"PK\x03\x04garbage")),
        "national.detail_zip"
    );
    // Corrupt deflate data inside an intact archive: the CRC or the inflater fails.
    let mut z = zip_of(&[("a.txt", TWO_LINES.repeat(20).as_bytes())]);
    for b in z.iter_mut().skip(40).take(30) {
        *b ^= 0x5a;
    }
    assert_eq!(code(read_detail_file(&z)), "national.detail_zip");
}

#[test]
fn a_zip_must_hold_exactly_one_file() {
    let two = zip_of(&[
        ("a.txt", TWO_LINES.as_bytes()),
        ("b.txt", TWO_LINES.as_bytes()),
    ]);
    assert_eq!(
        read_detail_file(&two).unwrap_err(),
        DetailFileError::ZipEntries(2)
    );
    let none = zip_of(&[]);
    assert_eq!(
        read_detail_file(&none).unwrap_err(),
        DetailFileError::ZipEntries(0)
    );
}

#[test]
fn bytes_that_are_not_utf8_name_their_line() {
    // GBK for 结算 on line 2: no client was seen sending GBK, and no field holds Chinese.
    let mut bytes = b"ST1\tMD1\tP1\t1\t1\t0\t0\n".to_vec();
    bytes.extend_from_slice(b"ST2\tMD2\t\xbd\xe1\xcb\xe3\t1\t1\t0\t0\n");
    assert_eq!(
        read_detail_file(&bytes).unwrap_err(),
        DetailFileError::Encoding { line: 2 }
    );
    let e = read_detail_file(b"\xff\xfe\x00\x01").unwrap_err();
    assert_eq!(e.code(), "national.detail_encoding");
    assert!(e.message().contains("UTF-8"));
}

#[test]
fn amounts_flags_ids_and_duplicates_are_checked() {
    let bad = |line: &str| read_detail_file(line.as_bytes()).unwrap_err();
    assert_eq!(
        bad("ST1\tMD1\tP1\tabc\t1\t0\t0").code(),
        "national.detail_amount"
    );
    assert_eq!(
        bad("ST1\tMD1\tP1\t1.234\t1\t0\t0").code(),
        "national.detail_amount"
    );
    assert_eq!(
        bad("ST1\tMD1\tP1\t1\t\t0\t0").code(),
        "national.detail_amount"
    );
    assert_eq!(
        bad("ST1\tMD1\tP1\t1,000\t1\t0\t0").code(),
        "national.detail_amount"
    );
    assert_eq!(
        bad("ST1\tMD1\tP1\t1\t1\t0\t2").code(),
        "national.detail_flag"
    );
    assert_eq!(
        bad("ST1\tMD1\tP1\t1\t1\t0\t").code(),
        "national.detail_flag"
    );
    assert_eq!(bad("\tMD1\tP1\t1\t1\t0\t0").code(), "national.detail_field");
    let e = bad("ST1\tMD1\tP1\t1\t1\t0\t0\nST1\tMD1\tP1\t1\t1\t0\t0");
    assert_eq!(
        e,
        DetailFileError::Duplicate {
            line: 2,
            setl_id: "ST1".into(),
            refund: false
        }
    );
    // The same settlement and its refund are two lines, not a duplicate.
    assert_eq!(
        read_detail_file(b"ST1\tMD1\tP1\t1\t1\t0\t0\nST1\tMD1\tP1\t-1\t-1\t0\t1")
            .unwrap()
            .len(),
        2
    );
}

#[test]
fn a_file_over_the_limit_is_refused_before_reading() {
    let big = vec![b'a'; MAX_FILE_BYTES + 1];
    assert_eq!(code(read_detail_file(&big)), "national.detail_too_large");
}

fn ledger(setl: &str, medfee: i64, refund: bool) -> LedgerLine {
    let sign = if refund { -1 } else { 1 };
    LedgerLine {
        setl_id: setl.into(),
        mdtrt_id: format!("MD-{setl}"),
        psn_no: "110101199001011237".into(),
        msgid: format!("MSG-{setl}"),
        medfee: Fen(sign * medfee),
        funds: Fen(sign * medfee / 2),
        account: Fen(0),
        refund,
    }
}

fn detail(setl: &str, medfee: i64, refund: bool, line: usize) -> DetailLine {
    DetailLine {
        line,
        setl_id: setl.into(),
        mdtrt_id: format!("MD-{setl}"),
        psn_no: "110101199001011237".into(),
        medfee: Fen(medfee),
        funds: Fen(medfee / 2),
        account: Fen(0),
        refund,
    }
}

#[test]
fn comparing_names_agreement_missing_extra_and_a_fen_of_difference() {
    let ours = [
        ledger("A", 10_000, false),
        ledger("B", 5_000, false),
        ledger("C", 2_000, false),
        ledger("C", 2_000, true),
    ];
    let theirs = [
        detail("A", 10_000, false, 1),
        detail("B", 5_001, false, 2),
        // C's settlement is missing; its refund recorded with positive amounts.
        detail("C", 2_000, true, 3),
        detail("X", 700, false, 4),
    ];
    let c = compare(&theirs, &ours);
    assert_eq!((c.agreed, c.differing, c.missing, c.extra), (2, 1, 1, 1));
    let rslt: Vec<(&str, bool, &str)> = c
        .lines
        .iter()
        .map(|l| (l.setl_id.as_str(), l.refund, l.stmt_rslt()))
        .collect();
    assert_eq!(
        rslt,
        [
            ("A", false, "0"),
            ("B", false, "1"),
            ("C", false, "1"),
            ("C", true, "0"),
            ("X", false, "1"),
        ]
    );
    assert!(c.lines[1]
        .memo
        .contains("医疗费总额：机构 50.01 元，平台 50.00 元"));
    assert!(c.lines[2].memo.contains("机构明细中无此结算"));
    assert!(c.lines[4].memo.contains("平台无此结算"));
    assert!(c.lines[4].memo.contains("第 4 行"));
    assert_eq!(c.lines[0].msgid, "MSG-A");
    assert_eq!(c.lines[3].medfee, Fen(-2_000));
}

#[test]
fn a_refund_line_does_not_stand_for_the_settlement() {
    let c = compare(
        &[detail("A", 10_000, true, 1)],
        &[ledger("A", 10_000, false)],
    );
    assert_eq!((c.agreed, c.missing, c.extra), (0, 1, 1));
}

#[test]
fn another_person_or_visit_under_the_same_settlement_differs() {
    let mut d = detail("A", 10_000, false, 1);
    d.psn_no = "X".into();
    d.mdtrt_id = "MD-other".into();
    let c = compare(&[d], &[ledger("A", 10_000, false)]);
    assert_eq!(c.differing, 1);
    assert!(c.lines[0].memo.contains("人员编号"));
    assert!(c.lines[0].memo.contains("就诊ID"));
}

#[test]
fn the_result_file_is_a_zip_of_result_txt_with_ten_columns() {
    let c = compare(
        &[detail("A", 10_000, false, 1), detail("B", 1, false, 2)],
        &[ledger("A", 10_000, false), ledger("B", 2, false)],
    );
    let bytes = result_file(&c.lines).unwrap();
    assert_eq!(bytes, result_file(&c.lines).unwrap(), "deterministic");
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    assert_eq!(archive.len(), 1);
    let mut text = String::new();
    archive
        .by_name(RESULT_ENTRY)
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    let rows: Vec<Vec<&str>> = text
        .split("\r\n")
        .filter(|l| !l.is_empty())
        .map(|l| l.split('\t').collect())
        .collect();
    assert_eq!(rows.len(), 2);
    assert!(rows.iter().all(|r| r.len() == 10));
    assert_eq!(
        rows[0],
        [
            "110101199001011237",
            "MD-A",
            "A",
            "MSG-A",
            "0",
            "0",
            "",
            "100.00",
            "50.00",
            "0.00"
        ]
    );
    assert_eq!(rows[1][4], "1");
    assert!(rows[1][6].contains("机构 0.01 元，平台 0.02 元"));
}

proptest! {
    #[test]
    fn any_bytes_give_lines_or_a_coded_error(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        match read_detail_file(&bytes) {
            Ok(lines) => prop_assert!(!lines.is_empty()),
            Err(e) => prop_assert!(e.code().starts_with("national.detail_") && !e.message().is_empty()),
        }
    }

    #[test]
    fn any_bytes_behind_a_zip_header_never_panic(tail in proptest::collection::vec(any::<u8>(), 0..512)) {
        let mut bytes = b"PK\x03\x04".to_vec();
        bytes.extend(tail);
        prop_assert!(read_detail_file(&bytes).is_err());
    }
}
