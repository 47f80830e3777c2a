//! `POST /api/v1/plugins/{name}/reload` and `/rollback`: hot swaps, for operators (behind
//! the admin token); the CLI's `dcmaid plugin reload|rollback` calls these. A swap made here
//! reaches the other replicas through Redis when it is configured.

use std::sync::Arc;

use poem::http::StatusCode;
use poem::web::{Data, Json, Path};
use poem::{Endpoint, IntoResponse, Response, handler, post};
use serde_json::json;

use super::bad_request;
use crate::bot::Bot;
use crate::plugin::PluginName;
use crate::swap::{SwapAction, SwapError};

pub fn reload() -> impl Endpoint {
    post(reload_plugin)
}

pub fn rollback() -> impl Endpoint {
    post(rollback_plugin)
}

#[handler]
async fn reload_plugin(Data(bot): Data<&Arc<Bot>>, Path(name): Path<String>) -> Response {
    swap(bot, &name, SwapAction::Reload).await
}

#[handler]
async fn rollback_plugin(Data(bot): Data<&Arc<Bot>>, Path(name): Path<String>) -> Response {
    swap(bot, &name, SwapAction::Rollback).await
}

async fn swap(bot: &Bot, name: &str, action: SwapAction) -> Response {
    let plugin = match PluginName::new(name) {
        Ok(plugin) => plugin,
        Err(reason) => return bad_request(Some("name"), reason).into_response(),
    };
    match bot.swap_everywhere(&plugin, action).await {
        Ok(swapped) => Json(swapped).into_response(),
        Err(error) => {
            let status = match &error {
                SwapError::NotInstalled { .. } | SwapError::NoPrevious { .. } => {
                    StatusCode::NOT_FOUND
                }
                SwapError::Refused { .. } | SwapError::WrongName { .. } => {
                    StatusCode::UNPROCESSABLE_ENTITY
                }
            };
            (status, Json(json!({ "error": error.to_string() }))).into_response()
        }
    }
}
