//! This installation's region and its peers: `yibao key show|set-region`, `yibao peer
//! add|list|remove`. Every change is audited; a removed peer keeps its row.

use serde::Serialize;
use serde_json::json;
use yibao_domain::federation::{parse_base_url, parse_regions};
use yibao_store::federation::{self as store, IdentityRow, PeerRow};

use crate::identity::Actor;
use crate::{ErrorKind, ServiceError, Services};

/// What `yibao key show` prints.
#[derive(Debug, Clone, Serialize)]
pub struct KeyInfo {
    pub public_key: String,
    pub region_code: Option<String>,
    pub name: Option<String>,
}

pub async fn key_info(services: &Services) -> Result<KeyInfo, ServiceError> {
    let public_key = services.instance_key().await?.public_hex();
    let mut tx = services.store().begin_read().await?;
    let identity = store::identity(&mut tx).await?;
    Ok(KeyInfo {
        public_key,
        region_code: identity.as_ref().map(|i| i.region_code.clone()),
        name: identity.map(|i| i.name),
    })
}

/// Sets the region this installation serves (the `from_region` of what it sends and the
/// `to_region` it accepts) and its name as peers show it.
pub async fn set_identity(
    services: &Services,
    actor: &Actor,
    region: &str,
    name: &str,
) -> Result<(), ServiceError> {
    let region: yibao_domain::RegionCode = region.trim().parse()?;
    let name = name.trim();
    if name.is_empty() {
        return Err(ServiceError::invalid(
            "federation.no_name",
            "请填写本机构名称",
        ));
    }
    let mut tx = services.store().begin().await?;
    let before = store::identity(&mut tx).await?;
    let row = IdentityRow {
        region_code: region.as_str().to_string(),
        name: name.to_string(),
        updated_at: services.clock().now_text(),
    };
    store::set_identity(&mut tx, &row).await?;
    crate::audit::record(
        &mut tx,
        services,
        actor,
        "federation.identity",
        "federation",
        region.as_str(),
        before
            .map(|b| json!({"region_code": b.region_code, "name": b.name}))
            .as_ref(),
        Some(&json!({"region_code": row.region_code, "name": row.name})),
        &format!("本机联网身份设为 {} {}", row.region_code, row.name),
    )
    .await?;
    tx.commit().await.map_err(yibao_store::StoreError::from)?;
    Ok(())
}

/// The installation's region, required to send or receive.
pub(crate) async fn own_region(conn: &mut yibao_store::Conn) -> Result<String, ServiceError> {
    store::identity(conn)
        .await?
        .map(|i| i.region_code)
        .ok_or_else(|| ServiceError::Rule {
            kind: ErrorKind::Unavailable,
            code: "federation.no_identity",
            message: "本机尚未设置联网身份（行政区划代码），请先运行 yibao key set-region".into(),
            details: None,
        })
}

pub struct NewPeer<'a> {
    pub name: &'a str,
    pub regions: &'a str,
    pub base_url: &'a str,
    pub public_key: &'a str,
}

/// Adds a peer: its regions must not be served by another active peer, its key must be a valid
/// ed25519 public key and not this installation's own.
pub async fn add(
    services: &Services,
    actor: &Actor,
    p: &NewPeer<'_>,
) -> Result<PeerRow, ServiceError> {
    let regions = parse_regions(p.regions).map_err(ServiceError::from_domain)?;
    let base_url = parse_base_url(p.base_url).map_err(ServiceError::from_domain)?;
    let public_hex = p.public_key.trim().to_ascii_lowercase();
    if crate::signing::parse_public(&public_hex).is_none() {
        return Err(ServiceError::invalid(
            "federation.bad_public_key",
            "对端公钥须为 64 位十六进制的 ed25519 公钥（对端运行 yibao key show 可得）",
        ));
    }
    if services.instance_key().await?.public_hex() == public_hex {
        return Err(ServiceError::invalid(
            "federation.own_key",
            "这是本机自己的公钥，不能添加为对端",
        ));
    }
    let name = p.name.trim();
    if name.is_empty() {
        return Err(ServiceError::invalid(
            "federation.no_name",
            "请填写对端名称",
        ));
    }
    let mut tx = services.store().begin().await?;
    for other in store::active_peers(&mut tx).await? {
        if other.public_hex == public_hex {
            return Err(ServiceError::Rule {
                kind: ErrorKind::Conflict,
                code: "federation.peer_exists",
                message: format!("该公钥已是对端 #{}（{}）", other.id, other.name),
                details: None,
            });
        }
        if let Some(r) = regions.iter().find(|r| other.serves(r.as_str())) {
            return Err(ServiceError::Rule {
                kind: ErrorKind::Conflict,
                code: "federation.region_taken",
                message: format!(
                    "区划 {} 已由对端 #{}（{}）服务",
                    r.as_str(),
                    other.id,
                    other.name
                ),
                details: None,
            });
        }
    }
    let mut row = PeerRow {
        id: 0,
        name: name.to_string(),
        region_codes: regions
            .iter()
            .map(|r| r.as_str())
            .collect::<Vec<_>>()
            .join(","),
        base_url,
        public_hex,
        added_at: services.clock().now_text(),
        added_by: actor.label(),
        removed_at: None,
        removed_by: None,
    };
    row.id = store::insert_peer(&mut tx, &row).await?;
    crate::audit::record(
        &mut tx,
        services,
        actor,
        "federation.peer_add",
        "peer",
        &row.id.to_string(),
        None,
        Some(&json!({"name": row.name, "regions": row.region_codes, "base_url": row.base_url, "public_key": row.public_hex})),
        &format!("新增对端 {}（{}）", row.name, row.region_codes),
    )
    .await?;
    tx.commit().await.map_err(yibao_store::StoreError::from)?;
    Ok(row)
}

/// A peer as listed, with how many messages to it wait for delivery.
#[derive(Debug, Clone, Serialize)]
pub struct PeerView {
    pub id: i64,
    pub name: String,
    pub regions: String,
    pub base_url: String,
    pub public_key: String,
    pub added_at: String,
    pub pending: i64,
}

pub async fn list(services: &Services) -> Result<Vec<PeerView>, ServiceError> {
    let mut tx = services.store().begin_read().await?;
    let pending = store::pending_by_peer(&mut tx).await?;
    Ok(store::active_peers(&mut tx)
        .await?
        .into_iter()
        .map(|p| PeerView {
            pending: pending
                .iter()
                .find(|(id, _)| *id == p.id)
                .map_or(0, |(_, n)| *n),
            id: p.id,
            name: p.name,
            regions: p.region_codes,
            base_url: p.base_url,
            public_key: p.public_hex,
            added_at: p.added_at,
        })
        .collect())
}

pub async fn remove(services: &Services, actor: &Actor, id: i64) -> Result<(), ServiceError> {
    let mut tx = services.store().begin().await?;
    let peer = store::peer(&mut tx, id)
        .await?
        .filter(|p| p.removed_at.is_none())
        .ok_or_else(|| ServiceError::not_found("federation.no_peer", format!("没有对端 #{id}")))?;
    store::remove_peer(&mut tx, id, &services.clock().now_text(), &actor.label()).await?;
    crate::audit::record(
        &mut tx,
        services,
        actor,
        "federation.peer_remove",
        "peer",
        &id.to_string(),
        Some(&json!({"name": peer.name, "regions": peer.region_codes, "base_url": peer.base_url, "public_key": peer.public_hex})),
        None,
        &format!("移除对端 {}（{}）", peer.name, peer.region_codes),
    )
    .await?;
    tx.commit().await.map_err(yibao_store::StoreError::from)?;
    Ok(())
}

/// The active peer serving `region`.
pub(crate) async fn serving(
    conn: &mut yibao_store::Conn,
    region: &str,
) -> Result<Option<PeerRow>, ServiceError> {
    Ok(store::active_peers(conn)
        .await?
        .into_iter()
        .find(|p| p.serves(region)))
}
