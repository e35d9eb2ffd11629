//! What the state machine needs to know about an item, read from its guide: immediate or not
//! (即办件), how many review levels its process declares, whether it pays money.

use serde::Serialize;

use crate::catalog::{CaseType, Item, TimeLimitRule};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CaseShape {
    pub immediate: bool,
    /// Review levels after acceptance (steps named 审核, 审查, 复核, 初审, 复审 …, counted per
    /// channel so that a guide listing the same steps for window and online counts them once).
    pub review_levels: u32,
    /// The process has a payment step (拨付, 支付, 请款).
    pub pays_money: bool,
}

const REVIEW_WORDS: &[&str] = &["审核", "审查", "复核", "初审", "复审", "审批"];
const PAY_WORDS: &[&str] = &["拨付", "支付", "请款"];

impl CaseShape {
    pub fn of(item: &Item) -> CaseShape {
        let immediate = item.case_type == Some(CaseType::Immediate)
            || (item.case_type.is_none()
                && !item.time_limits.is_empty()
                && item
                    .time_limits
                    .iter()
                    .all(|t| matches!(t.rule, TimeLimitRule::Immediate | TimeLimitRule::SameDay)));
        // Steps may be prefixed by their channel ("网上办理 · 审核"): count review steps per
        // channel and keep the largest count.
        let mut per_channel: std::collections::BTreeMap<&str, u32> = Default::default();
        for step in &item.steps {
            let (channel, name) = step
                .name
                .split_once('·')
                .unwrap_or(("", step.name.as_str()));
            if REVIEW_WORDS.iter().any(|w| name.contains(w)) {
                *per_channel.entry(channel.trim()).or_default() += 1;
            }
        }
        let review_levels = per_channel.values().copied().max().unwrap_or(0);
        let pays_money = item
            .steps
            .iter()
            .any(|s| PAY_WORDS.iter().any(|w| s.name.contains(w)));
        CaseShape {
            immediate,
            // An immediate item is decided at the window: its 审核 step is the clerk's check.
            review_levels: if immediate { 0 } else { review_levels },
            pays_money,
        }
    }
}
