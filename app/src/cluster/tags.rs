//! `/clusters/:id/tags`: one cluster's own tags, shown and edited (TagResources /
//! UntagResources on this cluster; ListTagResources through the cluster's attributes).

use leptos::prelude::*;
use polardb::rules::{capacity_problem, tag_key_problem, tag_value_problem, MAX_TAGS_PER_CLUSTER};

use crate::cluster::frame::{load_error, ClusterCtx};
use crate::i18n::{t, t_string, td_string, use_i18n};
use crate::kit::tagging::tag_filter_href;
use crate::kit::{change_error, problem_line, waiting, FieldHint, Loading};
use crate::AppError;

/// Sets one tag on this cluster (TagResources; a key it already has takes the new value).
/// The tab's form posts here by itself before the page is interactive. Returns the
/// RequestId; a refusal keeps its own status (403, 400), not a region's outcome.
#[server]
pub async fn set_cluster_tag(
    account: String,
    region: String,
    cluster: String,
    key: String,
    value: String,
) -> Result<String, AppError> {
    let (key, value) = (key.trim().to_string(), value.trim().to_string());
    if let Some(p) = tag_key_problem(&key).or_else(|| tag_value_problem(&value)) {
        return Err(crate::error::invalid("Tag", p));
    }
    let api = crate::call::Api::signed_in().await?;
    let request = polardb::models::TagResources {
        region_id: region.clone(),
        resource_type: "cluster".into(),
        resource_id: vec![cluster],
        tag: vec![polardb::models::TagParam { key, value }],
    };
    Ok(api.call(&account, &region, &request).await?.request_id)
}

/// Removes one tag from this cluster (UntagResources); its button is a form of its own.
#[server]
pub async fn remove_cluster_tag(
    account: String,
    region: String,
    cluster: String,
    key: String,
) -> Result<String, AppError> {
    let api = crate::call::Api::signed_in().await?;
    let request = polardb::models::UntagResources {
        region_id: region.clone(),
        resource_type: "cluster".into(),
        resource_id: vec![cluster],
        tag_key: vec![key],
        ..Default::default()
    };
    Ok(api.call(&account, &region, &request).await?.request_id)
}

/// `/clusters/:id/tags`.
#[component]
pub fn ClusterTagsPage() -> impl IntoView {
    view! {
        <ClusterTags />
    }
}

#[component]
fn ClusterTags() -> impl IntoView {
    let i18n = use_i18n();
    let ctx = expect_context::<ClusterCtx>();
    let data = ctx.data;
    let hydrated = ctx.hydrated;
    let tag = ServerAction::<SetClusterTag>::new();
    let untag = ServerAction::<RemoveClusterTag>::new();
    let key = RwSignal::new(String::new());
    let value = RwSignal::new(String::new());
    let done = RwSignal::new(None::<String>);

    // Which changes the role allows here (tags are decided region-wide: the calls name
    // clusters as ResourceId.N).
    // Keyed on the address only (not on the cluster's answer), so the server resolves it
    // once and the browser hydrates with the same answer.
    let allowed = Resource::new(
        move || ctx.scope.get(),
        |scope| async move {
            let (account, region) = if scope.account.is_empty() || scope.region.is_empty() {
                let d = crate::cluster::frame::load_cluster(scope).await?;
                (d.account, d.region)
            } else {
                (scope.account, scope.region)
            };
            crate::api::permissions(
                account,
                region,
                None,
                vec![
                    "polardb:TagResources".into(),
                    "polardb:UntagResources".into(),
                ],
            )
            .await
        },
    );
    // Read inside the Suspense boundaries below, so the server's HTML and the hydrated
    // page agree.
    let has =
        |list: &[String], action: &str| list.iter().any(|a| a == &format!("polardb:{action}"));

    let tag_result = tag.value();
    let untag_result = untag.value();
    ctx.after_success(tag_result, move || {
        key.set(String::new());
        value.set(String::new());
        // Untracked: the effect that runs this must not run again when the language changes.
        done.set(Some(
            td_string!(i18n.get_locale_untracked(), cluster.tag_saved).into(),
        ));
    });
    // A new change clears the last one's message.
    Effect::new(move |_| {
        if tag.pending().get() || untag.pending().get() {
            done.set(None);
        }
    });
    ctx.after_success(untag_result, move || {
        done.set(Some(
            td_string!(i18n.get_locale_untracked(), cluster.tag_removed).into(),
        ))
    });

    let current = move || data.get().and_then(|r| r.ok());
    let problem = move || {
        let k = key.get().trim().to_string();
        let v = value.get().trim().to_string();
        tag_key_problem(&k)
            .or_else(|| tag_value_problem(&v))
            .or_else(|| {
                let d = current()?;
                let existing = vec![(
                    d.attr.db_cluster_id.clone(),
                    d.attr.tags.iter().map(|t| t.key.clone()).collect(),
                )];
                capacity_problem(&existing, &[(k, v)])
            })
    };

    view! {
        {move || done.get().map(|m| view! { <div class="banner banner-ok" role="status" data-testid="tags-done">{m}</div> })}
        <Transition fallback=move || view! { <Loading label=t_string!(i18n, cluster.reading_cluster) /> }>
            {move || Suspend::new(async move {
                let id = ctx.scope.read_untracked().id.clone();
                let d = match data.await {
                    Ok(d) => d,
                    Err(e) => return load_error(e, id),
                };
                let tags = d.attr.tags.clone();
                let (account, region, cluster) = (d.account.clone(), d.region.clone(), d.attr.db_cluster_id.clone());
                let perms = allowed.await.unwrap_or_default();
                let (can_tag, can_untag) = (has(&perms, "TagResources"), has(&perms, "UntagResources"));
                view! {
                    <section class="panel" data-testid="cluster-tags-panel">
                        <h2>{
                            let n = tags.len();
                            move || t_string!(i18n, cluster.tags_count, n = n, max = MAX_TAGS_PER_CLUSTER).to_string()
                        }</h2>
                        {if tags.is_empty() {
                            view! { <p class="muted" data-testid="no-tags">{t!(i18n, cluster.no_cluster_tags)}</p> }.into_any()
                        } else {
                            view! {
                                <table class="grid" data-testid="own-tags">
                                    <thead><tr><th>{t!(i18n, cluster.key)}</th><th>{t!(i18n, cluster.value)}</th><th></th><th></th></tr></thead>
                                    <tbody>
                                        {tags.into_iter().map(|t| {
                                            let k = t.key.clone();
                                            let k_edit = t.key.clone();
                                            let v_edit = t.value.clone();
                                            view! {
                                                <tr data-tag-key=t.key.clone()>
                                                    <td class="mono">{t.key.clone()}</td>
                                                    <td class="mono" data-testid="own-tag-value">{t.value.clone()}</td>
                                                    <td><a class="small-link" href=tag_filter_href(&t.key, &t.value)>{t!(i18n, cluster.clusters_with_tag)}</a></td>
                                                    <td><div class="row-actions">
                                                        {can_tag.then(|| {
                                                            let k = k_edit.clone();
                                                            let v = v_edit.clone();
                                                            view! {
                                                                <button type="button" class="small" data-testid="edit-tag"
                                                                    title=move || waiting(hydrated)
                                                                    disabled=move || !hydrated.get()
                                                                    on:click=move |_| { key.set(k.clone()); value.set(v.clone()); }>{t!(i18n, cluster.change_value)}</button>
                                                            }
                                                        })}
                                                        {can_untag.then(|| {
                                                            let (account, region, cluster) = (account.clone(), region.clone(), cluster.clone());
                                                            view! {
                                                            // A form of its own: it works before the page is interactive.
                                                            <ActionForm action=untag attr:class="inline-form">
                                                                <input type="hidden" name="account" value=account />
                                                                <input type="hidden" name="region" value=region />
                                                                <input type="hidden" name="cluster" value=cluster />
                                                                <input type="hidden" name="key" value=k.clone() />
                                                                <button type="submit" class="small danger" data-testid="remove-tag"
                                                                    disabled=move || untag.pending().get()>{t!(i18n, cluster.remove)}</button>
                                                            </ActionForm>
                                                            }
                                                        })}
                                                    </div></td>
                                                </tr>
                                            }
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            }.into_any()
                        }}
                        {change_error(untag_result)}
                    </section>
                }.into_any()
            })}
        </Transition>
        <Transition fallback=|| ()>
        {move || Suspend::new(async move {
        let d = data.await.ok()?;
        let perms = allowed.await.unwrap_or_default();
        // Before the page is interactive the form posts by itself; the server checks it.
        let blocked = move || hydrated.get() && problem().is_some();
        has(&perms, "TagResources").then(|| view! {
            <section class="panel form-panel" data-testid="own-tag-form">
                <h2>{t!(i18n, cluster.add_or_change_tag)}</h2>
                <ActionForm action=tag attr:class="edit-form">
                    <input type="hidden" name="account" value=d.account.clone() />
                    <input type="hidden" name="region" value=d.region.clone() />
                    <input type="hidden" name="cluster" value=d.attr.db_cluster_id.clone() />
                    <input type="text" name="key" placeholder=move || t_string!(i18n, cluster.key) aria-label=move || t_string!(i18n, cluster.tag_key) data-testid="own-tag-key" maxlength="200" required
                        prop:value=move || key.get() on:input=move |ev| key.set(event_target_value(&ev)) />
                    <input type="text" name="value" placeholder=move || t_string!(i18n, cluster.value) aria-label=move || t_string!(i18n, cluster.tag_value) data-testid="own-tag-value-input" maxlength="200"
                        prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev)) />
                    <button type="submit" class="small primary-small" data-testid="save-tag"
                        title=move || blocked().then_some(t_string!(i18n, cluster.mend_tag_first))
                        disabled=move || blocked() || tag.pending().get()>
                        {move || if tag.pending().get() { t_string!(i18n, cluster.saving) } else { t_string!(i18n, cluster.save_tag) }}
                    </button>
                </ActionForm>
                <FieldHint testid="own-tag-problem" problem=Signal::derive(move || problem().map(|p| problem_line("", &p)))
                    hint=Signal::derive(move || t_string!(i18n, cluster.tag_hint).to_string()) />
                {change_error(tag_result)}
            </section>
        })
        })}
        </Transition>
    }
}
