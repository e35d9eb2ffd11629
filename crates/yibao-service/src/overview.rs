//! What the home page and the agencies page show: agencies with their windows, and counts.

use serde::Serialize;
use yibao_store::agency::{self, AgencyRow, WindowRow};
use yibao_store::{enrolment, meta};

use crate::{ServiceError, Services};

#[derive(Debug, Clone, Serialize)]
pub struct AgencyWithWindows {
    #[serde(flatten)]
    pub agency: AgencyRow,
    pub windows: Vec<WindowRow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Overview {
    pub agencies: Vec<AgencyWithWindows>,
    pub employers: i64,
    pub persons: i64,
    /// When demo data was loaded, if this installation runs on demo data.
    pub demo_loaded_at: Option<String>,
}

pub async fn overview(services: &Services) -> Result<Overview, ServiceError> {
    let mut tx = services.store().begin_read().await?;
    let agencies = agency::list(&mut tx).await?;
    let mut windows = agency::list_windows(&mut tx).await?;
    let (employers, persons) = enrolment::counts(&mut tx).await?;
    let demo_loaded_at = meta::get(&mut tx, crate::demo::LOADED_KEY).await?;
    tx.commit().await.map_err(yibao_store::StoreError::from)?;
    let agencies = agencies
        .into_iter()
        .map(|a| {
            let (mine, rest): (Vec<_>, Vec<_>) =
                windows.drain(..).partition(|w| w.agency_id == a.id);
            windows = rest;
            AgencyWithWindows {
                agency: a,
                windows: mine,
            }
        })
        .collect();
    Ok(Overview {
        agencies,
        employers,
        persons,
        demo_loaded_at,
    })
}
