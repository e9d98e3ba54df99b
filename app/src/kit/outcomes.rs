//! The results of a change that went to several regions, and the regions whose reads
//! failed: one line each.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::api::RegionProblem;
use crate::i18n::td_string;

/// What one region's call (or calls) of a change came to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegionOutcome {
    pub account: String,
    pub region: String,
    pub ok: bool,
    /// What was done, or the error in words.
    pub detail: String,
    pub code: String,
    pub request_id: String,
}

/// The results of a change, one line a region.
pub fn outcomes_view(list: Vec<RegionOutcome>, testid: &'static str) -> impl IntoView {
    view! {
        <ul class="outcomes" data-testid=testid>
            {list.into_iter().map(|o| {
                let class = if o.ok { "outcome outcome-ok" } else { "outcome outcome-bad" };
                view! {
                    <li class=class data-ok=o.ok.to_string() data-region=o.region.clone()>
                        <strong>{format!("{} · {}", o.region, o.account)}</strong>
                        ": "{o.detail.clone()}
                        {(!o.code.is_empty() || !o.request_id.is_empty()).then(|| view! {
                            <span class="mono muted">{format!(" {} RequestId {}", o.code, o.request_id)}</span>
                        })}
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}

/// The banners of regions whose reads failed.
pub fn problems_view(problems: Vec<RegionProblem>) -> impl IntoView {
    let locale = super::words::locale();
    problems
        .into_iter()
        .map(|p| {
            let place = if p.region.is_empty() {
                td_string!(locale, kit.cloud_account_place, account = &p.account).to_string()
            } else {
                td_string!(locale, kit.region_in, region = &p.region, account = &p.account)
                    .to_string()
            };
            view! {
                <div class="banner banner-error" role="alert" data-testid="region-problem" data-region=p.region.clone()>
                    <strong>{place}</strong>": "{p.message.clone()}
                    <span class="mono muted">{format!(" {} RequestId {}", p.code, p.request_id)}</span>
                </div>
            }
        })
        .collect_view()
}
