//! Printable documents as PDF (issue #23): an A4 page with the title, the document's lines as a
//! two-column table, an optional table, and the footer lines, in a CJK font embedded (subset)
//! in the file, so the PDF reads the same on any machine.
//!
//! The font is the system's Noto Sans CJK SC (Debian's `fonts-noto-cjk`, which the README's
//! commands install) or the file named by `YIBAO_PDF_FONT` (`path` or `path:index` for a font
//! collection). Without one a PDF is refused with a Chinese message; the HTML page still prints.

use std::sync::{Arc, OnceLock};

use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point};
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::text::{Font, TextDirection};
use krilla::Document;
use skrifa::instance::{LocationRef, Size};
use skrifa::{FontRef, MetadataProvider};

/// What a printed document shows.
pub struct PrintDoc<'a> {
    pub title: &'a str,
    pub lines: &'a [(String, String)],
    pub table_head: &'a [String],
    pub table: &'a [Vec<String>],
    pub footer: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("no CJK font")]
    NoFont,
    #[error("pdf: {0}")]
    Render(String),
}

/// Where a CJK font may be, in order (path, face index in a collection).
const CANDIDATES: &[(&str, u32)] = &[
    // fonts-noto-cjk: JP, KR, SC, TC, HK … — 2 is Simplified Chinese.
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", 2),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
];

struct LoadedFont {
    data: Arc<Vec<u8>>,
    index: u32,
}

fn covers_chinese(data: &[u8], index: u32) -> bool {
    FontRef::from_index(data, index)
        .map(|f| "医保参保证明".chars().all(|c| f.charmap().map(c).is_some()))
        .unwrap_or(false)
}

fn load_font() -> Option<LoadedFont> {
    let configured = std::env::var("YIBAO_PDF_FONT").ok().map(|v| {
        match v
            .rsplit_once(':')
            .and_then(|(p, i)| Some((p.to_string(), i.parse().ok()?)))
        {
            Some((p, i)) => (p, i),
            None => (v, 0),
        }
    });
    let candidates = configured
        .into_iter()
        .chain(CANDIDATES.iter().map(|(p, i)| (p.to_string(), *i)));
    for (path, index) in candidates {
        if let Ok(data) = std::fs::read(&path) {
            if covers_chinese(&data, index) {
                return Some(LoadedFont {
                    data: Arc::new(data),
                    index,
                });
            }
            tracing::warn!(path, index, "font has no Chinese glyphs; not used for PDFs");
        }
    }
    None
}

fn font() -> Option<&'static LoadedFont> {
    static FONT: OnceLock<Option<LoadedFont>> = OnceLock::new();
    FONT.get_or_init(load_font).as_ref()
}

/// True when PDFs can be made here (a CJK font was found).
#[cfg(test)]
fn available() -> bool {
    font().is_some()
}

const PAGE_W: f32 = 595.0;
const PAGE_H: f32 = 842.0;
const MARGIN: f32 = 56.0;
const BODY: f32 = 11.0;
const LEADING: f32 = 1.5;

/// Measures text in the font at a size (advance widths; a missing glyph counts half an em).
struct Measure<'a> {
    font: FontRef<'a>,
}

impl Measure<'_> {
    fn width(&self, text: &str, size: f32) -> f32 {
        let charmap = self.font.charmap();
        let metrics = self
            .font
            .glyph_metrics(Size::new(size), LocationRef::default());
        text.chars()
            .map(|c| {
                charmap
                    .map(c)
                    .and_then(|g| metrics.advance_width(g))
                    .unwrap_or(size * 0.5)
            })
            .sum()
    }

    /// Breaks `text` into lines no wider than `max` (Chinese breaks between any two characters;
    /// a run of Latin letters or digits is kept whole when it fits a line).
    fn wrap(&self, text: &str, size: f32, max: f32) -> Vec<String> {
        let mut lines = Vec::new();
        for para in text.split('\n') {
            let mut line = String::new();
            let mut tokens: Vec<String> = Vec::new();
            for c in para.chars() {
                let word = c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '/');
                match tokens.last_mut() {
                    Some(last)
                        if word
                            && last.chars().last().is_some_and(|p| {
                                p.is_ascii_alphanumeric() || matches!(p, '-' | '.' | '_' | '/')
                            }) =>
                    {
                        last.push(c)
                    }
                    _ => tokens.push(c.to_string()),
                }
            }
            for t in tokens {
                let candidate = format!("{line}{t}");
                if self.width(&candidate, size) <= max || line.is_empty() {
                    if self.width(&candidate, size) > max && line.is_empty() {
                        // A token wider than the line: break it by characters.
                        for c in t.chars() {
                            let next = format!("{line}{c}");
                            if self.width(&next, size) > max && !line.is_empty() {
                                lines.push(std::mem::take(&mut line));
                            }
                            line.push(c);
                        }
                    } else {
                        line = candidate;
                    }
                } else {
                    lines.push(std::mem::take(&mut line));
                    line = t.trim_start().to_string();
                }
            }
            lines.push(line);
        }
        lines
    }
}

/// Renders `doc` as a PDF.
pub fn render(doc: &PrintDoc<'_>) -> Result<Vec<u8>, PdfError> {
    let loaded = font().ok_or(PdfError::NoFont)?;
    let measure = Measure {
        font: FontRef::from_index(loaded.data.as_slice(), loaded.index)
            .map_err(|e| PdfError::Render(format!("font: {e}")))?,
    };
    let data: krilla::Data = loaded.data.clone().into();
    let pdf_font =
        Font::new(data, loaded.index).ok_or_else(|| PdfError::Render("font not usable".into()))?;
    let mut document = Document::new();
    let settings =
        || PageSettings::from_wh(PAGE_W, PAGE_H).ok_or_else(|| PdfError::Render("page".into()));
    let mut pages: Vec<Vec<Op>> = vec![Vec::new()];
    let mut y = MARGIN;
    let width = PAGE_W - 2.0 * MARGIN;
    let line_h = BODY * LEADING;
    let ensure = |pages: &mut Vec<Vec<Op>>, y: &mut f32, need: f32| {
        if *y + need > PAGE_H - MARGIN {
            pages.push(Vec::new());
            *y = MARGIN;
        }
    };
    // Title, centred.
    let title_size = 18.0;
    let tw = measure.width(doc.title, title_size);
    current(&mut pages).push(Op::Text(
        ((PAGE_W - tw) / 2.0).max(MARGIN),
        y + title_size,
        title_size,
        doc.title.to_string(),
    ));
    y += title_size * 2.2;

    // The lines: key | value, ruled.
    let key_w = 120.0;
    let pad = 5.0;
    for (k, v) in doc.lines {
        let keys = measure.wrap(k, BODY, key_w - 2.0 * pad);
        let vals = measure.wrap(v, BODY, width - key_w - 2.0 * pad);
        let rows = keys.len().max(vals.len()).max(1) as f32;
        let h = rows * line_h + 2.0 * pad;
        ensure(&mut pages, &mut y, h);
        let p = current(&mut pages);
        p.push(Op::Rect(MARGIN, y, width, h));
        p.push(Op::Line(MARGIN + key_w, y, MARGIN + key_w, y + h));
        for (i, t) in keys.iter().enumerate() {
            p.push(Op::Text(
                MARGIN + pad,
                y + pad + BODY + i as f32 * line_h,
                BODY,
                t.clone(),
            ));
        }
        for (i, t) in vals.iter().enumerate() {
            p.push(Op::Text(
                MARGIN + key_w + pad,
                y + pad + BODY + i as f32 * line_h,
                BODY,
                t.clone(),
            ));
        }
        y += h;
    }

    // The table, equal columns, head repeated on a new page.
    if !doc.table.is_empty() && !doc.table_head.is_empty() {
        y += line_h;
        let cols = doc.table_head.len();
        let col_w = width / cols as f32;
        let row_of = |cells: &[String]| -> (Vec<Vec<String>>, f32) {
            let wrapped: Vec<Vec<String>> = (0..cols)
                .map(|i| {
                    measure.wrap(
                        cells.get(i).map(String::as_str).unwrap_or(""),
                        BODY,
                        col_w - 2.0 * pad,
                    )
                })
                .collect();
            let rows = wrapped.iter().map(Vec::len).max().unwrap_or(1).max(1) as f32;
            (wrapped, rows * line_h + 2.0 * pad)
        };
        let (head, head_h) = row_of(doc.table_head);
        let draw_row = |pages: &mut Vec<Vec<Op>>, y: &mut f32, cells: &[Vec<String>], h: f32| {
            let p = current(pages);
            p.push(Op::Rect(MARGIN, *y, width, h));
            for (i, lines) in cells.iter().enumerate() {
                let x = MARGIN + i as f32 * col_w;
                if i > 0 {
                    p.push(Op::Line(x, *y, x, *y + h));
                }
                for (j, t) in lines.iter().enumerate() {
                    p.push(Op::Text(
                        x + pad,
                        *y + pad + BODY + j as f32 * line_h,
                        BODY,
                        t.clone(),
                    ));
                }
            }
            *y += h;
        };
        ensure(&mut pages, &mut y, head_h * 2.0);
        draw_row(&mut pages, &mut y, &head, head_h);
        for row in doc.table {
            let (cells, h) = row_of(row);
            if y + h > PAGE_H - MARGIN {
                pages.push(Vec::new());
                y = MARGIN;
                draw_row(&mut pages, &mut y, &head, head_h);
            }
            draw_row(&mut pages, &mut y, &cells, h);
        }
    }

    // The footer lines.
    y += line_h;
    for f in &doc.footer {
        for t in measure.wrap(f, BODY, width) {
            ensure(&mut pages, &mut y, line_h);
            current(&mut pages).push(Op::Text(MARGIN, y + BODY, BODY, t));
            y += line_h;
        }
    }

    for ops in pages {
        let mut page = document.start_page_with(settings()?);
        let mut surface = page.surface();
        for op in ops {
            match op {
                Op::Text(x, y, size, text) => {
                    surface.set_fill(Some(Fill {
                        paint: rgb::Color::new(0, 0, 0).into(),
                        ..Fill::default()
                    }));
                    surface.set_stroke(None);
                    surface.draw_text(
                        Point::from_xy(x, y),
                        pdf_font.clone(),
                        size,
                        &text,
                        false,
                        TextDirection::Auto,
                    );
                }
                Op::Line(x1, y1, x2, y2) => stroke(&mut surface, &[(x1, y1), (x2, y2)]),
                Op::Rect(x, y, w, h) => stroke(
                    &mut surface,
                    &[(x, y), (x + w, y), (x + w, y + h), (x, y + h), (x, y)],
                ),
            }
        }
        surface.finish();
        page.finish();
    }
    document
        .finish()
        .map_err(|e| PdfError::Render(format!("{e:?}")))
}

/// The page being filled (there is always one: a new page is pushed before it is needed).
fn current(pages: &mut Vec<Vec<Op>>) -> &mut Vec<Op> {
    if pages.is_empty() {
        pages.push(Vec::new());
    }
    let last = pages.len() - 1;
    &mut pages[last]
}

enum Op {
    Text(f32, f32, f32, String),
    Line(f32, f32, f32, f32),
    Rect(f32, f32, f32, f32),
}

fn stroke(surface: &mut krilla::surface::Surface<'_>, points: &[(f32, f32)]) {
    let mut pb = PathBuilder::new();
    for (i, (x, y)) in points.iter().enumerate() {
        if i == 0 {
            pb.move_to(*x, *y);
        } else {
            pb.line_to(*x, *y);
        }
    }
    if let Some(path) = pb.finish() {
        surface.set_fill(None);
        surface.set_stroke(Some(Stroke {
            paint: rgb::Color::new(90, 90, 90).into(),
            width: 0.6,
            ..Stroke::default()
        }));
        surface.draw_path(&path);
    }
}

/// `doc` as a PDF download named `<file_stem>-<day>.pdf`; without a CJK font a 503 page that
/// says so (the HTML page still prints).
pub fn download(
    doc: &PrintDoc<'_>,
    file_stem: &str,
    day: &str,
) -> Result<axum::response::Response, crate::PageError> {
    use axum::http::{header, HeaderValue, StatusCode};
    use axum::response::IntoResponse;
    let bytes = render(doc).map_err(|e| match e {
        PdfError::NoFont => crate::PageError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "pdf.no_font",
            "服务器未安装中文字体（fonts-noto-cjk），暂不能生成 PDF；请使用页面上的打印功能",
        ),
        PdfError::Render(m) => {
            tracing::error!(error = %m, "pdf rendering failed");
            crate::PageError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "pdf.failed",
                "生成 PDF 失败，请稍后重试或使用打印功能",
            )
        }
    })?;
    let name = format!("{file_stem}-{day}.pdf");
    let encoded: String = form_urlencoded::byte_serialize(name.as_bytes())
        .collect::<String>()
        .replace('+', "%20");
    let disposition =
        format!("attachment; filename=\"document-{day}.pdf\"; filename*=UTF-8''{encoded}");
    let mut r = bytes.into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/pdf"),
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
    fn a_certificate_renders_with_its_text_in_the_font() {
        if !available() {
            // The test command installs fonts-noto-cjk (so CI always renders); a developer's
            // machine without it cannot make PDFs, which the page reports.
            assert!(std::env::var_os("CI").is_none(), "CI must have a CJK font");
            eprintln!("no CJK font: skipped");
            return;
        }
        let lines = vec![
            ("姓名".to_string(), "王建国".to_string()),
            ("证件号码".to_string(), "500119198001011234".to_string()),
            ("说明".to_string(), "很长的一段说明文字".repeat(20)),
        ];
        let head = vec!["险种".to_string(), "参保状态".to_string()];
        let table: Vec<Vec<String>> = (0..80)
            .map(|i| vec![format!("职工基本医疗保险{i}"), "参保缴费".to_string()])
            .collect();
        let pdf = render(&PrintDoc {
            title: "基本医疗保险个人参保证明",
            lines: &lines,
            table_head: &head,
            table: &table,
            footer: vec!["核验码：ABCD-EFGH-JKMN-PQRS".into()],
        })
        .expect("pdf");
        assert!(pdf.starts_with(b"%PDF-"));
        let text = String::from_utf8_lossy(&pdf);
        // The font is embedded and text can be copied out (a ToUnicode map).
        assert!(
            text.contains("/FontFile")
                || text.contains("/FontFile3")
                || text.contains("/FontFile2")
        );
        assert!(text.contains("/ToUnicode"));
        // 80 rows do not fit one page.
        assert!(
            text.matches("/Type /Page").count() >= 2 || text.matches("/Type/Page").count() >= 2
        );
    }

    #[test]
    fn wrapping_keeps_latin_runs_and_fits_the_width() {
        let Some(loaded) = font() else {
            assert!(std::env::var_os("CI").is_none(), "CI must have a CJK font");
            return;
        };
        let m = Measure {
            font: FontRef::from_index(loaded.data.as_slice(), loaded.index).expect("font"),
        };
        let lines = m.wrap("参保地 500119 南川区医疗保障事务中心出具", BODY, 80.0);
        assert!(lines.len() > 1, "{lines:?}");
        assert!(lines
            .iter()
            .all(|l| m.width(l, BODY) <= 80.0 || l.chars().count() == 1));
        assert!(lines.iter().any(|l| l.contains("500119")), "{lines:?}");
    }
}
