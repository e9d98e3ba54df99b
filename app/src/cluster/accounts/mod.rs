//! `/clusters/:id/accounts`: the database accounts of a cluster (DescribeAccounts, API
//! reference 12.2) with type, status, description and privileges; create (CreateAccount,
//! after CheckAccountName), change the description (ModifyAccountDescription), reset the
//! password (ModifyAccountPassword) and delete (DeleteAccount).
//!
//! Passwords: typed twice into password fields, sent once to the server function and from
//! there only to the API; never shown again, never kept in a signal after the request, never
//! logged or stored (the audit record has them redacted by name).

// Server functions take each form field as an argument.
#![allow(clippy::too_many_arguments)]

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::cluster::frame::section_reload;
use crate::cluster::frame::ClusterCtx;
use crate::i18n::{t, t_string, td_string, use_i18n};
use crate::kit::{
    capitalise, change_error, problem_line, Column, DataTable, Dialog, DialogActions, Empty,
    ErrorBox, Field, FieldHint, Loading, SortKey,
};
use crate::AppError;
pub use polardb::rules::{account_name_problem, password_problem, PASSWORD_SPECIALS as SPECIALS};

mod page;
mod server;
pub use page::*;
pub use server::*;

/// The language the messages of these tabs are written in (the kit's).
pub use crate::kit::words::locale as message_locale;

/// The password and its repetition.
pub fn passwords_problem(p: &str, again: &str) -> Option<String> {
    password_problem(p).or_else(|| {
        (p != again)
            .then(|| td_string!(message_locale(), cluster_access.passwords_differ).to_string())
    })
}

/// What is wrong with an account description (12.1, 12.3): 2 to 256 characters, not
/// starting with http:// or https://. Empty is allowed when `optional`.
pub fn account_description_problem(d: &str, optional: bool) -> Option<String> {
    if d.is_empty() && optional {
        return None;
    }
    let n = d.chars().count();
    if !(2..=256).contains(&n) {
        return Some(
            td_string!(message_locale(), cluster_access.description_length, n = n).to_string(),
        );
    }
    let lower = d.to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") {
        return Some(td_string!(message_locale(), cluster_access.description_no_http).to_string());
    }
    None
}

// ---------------------------------------------------------------------------------------
// Server functions.

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DbAccountRow {
    pub name: String,
    pub kind: String,
    pub status: String,
    pub lock_state: String,
    pub description: String,
    /// (database, privilege) for Normal accounts.
    pub privileges: Vec<(String, String)>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountsData {
    pub accounts: Vec<DbAccountRow>,
    pub can_create: bool,
    pub can_describe: bool,
    pub can_password: bool,
    pub can_delete: bool,
}

#[cfg(feature = "ssr")]
fn invalid(field: &str, message: impl Into<String>) -> AppError {
    AppError::Invalid {
        field: field.into(),
        message: message.into(),
    }
}

/// Every database account of a cluster (all pages of DescribeAccounts).
#[cfg(feature = "ssr")]
pub async fn read_accounts(
    api: &crate::call::Api,
    account: &str,
    region: &str,
    cluster: &str,
) -> Result<Vec<polardb::models::Account>, AppError> {
    let mut all = Vec::new();
    for page in 1..=20u32 {
        let body = api
            .call(
                account,
                region,
                &polardb::models::DescribeAccounts {
                    db_cluster_id: cluster.to_string(),
                    page_size: Some(100),
                    page_number: Some(page),
                    ..Default::default()
                },
            )
            .await?;
        let n = body.accounts.len();
        all.extend(body.accounts);
        if n < 100 {
            break;
        }
    }
    Ok(all)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_is_typed_twice() {
        assert_eq!(passwords_problem("Test1111", "Test1111"), None);
        assert!(passwords_problem("Test1111", "Test1112")
            .unwrap()
            .contains("differ"));
        assert!(passwords_problem("test1111", "test1111")
            .unwrap()
            .contains("three"));
    }

    #[test]
    fn descriptions() {
        assert_eq!(account_description_problem("", true), None);
        assert!(account_description_problem("", false).is_some());
        assert!(account_description_problem("x", true).is_some());
        assert!(account_description_problem("https://a", true).is_some());
        assert_eq!(account_description_problem("app user", false), None);
    }
}
