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
use crate::kit::{
    capitalise, change_error, problem_line, Dialog, DialogActions, Empty, ErrorBox, Field,
    FieldHint, Loading,
};
use crate::AppError;

mod page;
mod server;
pub use page::*;
pub use server::*;

/// Names the service keeps for itself (CreateAccount: "root, admin, etc.").
const RESERVED: &[&str] = &[
    "root",
    "admin",
    "administrator",
    "postgres",
    "polardb",
    "aurora",
    "replicator",
    "superuser",
    "rdsadmin",
    "aliyun_root",
    "public",
    "sys",
    "system",
];

/// The special characters a password may contain (12.1, 12.5).
pub const SPECIALS: &str = "!@#$%^&*()_+-=";

/// What is wrong with a new account name (CreateAccount 12.1): 2 to 16 characters;
/// lowercase letters, digits and underscores; a lowercase letter first; a letter or digit
/// last; not a reserved name.
pub fn account_name_problem(name: &str) -> Option<String> {
    let n = name.chars().count();
    if !(2..=16).contains(&n) {
        return Some(format!(
            "the account name must have 2 to 16 characters (this has {n})"
        ));
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    {
        return Some(
            "the account name may contain only lowercase letters, digits and underscores".into(),
        );
    }
    if !name.starts_with(|c: char| c.is_ascii_lowercase()) {
        return Some("the account name must start with a lowercase letter".into());
    }
    if name.ends_with('_') {
        return Some("the account name must end with a letter or a digit".into());
    }
    if RESERVED.contains(&name) || name.starts_with("pg_") {
        return Some(format!("the name {name} is reserved"));
    }
    None
}

/// What is wrong with a password (12.1, 12.5): 8 to 32 characters, at least three kinds
/// among uppercase letters, lowercase letters, digits and the specials `!@#$%^&*()_+-=`,
/// and nothing else. The message names the rule, never the password.
pub fn password_problem(p: &str) -> Option<String> {
    let n = p.chars().count();
    if !(8..=32).contains(&n) {
        return Some(format!(
            "the password must have 8 to 32 characters (this has {n})"
        ));
    }
    if let Some(c) = p
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || SPECIALS.contains(*c)))
    {
        let what = if c.is_whitespace() {
            "a space".to_string()
        } else if c.is_ascii() {
            format!("“{c}”")
        } else {
            "a non-ASCII character".to_string()
        };
        return Some(format!(
            "the password may contain only letters, digits and the specials {SPECIALS} (it has {what})"
        ));
    }
    let kinds = [
        p.chars().any(|c| c.is_ascii_uppercase()),
        p.chars().any(|c| c.is_ascii_lowercase()),
        p.chars().any(|c| c.is_ascii_digit()),
        p.chars().any(|c| SPECIALS.contains(c)),
    ];
    let k = kinds.iter().filter(|k| **k).count();
    if k < 3 {
        return Some(format!(
            "the password must contain at least three of: uppercase letters, lowercase letters, digits, specials {SPECIALS} (it has {k})"
        ));
    }
    None
}

/// The password and its repetition.
pub fn passwords_problem(p: &str, again: &str) -> Option<String> {
    password_problem(p).or_else(|| (p != again).then(|| "the two passwords differ".to_string()))
}

/// What is wrong with an account description (12.1, 12.3): 2 to 256 characters, not
/// starting with http:// or https://. Empty is allowed when `optional`.
pub fn account_description_problem(d: &str, optional: bool) -> Option<String> {
    if d.is_empty() && optional {
        return None;
    }
    let n = d.chars().count();
    if !(2..=256).contains(&n) {
        return Some(format!(
            "the description must have 2 to 256 characters (this has {n})"
        ));
    }
    let lower = d.to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") {
        return Some("the description must not start with http:// or https://".into());
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
    fn account_names_follow_the_reference() {
        assert_eq!(account_name_problem("test_acc"), None);
        assert_eq!(account_name_problem("ab"), None);
        assert!(account_name_problem("a").unwrap().contains("2 to 16"));
        assert!(account_name_problem("Test").unwrap().contains("lowercase"));
        assert!(account_name_problem("1abc").unwrap().contains("start"));
        assert!(account_name_problem("abc_").unwrap().contains("end"));
        assert!(account_name_problem("abcdefghijklmnopq").is_some());
        assert!(account_name_problem("root").unwrap().contains("reserved"));
        assert!(account_name_problem("pg_monitor")
            .unwrap()
            .contains("reserved"));
    }

    #[test]
    fn passwords_follow_the_reference() {
        assert_eq!(password_problem("Test1111"), None);
        assert_eq!(password_problem("test_1111"), None);
        assert!(password_problem("test1111").unwrap().contains("three"));
        assert!(password_problem("Te1!").unwrap().contains("8 to 32"));
        assert!(password_problem(&"Aa1".repeat(11))
            .unwrap()
            .contains("8 to 32"));
        let space = password_problem("Test 1111!").unwrap();
        assert!(space.contains("a space"), "{space}");
        assert!(password_problem("Test1111~")
            .unwrap()
            .contains("only letters"));
        assert!(!password_problem("Secret~99").unwrap().contains("Secret"));
        assert_eq!(passwords_problem("Test1111", "Test1111"), None);
        assert!(passwords_problem("Test1111", "Test1112")
            .unwrap()
            .contains("differ"));
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
