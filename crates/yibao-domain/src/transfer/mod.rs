//! Transfer of basic medical insurance between regions (基本医疗保险关系转移接续, issue #18):
//! the steps each side owes and their working-day limits, from the guides —
//! seed 003 (四川) 「转入地医保经办机构在受理后5个工作日内向转出地经办机构发出《联系函》；转出地
//! 医保经办机构在收到《联系函》10个工作日内向转入地医保经办机构发出《信息表》，并划转个人账户余额；
//! 转入地经办就收到《信息表》和个人账户余额后在5个工作日内，完成基本医疗保险关系的转入及个人账户
//! 转入手续」, and seed 002 (重庆) item 转移接续 (1)/(2), which says the same.

mod rules;
#[cfg(test)]
mod tests;

pub use rules::*;
