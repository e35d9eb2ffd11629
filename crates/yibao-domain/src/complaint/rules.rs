use crate::codes::coded;
use chrono::NaiveDate;

use crate::catalog::is_phone;
use crate::error::Coded;
use crate::CitizenId;

coded! {
    /// 投诉 (about the complainant's own rights) or 举报 (a suspected misuse of the fund).
    ComplaintKind {
        Complaint = ("complaint", "投诉"),
        Report = ("report", "举报"),
    }
}

coded! {
    /// How the complaint reached the agency.
    ComplaintChannel {
        Online = ("online", "网上提交"),
        Window = ("window", "窗口当面"),
        Phone = ("phone", "电话"),
        Letter = ("letter", "信件"),
        Hotline12345 = ("hotline_12345", "12345热线转办"),
    }
}

coded! {
    /// Whom or what the complaint is about.
    SubjectKind {
        Institution = ("institution", "定点医药机构"),
        Employer = ("employer", "参保单位"),
        Person = ("person", "个人"),
        Agency = ("agency", "医保经办机构或工作人员"),
        Other = ("other", "其他"),
    }
}

coded! {
    ComplaintStatus {
        Received = ("received", "已登记，待受理"),
        Accepted = ("accepted", "已受理，办理中"),
        NotAccepted = ("not_accepted", "不予受理"),
        Transferred = ("transferred", "已移交有权处理的部门"),
        Answered = ("answered", "已答复"),
        Closed = ("closed", "已办结"),
    }
}

coded! {
    /// The reporter's evaluation of the answer (好差评).
    ComplaintEvaluation {
        Satisfied = ("satisfied", "满意"),
        BasicallySatisfied = ("basically_satisfied", "基本满意"),
        Dissatisfied = ("dissatisfied", "不满意"),
    }
}

pub const CONTENT_MIN_CHARS: usize = 10;
pub const CONTENT_MAX_CHARS: usize = 2000;
pub const SUBJECT_MAX_CHARS: usize = 100;
pub const NAME_MAX_CHARS: usize = 50;
pub const TICKET_MAX_CHARS: usize = 40;
pub const REASON_MAX_CHARS: usize = 500;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ComplaintError {
    #[error("content length")]
    Content,
    #[error("subject")]
    Subject,
    #[error("a complaint needs the complainant")]
    ComplaintNeedsName,
    #[error("reporter name")]
    ReporterName,
    #[error("reporter phone")]
    ReporterPhone,
    #[error("reporter id number")]
    ReporterId,
    #[error("12345 ticket")]
    Ticket,
    #[error("institution code")]
    InstitutionCode,
    #[error("reason required")]
    ReasonRequired,
    #[error("department required")]
    DepartmentRequired,
    #[error("answer required")]
    AnswerRequired,
    #[error("not allowed in this status")]
    Status {
        status: ComplaintStatus,
        action: &'static str,
    },
}

impl Coded for ComplaintError {
    fn code(&self) -> &'static str {
        match self {
            ComplaintError::Content => "complaint.content",
            ComplaintError::Subject => "complaint.subject",
            ComplaintError::ComplaintNeedsName => "complaint.needs_name",
            ComplaintError::ReporterName => "complaint.reporter_name",
            ComplaintError::ReporterPhone => "complaint.reporter_phone",
            ComplaintError::ReporterId => "complaint.reporter_id",
            ComplaintError::Ticket => "complaint.ticket",
            ComplaintError::InstitutionCode => "complaint.institution_code",
            ComplaintError::ReasonRequired => "complaint.reason_required",
            ComplaintError::DepartmentRequired => "complaint.department_required",
            ComplaintError::AnswerRequired => "complaint.answer_required",
            ComplaintError::Status { .. } => "complaint.status",
        }
    }

    fn message(&self) -> String {
        match self {
            ComplaintError::Content => format!(
                "请写明投诉举报的具体事实和线索，{CONTENT_MIN_CHARS}至{CONTENT_MAX_CHARS}个字"
            ),
            ComplaintError::Subject => format!(
                "请写明被投诉举报的对象（机构、单位或个人名称），不超过{SUBJECT_MAX_CHARS}个字"
            ),
            ComplaintError::ComplaintNeedsName => {
                "投诉须留下姓名和联系电话以便答复；不愿留名的可选择举报（可匿名）".into()
            }
            ComplaintError::ReporterName => {
                format!("姓名不能为空，且不超过{NAME_MAX_CHARS}个字")
            }
            ComplaintError::ReporterPhone => "联系电话应为手机号码或固定电话号码".into(),
            ComplaintError::ReporterId => "身份证号码不正确（请核对位数和校验码）".into(),
            ComplaintError::Ticket => format!(
                "12345热线转办须填写工单号（字母、数字或短横线，不超过{TICKET_MAX_CHARS}个字符）"
            ),
            ComplaintError::InstitutionCode => {
                "定点医药机构编码应为 H（医疗机构）或 P（药店）加11位数字".into()
            }
            ComplaintError::ReasonRequired => {
                format!("请写明理由（不超过{REASON_MAX_CHARS}个字），将告知投诉举报人")
            }
            ComplaintError::DepartmentRequired => {
                "移交须写明有权处理的部门或机构名称（《社会保险法》第八十二条）".into()
            }
            ComplaintError::AnswerRequired => {
                format!("答复内容不能为空，且不超过{CONTENT_MAX_CHARS}个字")
            }
            ComplaintError::Status { status, action } => {
                format!("该投诉举报当前状态为“{}”，不能{action}", status.label())
            }
        }
    }
}

/// Who reported, as given. `None` for an anonymous report.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Reporter {
    pub name: String,
    pub phone: String,
    /// Optional: the reporter's 身份证号码, checked when given.
    pub id_number: Option<String>,
}

/// A complaint as submitted, before it is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submission {
    pub kind: ComplaintKind,
    pub channel: ComplaintChannel,
    /// The 12345 work-order number (工单号) when handed over from the hotline.
    pub ticket: Option<String>,
    pub subject_kind: SubjectKind,
    pub subject_name: String,
    /// The institution's code when the subject is a designated institution and it is known.
    pub institution_code: Option<String>,
    pub content: String,
    pub reporter: Option<Reporter>,
}

fn chars(s: &str) -> usize {
    s.chars().count()
}

fn clean(s: &str) -> String {
    s.trim().to_string()
}

fn has_control(s: &str) -> bool {
    s.chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
}

/// Checks and normalises a submission; every problem at once (a form marks each field).
pub fn check_submission(
    mut s: Submission,
) -> Result<Submission, Vec<(&'static str, ComplaintError)>> {
    let mut errors = Vec::new();
    s.content = clean(&s.content);
    if !(CONTENT_MIN_CHARS..=CONTENT_MAX_CHARS).contains(&chars(&s.content))
        || has_control(&s.content)
    {
        errors.push(("content", ComplaintError::Content));
    }
    s.subject_name = clean(&s.subject_name);
    if s.subject_name.is_empty()
        || chars(&s.subject_name) > SUBJECT_MAX_CHARS
        || has_control(&s.subject_name)
    {
        errors.push(("subject_name", ComplaintError::Subject));
    }
    s.institution_code = s
        .institution_code
        .as_deref()
        .map(clean)
        .filter(|c| !c.is_empty());
    if let Some(code) = &s.institution_code {
        if s.subject_kind != SubjectKind::Institution || !is_institution_code(code) {
            errors.push(("institution_code", ComplaintError::InstitutionCode));
        }
    }
    s.ticket = s.ticket.as_deref().map(clean).filter(|t| !t.is_empty());
    match (&s.ticket, s.channel) {
        (None, ComplaintChannel::Hotline12345) => errors.push(("ticket", ComplaintError::Ticket)),
        (Some(t), _)
            if chars(t) > TICKET_MAX_CHARS
                || !t.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') =>
        {
            errors.push(("ticket", ComplaintError::Ticket))
        }
        _ => {}
    }
    if let Some(r) = s.reporter.as_mut() {
        r.name = clean(&r.name);
        r.phone = clean(&r.phone);
        r.id_number = r.id_number.as_deref().map(clean).filter(|i| !i.is_empty());
        if r.name.is_empty() || chars(&r.name) > NAME_MAX_CHARS || has_control(&r.name) {
            errors.push(("reporter_name", ComplaintError::ReporterName));
        }
        if !is_phone(&r.phone) {
            errors.push(("reporter_phone", ComplaintError::ReporterPhone));
        }
        if let Some(id) = &r.id_number {
            match id.parse::<CitizenId>() {
                Ok(parsed) => r.id_number = Some(parsed.as_str().to_string()),
                Err(_) => errors.push(("reporter_id_number", ComplaintError::ReporterId)),
            }
        }
    } else if s.kind == ComplaintKind::Complaint {
        errors.push(("reporter_name", ComplaintError::ComplaintNeedsName));
    }
    if errors.is_empty() {
        Ok(s)
    } else {
        Err(errors)
    }
}

/// H or P and 11 digits (the national interface's fixmedins_code, as reimbursement checks it).
fn is_institution_code(code: &str) -> bool {
    let mut cs = code.chars();
    matches!(cs.next(), Some('H' | 'P')) && code.len() == 12 && cs.all(|c| c.is_ascii_digit())
}

/// The agency's time limits, in working days. The guide (seed 004 item 36) states none; the
/// figures are the agency's targets (示例参数) until a published rule replaces them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct ComplaintLimits {
    /// From receipt to the decision (受理 / 不予受理 / 移交).
    pub decide_working_days: u32,
    /// From acceptance to the answer (答复).
    pub answer_working_days: u32,
    /// True while the figures are not from an official source (shown as 示例参数).
    pub example: bool,
}

impl ComplaintLimits {
    pub const EXAMPLE: ComplaintLimits = ComplaintLimits {
        decide_working_days: 5,
        answer_working_days: 30,
        example: true,
    };
}

/// A decision on a received complaint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Accept,
    /// 不予受理, with the reason the reporter is told.
    Refuse {
        reason: String,
    },
    /// 移交: not within the agency's remit; handed to the competent body (社会保险法第八十二条).
    Transfer {
        department: String,
        reason: String,
    },
}

impl Decision {
    pub fn status(&self) -> ComplaintStatus {
        match self {
            Decision::Accept => ComplaintStatus::Accepted,
            Decision::Refuse { .. } => ComplaintStatus::NotAccepted,
            Decision::Transfer { .. } => ComplaintStatus::Transferred,
        }
    }
}

fn reason_ok(s: &str) -> bool {
    let s = s.trim();
    !s.is_empty() && chars(s) <= REASON_MAX_CHARS && !has_control(s)
}

/// The decision on a complaint in `status`: only a received complaint is decided; a refusal
/// needs its reason, a transfer the department and reason.
pub fn decide(status: ComplaintStatus, d: Decision) -> Result<Decision, ComplaintError> {
    if status != ComplaintStatus::Received {
        return Err(ComplaintError::Status {
            status,
            action: "作出受理决定",
        });
    }
    match d {
        Decision::Accept => Ok(Decision::Accept),
        Decision::Refuse { reason } if reason_ok(&reason) => Ok(Decision::Refuse {
            reason: reason.trim().into(),
        }),
        Decision::Refuse { .. } => Err(ComplaintError::ReasonRequired),
        Decision::Transfer { department, reason } => {
            let department = department.trim().to_string();
            if department.is_empty()
                || chars(&department) > SUBJECT_MAX_CHARS
                || has_control(&department)
            {
                Err(ComplaintError::DepartmentRequired)
            } else if !reason_ok(&reason) {
                Err(ComplaintError::ReasonRequired)
            } else {
                Ok(Decision::Transfer {
                    department,
                    reason: reason.trim().into(),
                })
            }
        }
    }
}

/// Assigning a handler: while the complaint is accepted and not yet answered.
pub fn check_assign(status: ComplaintStatus) -> Result<(), ComplaintError> {
    match status {
        ComplaintStatus::Accepted => Ok(()),
        status => Err(ComplaintError::Status {
            status,
            action: "分派承办人",
        }),
    }
}

/// The answer: by the assigned handler of an accepted complaint, with text.
pub fn check_answer(status: ComplaintStatus, text: &str) -> Result<String, ComplaintError> {
    if status != ComplaintStatus::Accepted {
        return Err(ComplaintError::Status {
            status,
            action: "答复",
        });
    }
    let t = text.trim();
    if t.is_empty() || chars(t) > CONTENT_MAX_CHARS || has_control(t) {
        return Err(ComplaintError::AnswerRequired);
    }
    Ok(t.to_string())
}

/// The reporter's evaluation closes an answered complaint.
pub fn check_evaluate(status: ComplaintStatus) -> Result<ComplaintStatus, ComplaintError> {
    match status {
        ComplaintStatus::Answered => Ok(ComplaintStatus::Closed),
        status => Err(ComplaintError::Status {
            status,
            action: "评价",
        }),
    }
}

/// Where a complaint stands against its limit on `today`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Timeliness {
    /// Nothing is due (decided and answered, or closed).
    Done,
    OnTime,
    /// Due today or on the next working day's eve: `due` is today.
    DueToday,
    Overdue,
}

/// The date the complaint's current step is due, if any: the decision while received, the
/// answer while accepted.
pub fn due_of(
    status: ComplaintStatus,
    decide_by: NaiveDate,
    answer_by: Option<NaiveDate>,
) -> Option<NaiveDate> {
    match status {
        ComplaintStatus::Received => Some(decide_by),
        ComplaintStatus::Accepted => answer_by,
        _ => None,
    }
}

pub fn timeliness(due: Option<NaiveDate>, today: NaiveDate) -> Timeliness {
    match due {
        None => Timeliness::Done,
        Some(d) if today > d => Timeliness::Overdue,
        Some(d) if today == d => Timeliness::DueToday,
        Some(_) => Timeliness::OnTime,
    }
}
