//! The overview's billing panel: how the cluster is paid for, when it expires, its lock,
//! and a subscription's renewal, edited in place (ModifyAutoRenewAttribute).

use super::*;
use crate::cluster::frame::ClusterView;
use crate::kit::waiting;

/// A subscription's renewal as the overview keeps it across its refreshes: the action, the
/// settings read (DescribeAutoRenewAttribute), and the form's fields.
#[derive(Clone, Copy)]
pub(super) struct RenewalEdit {
    pub renew: ServerAction<ModifyAutoRenew>,
    pub renewal: Resource<Result<Option<Renewal>, AppError>>,
    pub renew_status: RwSignal<String>,
    pub renew_duration: RwSignal<String>,
    pub renew_unit: RwSignal<String>,
}

/// The billing panel of the cluster `a` (`prepaid`: a subscription, which shows its renewal;
/// `can_renew`: the user may change it).
pub(super) fn billing_panel(
    a: &ClusterView,
    prepaid: bool,
    can_renew: bool,
    edit: RenewalEdit,
    editing: RwSignal<Option<Edit>>,
    hydrated: RwSignal<bool>,
    current: impl Fn() -> Option<ClusterData> + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let RenewalEdit {
        renew,
        renewal,
        renew_status,
        renew_duration,
        renew_unit,
    } = edit;
    let renew_problem_now = move || {
        renewal_problem(
            &renew_status.get(),
            &renew_duration.get(),
            &renew_unit.get(),
        )
    };
    let open_renewal = move |_| {
        let r = renewal
            .get()
            .and_then(|r| r.ok())
            .flatten()
            .unwrap_or_default();
        renew_status.set(if r.status.is_empty() {
            "AutoRenewal".into()
        } else {
            r.status
        });
        renew_duration.set(if r.duration > 0 {
            r.duration.to_string()
        } else {
            "1".into()
        });
        renew_unit.set(if r.unit.is_empty() {
            "Month".into()
        } else {
            r.unit
        });
        renew.value().set(None);
        editing.set(Some(Edit::Renewal));
    };
    let save_renewal = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(d) = current() else { return };
        if renew_problem_now().is_some() {
            return;
        }
        renew.dispatch(ModifyAutoRenew {
            account: d.account,
            region: d.region,
            cluster: d.attr.db_cluster_id,
            status: renew_status.get_untracked(),
            duration: renew_duration.get_untracked(),
            unit: renew_unit.get_untracked(),
        });
    };

    view! {
        <section class="panel">
            <h2>{t!(i18n, cluster.billing)}</h2>
            <dl class="kv">
                <dt>{t!(i18n, cluster.billing_method)}</dt><dd data-testid="field-pay-type">{pay_type_label(&a.pay_type).to_string()}</dd>
                <dt>{t!(i18n, cluster.expires)}</dt>
                <dd>{
                    let (prepaid, expire_time, expired) = (a.pay_type == "Prepaid", a.expire_time.clone(), a.expired == "true");
                    move || if prepaid {
                        format!("{}{}", human_time(&expire_time), if expired { t_string!(i18n, cluster.expired_suffix) } else { "" })
                    } else {
                        t_string!(i18n, cluster.never_expires).to_string()
                    }
                }</dd>
                <dt>{t!(i18n, cluster.lock_mode)}</dt><dd data-testid="field-lock-mode">{
                    let mode = a.lock_mode.clone();
                    move || lock_mode_label(&mode)
                }</dd>
                {prepaid.then(|| view! {
                    <dt>{t!(i18n, cluster.renewal)}</dt>
                    <dd>
                        <Transition fallback=|| view! { <span class="muted">"…"</span> }>
                            {move || Suspend::new(async move {
                                match renewal.await {
                                    Ok(Some(r)) => view! { <span data-testid="field-renewal">{move || renewal_label(&r)}</span> }.into_any(),
                                    Ok(None) => view! { <span class="muted" data-testid="field-renewal">"—"</span> }.into_any(),
                                    Err(e) => view! { <span class="field-error">{e.to_string()}</span> }.into_any(),
                                }
                            })}
                        </Transition>
                        {can_renew.then(|| view! {
                            " "
                            <button type="button" class="small-link link-button" data-testid="edit-renewal"
                                title=move || waiting(hydrated) disabled=move || !hydrated.get() on:click=open_renewal>{t!(i18n, cluster.edit)}</button>
                        })}
                        {move || (editing.get() == Some(Edit::Renewal)).then(|| view! {
                            <form class="edit-form" on:submit=save_renewal data-testid="renewal-form">
                                <select aria-label=move || t_string!(i18n, cluster.renewal) data-testid="renewal-status"
                                    on:change=move |ev| renew_status.set(event_target_value(&ev))>
                                    <option value="AutoRenewal" selected=move || renew_status.get() == "AutoRenewal">{t!(i18n, cluster.renew_auto)}</option>
                                    <option value="Normal" selected=move || renew_status.get() == "Normal">{t!(i18n, cluster.renew_by_hand)}</option>
                                    <option value="NotRenewal" selected=move || renew_status.get() == "NotRenewal">{t!(i18n, cluster.renew_none)}</option>
                                </select>
                                {move || (renew_status.get() == "AutoRenewal").then(|| view! {
                                    <input type="number" min="1" max="12" aria-label=move || t_string!(i18n, cluster.renew_for) data-testid="renewal-duration" class="narrow-input"
                                        prop:value=move || renew_duration.get()
                                        on:input=move |ev| renew_duration.set(event_target_value(&ev)) />
                                    <select aria-label=move || t_string!(i18n, cluster.unit) data-testid="renewal-unit"
                                        on:change=move |ev| renew_unit.set(event_target_value(&ev))>
                                        <option value="Month" selected=move || renew_unit.get() == "Month">{t!(i18n, cluster.months)}</option>
                                        <option value="Year" selected=move || renew_unit.get() == "Year">{t!(i18n, cluster.years)}</option>
                                    </select>
                                })}
                                <button type="submit" class="small primary-small" data-testid="save-renewal"
                                    disabled=move || renew_problem_now().is_some() || renew.pending().get()>
                                    {move || if renew.pending().get() { t_string!(i18n, cluster.saving) } else { t_string!(i18n, cluster.save) }}
                                </button>
                                <button type="button" class="small" on:click=move |_| editing.set(None)>{t!(i18n, cluster.cancel)}</button>
                                <FieldHint testid="renewal-problem" problem=Signal::derive(move || renew_problem_now().map(|p| problem_line(t_string!(i18n, cluster.renewal_subject), &p)))
                                    hint=Signal::derive(move || t_string!(i18n, cluster.renewal_hint).to_string()) />
                                {change_error(renew.value())}
                            </form>
                        })}
                    </dd>
                })}
            </dl>
        </section>
    }
}
