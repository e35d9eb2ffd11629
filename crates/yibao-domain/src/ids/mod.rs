//! Identifiers parsed at the edge: once a value has one of these types, its check digit and
//! structure have been verified.

mod citizen_id;
#[cfg(test)]
mod fuzz;
mod mask;
mod region;
mod region_names;
mod uscc;

pub use citizen_id::{check_char as citizen_id_check_char, CitizenId, CitizenIdError, Sex};
pub use mask::{mask_id_number, mask_name, mask_phone};
pub use region::{
    province_code_of_name, province_name, provinces, region_text, RegionCode, RegionCodeError,
};
pub use region_names::{all_full_names, division_name, full_name, region_of_name};
pub use uscc::{check_char as uscc_check_char, Uscc, UsccError};
