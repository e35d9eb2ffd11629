//! `POST /api/v1/federation/inbox`: where peer instances deliver their signed messages
//! (docs/federation.md). No login: the sender is proven by its ed25519 signature, checked
//! against the peers this installation registered (`yibao peer add`).

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use yibao_service::federation::{inbox, Delivery};

use super::ApiJson;
use crate::error::ApiError;
use crate::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(deliver))
}

/// 对端投递的一条已签名消息
#[derive(Debug, Deserialize, ToSchema)]
pub struct FederationDelivery {
    /// 消息信封的 JSON 文本（原样签名）：message_id、kind、version、from_region、to_region、sent_at、body。kind 及其版本：federation.ping、transfer.contact_letter（联系函）、transfer.information_sheet（信息表及余额）、transfer.completed（办结通知）、transfer.refused（退回通知）、case.forwarded（异地受理的办件，含表单和材料及其 SHA-256）、case.status（转办件的状态回传）、clearing.statement（跨省异地就医清算单及明细、摘要）、clearing.reconciled（参保地逐笔对账结果），均为第 1 版；body 的格式见 docs/federation.md
    envelope: String,
    /// ed25519 签名（128 位十六进制），签名内容为 "yibao-federation-message/1\n" 加信封文本
    signature: String,
}

/// 已接收：applied 为首次应用，duplicate 为此前已应用（未重复应用）
#[derive(Debug, Serialize, ToSchema)]
pub struct FederationReceipt {
    message_id: String,
    status: String,
}

#[utoipa::path(
    post,
    path = "/federation/inbox",
    tag = "跨实例联网",
    request_body = FederationDelivery,
    responses(
        (status = 200, description = "消息已应用（applied）或此前已应用（duplicate）", body = FederationReceipt),
        (status = "4XX", description = "拒收：发送方不是登记的对端（403 federation.unknown_peer）、签名与对端公钥不符（401 federation.bad_signature）、信封有误、收件区划不是本机、消息类型或版本未知（422 federation.bad_envelope、federation.wrong_recipient、federation.unknown_kind、federation.unknown_version），或消息的业务效果被拒（422，附其代码）；拒收均记录在案", body = crate::error::ErrorBody),
        (status = 503, description = "本机尚未设置联网身份：federation.no_identity", body = crate::error::ErrorBody)
    ),
    // The signature is the credential: no session or token.
    security(())
)]
async fn deliver(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<FederationDelivery>,
) -> Result<Json<FederationReceipt>, ApiError> {
    let receipt = inbox::receive(
        &state.services,
        &Delivery {
            envelope: body.envelope,
            signature: body.signature,
        },
    )
    .await?;
    Ok(Json(FederationReceipt {
        message_id: receipt.message_id,
        status: receipt.status,
    }))
}
