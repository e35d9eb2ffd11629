//! The dated events of an employer's or a person's record (登记记录), and the names of the
//! details they carry, so every page shows them alike.

use crate::codes::coded;

coded! {
    /// What happened to an employer or a person.
    EnrolmentEvent {
        Register = ("register", "参保登记"),
        Change = ("change", "信息变更"),
        EmployerMoved = ("employer_moved", "所在单位变更"),
        Split = ("split", "单位分立"),
        Merge = ("merge", "单位合并"),
        Deregister = ("deregister", "注销登记"),
        TransferOut = ("transfer_out", "整体转出"),
        TransferIn = ("transfer_in", "整体转入"),
        Arrears = ("arrears", "欠费登记"),
        EmployeeEnrol = ("employee_enrol", "职工增员"),
        EmployeeRemove = ("employee_remove", "职工减员"),
        FlexibleEnrol = ("flexible_enrol", "灵活就业人员参保"),
        FlexibleSuspend = ("flexible_suspend", "灵活就业人员暂停参保"),
        FlexibleResume = ("flexible_resume", "灵活就业人员续保"),
        FlexibleGrade = ("flexible_grade", "缴费档次变更"),
        ResidentEnrol = ("resident_enrol", "城乡居民参保登记"),
    }
}

/// The Chinese name of a key of an event's detail; the key itself when unknown (a detail is
/// free-form: a newer build may add keys, and they still show).
pub fn detail_label(key: &str) -> &str {
    match key {
        "absorbed" => "被合并单位",
        "arrears_fen" => "欠费（分）",
        "category" => "类别",
        "changes" => "变更内容",
        "deadline" => "期限",
        "document_type" => "证件类型",
        "effective_from" | "effective_on" => "生效日期",
        "employees" | "employees_moved" => "转移职工人数",
        "employees_ended" => "终止参保职工人数",
        "employer" => "单位",
        "event_date" => "发生日期",
        "field" => "项目",
        "from" => "原值",
        "to" => "新值",
        "from_employer" => "原单位",
        "to_employer" | "new_employer" => "新单位",
        "from_region" => "转出地",
        "to_region" => "转入地",
        "grade" => "缴费档次",
        "grade_from" => "原缴费档次",
        "grade_to" => "新缴费档次",
        "join_date" => "入职日期",
        "key_information" => "关键信息",
        "kind" => "类型",
        "late_days" => "逾期天数",
        "merged_into" => "并入单位",
        "name" => "名称",
        "note" => "备注",
        "reason" => "原因",
        "region_code" => "参保地",
        "retirees_moved" | "retirees_to_virtual" => "转入虚拟户退休人员数",
        "split_from" => "分立自",
        "status" => "状态",
        "surviving" => "存续单位",
        "terminated_on" => "终止日期",
        "coverages_moved" => "转移参保人数",
        "moved" => "转移人数",
        "uscc" => "统一社会信用代码",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_events_read_back_and_unknown_ones_are_errors() {
        for e in EnrolmentEvent::ALL {
            assert_eq!(EnrolmentEvent::try_from(e.key().to_string()), Ok(*e));
        }
        assert!(EnrolmentEvent::try_from("teleport".to_string()).is_err());
        assert_eq!(detail_label("merged_into"), "并入单位");
        assert_eq!(detail_label("x_new_key"), "x_new_key");
    }
}
