//! Signing in and out, the password, and who is signed in.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use super::ssr;
use crate::AppError;

/// The signed-in user as pages see them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserDto {
    pub username: String,
    pub display_name: String,
    pub role: String,
    /// Signed in with a password an administrator set: nothing but choosing their own.
    pub must_change_password: bool,
    /// Their writes are kept in a draft change instead of sent (the top bar's switch).
    #[serde(default)]
    pub collect_changes: bool,
}

/// What the top bar offers: the user, the cloud accounts and the regions.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsoleInfo {
    pub user: UserDto,
    pub accounts: Vec<String>,
    pub regions: Vec<String>,
}

/// The signed-in user, or `None`.
#[server]
pub async fn whoami() -> Result<Option<UserDto>, AppError> {
    match ssr::require_signed_in().await {
        Ok((_, u)) => Ok(Some(ssr::user_dto(&u))),
        Err(AppError::Unauthenticated) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The user, cloud accounts and regions for the top bar.
#[server]
pub async fn console_context() -> Result<ConsoleInfo, AppError> {
    let (backend, user) = ssr::require_signed_in().await?;
    if user.must_change_password {
        // No account or region until the user has their own password.
        return Ok(ConsoleInfo {
            user: ssr::user_dto(&user),
            accounts: Vec::new(),
            regions: Vec::new(),
        });
    }
    let caller = ssr::caller(&backend, &user).await?;
    let (accounts, regions) = backend.gateway.choices(&caller).await?;
    Ok(ConsoleInfo {
        user: ssr::user_dto(&user),
        accounts,
        regions,
    })
}

/// Signs in with a local account; cycles the session id. Attempts are counted before the
/// password is checked: too many failures from one address get 429 (with `Retry-After`)
/// until the window ends; a user name with many failures is slowed down, not locked.
#[server]
pub async fn sign_in(username: String, password: String) -> Result<(), AppError> {
    use backend::audit::{Event, Outcome};
    use backend::identity::SignIn;
    let backend = expect_context::<backend::Backend>();
    let username = username.trim().to_string();
    if username.is_empty() {
        return Err(AppError::Invalid {
            field: "username".into(),
            message: "is required".into(),
        });
    }
    let mut actor = ssr::actor(None).await;
    actor.name = backend::audit::safe_text(&username, 128);
    actor.auth_method = "local".into();
    let addr = actor.client_addr.clone().unwrap_or_default();
    let device = ssr::device_cookie();
    match backend
        .identity
        .sign_in(&username, &password, &addr, device.as_deref())
        .await?
    {
        SignIn::SignedIn(user) => {
            let session = ssr::session().await?;
            let unavailable = |_| AppError::Unavailable("The session store is unavailable.".into());
            session.cycle_id().await.map_err(unavailable)?;
            ssr::start_session(&session, &user)
                .await
                .map_err(unavailable)?;
            actor.user_id = Some(user.id);
            // No sign-in without its record: the device kept, the time noted and the record
            // commit together; without it the session just made is ended and no device
            // cookie is set (whichever form the request took, a redirect with a live cookie
            // must not follow).
            let recorded = async {
                let mut change = backend.audit.begin_change().await?;
                let token = backend
                    .identity
                    .remember_device(change.conn(), user.id, device.as_deref())
                    .await?;
                backend.identity.signed_in(change.conn(), user.id).await?;
                change
                    .commit(&Event::security(actor, "SignIn", Outcome::Ok))
                    .await?;
                Ok::<_, backend::BackendError>(token)
            };
            match recorded.await {
                Ok(token) => {
                    if let Some(token) = token {
                        ssr::set_device_cookie(&token);
                    }
                    // The language they chose, wherever they chose it (#19).
                    if let Ok(Some(language)) = backend.identity.language_of(user.id).await {
                        ssr::set_language_cookie(language);
                    }
                    // And the time zone they chose (else the browser's stays).
                    if let Ok(Some(zone)) = backend.identity.time_zone_of(user.id).await {
                        ssr::set_time_zone_cookie(&zone);
                    }
                }
                Err(e) => {
                    let _ = session.flush().await;
                    if let Some(opts) = use_context::<leptos_axum::ResponseOptions>() {
                        opts.set_status(axum::http::StatusCode::SERVICE_UNAVAILABLE);
                    }
                    return Err(e.into());
                }
            }
            leptos_axum::redirect("/clusters");
            Ok(())
        }
        SignIn::Failed => {
            // Every evaluated failure is on the trail: without its record, the answer is
            // 503 (the attempt still counted against the limits).
            if let Err(e) = backend
                .audit
                .append(&Event::security(actor, "SignInFailed", Outcome::Denied))
                .await
            {
                if let Some(opts) = use_context::<leptos_axum::ResponseOptions>() {
                    opts.set_status(axum::http::StatusCode::SERVICE_UNAVAILABLE);
                }
                return Err(e.into());
            }
            if let Some(opts) = use_context::<leptos_axum::ResponseOptions>() {
                opts.set_status(axum::http::StatusCode::UNAUTHORIZED);
            }
            Err(AppError::SignInFailed("Wrong username or password.".into()))
        }
        SignIn::Limited(limited) => Err(ssr::too_many(&limited, &actor)),
    }
}

/// Turns "Collect changes" on or off for the signed-in user: while on, each write from
/// the pages is kept in their draft change (asked for on `/changes`) instead of sent.
#[server]
pub async fn set_collect_changes(on: bool) -> Result<bool, AppError> {
    let (backend, user) = ssr::require_user().await?;
    let actor = ssr::actor(Some(&user)).await;
    backend
        .identity
        .set_collect_changes(&backend.audit, actor, user.id, on)
        .await?;
    Ok(on)
}

/// The language chosen in the top bar or on the sign-in page (`en` or `zh`, #19): sets the
/// language cookie, so that the next page is rendered in it, and, for a signed-in user,
/// saves it with them (with its record), so that signing in elsewhere brings it back.
/// Before signing in it only sets the cookie.
#[server]
pub async fn set_language(language: String) -> Result<String, AppError> {
    let language = backend::identity::Language::parse(&language)?;
    match ssr::require_signed_in().await {
        Ok((backend, user)) => {
            let actor = ssr::actor(Some(&user)).await;
            backend
                .identity
                .set_language(&backend.audit, actor, user.id, language)
                .await?;
        }
        Err(AppError::Unauthenticated) => {}
        Err(e) => return Err(e),
    }
    ssr::set_language_cookie(language);
    Ok(language.code().to_string())
}

/// The time zone chosen in Settings (an IANA name such as `Asia/Shanghai`, #19): saved with
/// the signed-in user (with its record) and set in the time-zone cookie, so that the next
/// page shows times in it here and signing in elsewhere brings it back.
#[server]
pub async fn set_time_zone(zone: String) -> Result<String, AppError> {
    let zone = backend::zone::TimeZone::parse(&zone)?;
    let (backend, user) = ssr::require_user().await?;
    let actor = ssr::actor(Some(&user)).await;
    backend
        .identity
        .set_time_zone(&backend.audit, actor, user.id, &zone)
        .await?;
    ssr::set_time_zone_cookie(&zone);
    Ok(zone.name().to_string())
}

/// Signs out: the session ends on the server at once.
#[server]
pub async fn sign_out() -> Result<(), AppError> {
    let mut recorded = Ok(());
    if let Ok((backend, user)) = ssr::require_signed_in().await {
        let actor = ssr::actor(Some(&user)).await;
        recorded = backend
            .audit
            .append(&backend::audit::Event::security(
                actor,
                "SignOut",
                backend::audit::Outcome::Ok,
            ))
            .await
            .map(|_| ());
    }
    // The session ends whatever the trail says (leaving it open would be worse), but an
    // unrecorded sign-out is not answered as a plain success: 503 says the record is missing.
    let session = ssr::session().await?;
    session
        .flush()
        .await
        .map_err(|_| AppError::Unavailable("The session store is unavailable.".into()))?;
    if let Err(e) = recorded {
        tracing::error!(error = %e, "a sign-out was not recorded; the session is ended");
        if let Some(opts) = use_context::<leptos_axum::ResponseOptions>() {
            opts.set_status(axum::http::StatusCode::SERVICE_UNAVAILABLE);
        }
        return Err(AppError::Unavailable(
            "You are signed out, but the audit trail could not record it.".into(),
        ));
    }
    leptos_axum::redirect("/signin");
    Ok(())
}

/// Changes the signed-in user's own password: the current one, the new one twice.
/// Every other session of the user ends; this one continues under a new id. Wrong current
/// passwords count against the same limits as failed sign-ins.
#[server]
pub async fn change_password(
    current_password: String,
    new_password: String,
    confirm_password: String,
) -> Result<(), AppError> {
    use backend::identity::PasswordChange;
    let (backend, mut user) = ssr::require_signed_in().await?;
    if new_password != confirm_password {
        return Err(AppError::Invalid {
            field: "confirm_password".into(),
            message: "does not match the new password".into(),
        });
    }
    if user.must_change_password && new_password == current_password {
        return Err(AppError::Invalid {
            field: "new_password".into(),
            message: "must differ from the password an administrator set".into(),
        });
    }
    let actor = ssr::actor(Some(&user)).await;
    let addr = actor.client_addr.clone().unwrap_or_default();
    let changed = backend
        .identity
        .change_password(&user, &current_password, &new_password, &addr)
        .await;
    let hash = match changed {
        Ok(PasswordChange::Checked(hash)) => hash,
        Ok(PasswordChange::Limited(limited)) => return Err(ssr::too_many(&limited, &actor)),
        Err(e) => {
            if matches!(&e, backend::BackendError::Invalid { field, .. } if *field == "current_password")
            {
                backend
                    .audit
                    .append(&backend::audit::Event::security(
                        actor,
                        "PasswordChangeFailed",
                        backend::audit::Outcome::Denied,
                    ))
                    .await?;
            }
            return Err(e.into());
        }
    };
    // The new password commits together with its audit record, or not at all.
    let mut change = backend.audit.begin_change().await?;
    let epoch = backend
        .identity
        .store_password(change.conn(), &user, hash)
        .await?;
    change
        .commit(&backend::audit::Event::security(
            actor,
            "PasswordChanged",
            backend::audit::Outcome::Ok,
        ))
        .await?;
    user.session_epoch = epoch;
    user.must_change_password = false;
    let session = ssr::session().await?;
    let unavailable = |_| AppError::Unavailable("The session store is unavailable.".into());
    session.cycle_id().await.map_err(unavailable)?;
    ssr::start_session(&session, &user)
        .await
        .map_err(unavailable)?;
    Ok(())
}
