//! The address form: a public address for an endpoint, or a new prefix or port for one.

use super::*;
use crate::i18n::{t, t_string, tu_string, use_i18n};

/// The dialog that creates a public address for `target.endpoint`, or changes the prefix or
/// port of the address `target` names; `prefix` and `port` hold what is typed.
#[component]
pub(super) fn AddressDialog(
    target: AddressTarget,
    address_form: RwSignal<Option<AddressTarget>>,
    prefix: RwSignal<String>,
    port: RwSignal<String>,
    add_address: ServerAction<CreatePublicAddress>,
    change_address: ServerAction<ModifyAddress>,
) -> impl IntoView {
    let i18n = use_i18n();
    let ctx = expect_context::<ClusterCtx>();
    let current = move || ctx.data.get().and_then(|r| r.ok());
    let prefix_problem_now = move || {
        let p = prefix.get();
        let p = p.trim();
        if p.is_empty() {
            None
        } else {
            prefix_problem(i18n.get_locale(), p)
        }
    };
    let port_problem_now = move || {
        let p = port.get();
        let p = p.trim();
        if p.is_empty() {
            None
        } else {
            port_problem(i18n.get_locale(), p)
        }
    };
    let address_problem = move || {
        prefix_problem_now().or_else(port_problem_now).or_else(|| {
            let t = address_form.get()?;
            let (p, q) = (prefix.get(), port.get());
            (t.exists
                && (p.trim().is_empty() || p.trim() == t.prefix)
                && (q.trim().is_empty() || q.trim() == t.port))
                .then(|| t_string!(i18n, cluster_nodes.change_prefix_or_port).to_string())
        })
    };

    let submit_address = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (Some(d), Some(t)) = (current(), address_form.get_untracked()) else {
            return;
        };
        if address_problem().is_some() {
            return;
        }
        let (account, region, cluster) = (d.account, d.region, d.attr.db_cluster_id);
        let p = prefix.get_untracked().trim().to_string();
        if t.exists {
            let q = port.get_untracked().trim().to_string();
            change_address.dispatch(ModifyAddress {
                account,
                region,
                cluster,
                endpoint: t.endpoint,
                net_type: t.net_type,
                prefix: if p == t.prefix { String::new() } else { p },
                port: if q == t.port { String::new() } else { q },
            });
        } else {
            add_address.dispatch(CreatePublicAddress {
                account,
                region,
                cluster,
                endpoint: t.endpoint,
                prefix: p,
            });
        }
    };

    let t = target;
    // The dialog's title is a String: it is said in the language in use when it opens.
    let locale = i18n.get_locale_untracked();
    let heading = if t.exists {
        tu_string!(
            i18n,
            cluster_nodes.address_change_heading,
            net = net_word(locale, &t.net_type),
            endpoint = &t.endpoint
        )
        .to_string()
    } else {
        tu_string!(
            i18n,
            cluster_nodes.address_create_heading,
            endpoint = &t.endpoint
        )
        .to_string()
    };
    let exists = t.exists;
    let pending = move || add_address.pending().get() || change_address.pending().get();
    let problem = |p: Option<String>, subject: &'static str| p.map(|p| problem_line(subject, &p));
    view! {
        <Dialog title_id="address-form-title" title=heading testid="address-form" on_close=move || address_form.set(None)>
            {(!exists).then(|| view! { <p class="muted">{t!(i18n, cluster_nodes.public_intro)}</p> })}
            <form class="stack-form" on:submit=submit_address>
                <Field label=Signal::derive(move || if exists { t_string!(i18n, cluster_nodes.prefix_label) } else { t_string!(i18n, cluster_nodes.prefix_label_optional) }.to_string())
                    testid="address-prefix-problem"
                    problem=Signal::derive(move || problem(prefix_problem_now(), t_string!(i18n, cluster_nodes.prefix_label)))
                    hint=Signal::derive(move || t_string!(i18n, cluster_nodes.prefix_hint).to_string())>
                    <input type="text" class="mono" data-testid="address-prefix-input" data-autofocus maxlength="40"
                        autocomplete="off" spellcheck="false"
                        placeholder=move || if exists { "" } else { t_string!(i18n, cluster_nodes.prefix_placeholder) }
                        prop:value=move || prefix.get()
                        on:input=move |ev| prefix.set(event_target_value(&ev)) />
                </Field>
                {exists.then(|| view! {
                    <Field label=Signal::derive(move || t_string!(i18n, cluster_nodes.port).to_string()) testid="address-port-problem"
                        problem=Signal::derive(move || problem(port_problem_now(), t_string!(i18n, cluster_nodes.port)))
                        hint=Signal::derive(move || t_string!(i18n, cluster_nodes.port_hint).to_string())>
                        <input type="text" class="mono" inputmode="numeric" data-testid="address-port-input" maxlength="5"
                            prop:value=move || port.get()
                            on:input=move |ev| port.set(event_target_value(&ev)) />
                    </Field>
                })}
                <p class="field-hint" data-testid="address-problem">
                    {move || address_problem().filter(|_| prefix_problem_now().is_none() && port_problem_now().is_none())
                        .map(|p| view! { <span class="muted">{t_string!(i18n, cluster_nodes.nothing_yet, p = p).to_string()}</span> })}
                </p>
                {change_error(add_address.value())}
                {change_error(change_address.value())}
                <DialogActions>
                    <button type="button" class="small" on:click=move |_| address_form.set(None)>{t!(i18n, cluster_nodes.cancel)}</button>
                    <button type="submit" class="small primary-small" data-testid="submit-address"
                        disabled=move || address_problem().is_some() || pending()>
                        {move || match (pending(), exists) {
                            (true, _) => t_string!(i18n, cluster_nodes.sending),
                            (false, true) => t_string!(i18n, cluster_nodes.save_changes),
                            (false, false) => t_string!(i18n, cluster_nodes.create_address),
                        }}
                    </button>
                </DialogActions>
            </form>
        </Dialog>
    }
}
