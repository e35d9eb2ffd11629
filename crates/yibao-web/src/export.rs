//! Excel exports of the list pages (导出 Excel): one sheet with a header row and the rows as
//! text (ID numbers and case numbers must not turn into numbers), downloaded as an attachment.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use rust_xlsxwriter::{Format, Workbook};

use crate::error::PageError;

/// The workbook's bytes, or the reason it could not be written.
pub fn workbook(sheet: &str, headers: &[&str], rows: &[Vec<String>]) -> Result<Vec<u8>, String> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let ws = book.add_worksheet();
    ws.set_name(sheet).map_err(|e| e.to_string())?;
    for (c, h) in headers.iter().enumerate() {
        let col = u16::try_from(c).map_err(|e| e.to_string())?;
        ws.write_string_with_format(0, col, *h, &bold)
            .map_err(|e| e.to_string())?;
        ws.set_column_width(col, 18).map_err(|e| e.to_string())?;
    }
    for (r, row) in rows.iter().enumerate() {
        let line = u32::try_from(r + 1).map_err(|e| e.to_string())?;
        for (c, v) in row.iter().enumerate() {
            let col = u16::try_from(c).map_err(|e| e.to_string())?;
            ws.write_string(line, col, v).map_err(|e| e.to_string())?;
        }
    }
    book.save_to_buffer().map_err(|e| e.to_string())
}

/// The download: `file_stem` + today's date, e.g. 参保人员-2026-11-22.xlsx (RFC 5987 name).
pub fn download(
    file_stem: &str,
    today: chrono::NaiveDate,
    sheet: &str,
    headers: &[&str],
    rows: &[Vec<String>],
) -> Result<Response, PageError> {
    let bytes = workbook(sheet, headers, rows).map_err(|e| {
        tracing::error!(error = %e, "xlsx export failed");
        PageError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "export.failed",
            "导出 Excel 失败，请稍后重试",
        )
    })?;
    let name = format!("{file_stem}-{today}.xlsx");
    let encoded: String = form_urlencoded::byte_serialize(name.as_bytes())
        .collect::<String>()
        .replace('+', "%20");
    let disposition =
        format!("attachment; filename=\"export-{today}.xlsx\"; filename*=UTF-8''{encoded}");
    let mut r = bytes.into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
    );
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_workbook_is_a_zip_with_the_rows() {
        let bytes = workbook(
            "参保人员",
            &["姓名", "证件号码"],
            &[vec!["王*国".into(), "500119********0313".into()]],
        )
        .unwrap();
        assert_eq!(&bytes[..2], b"PK");
        assert!(
            workbook("bad/name", &["a"], &[]).is_err(),
            "sheet names have rules"
        );
    }
}
