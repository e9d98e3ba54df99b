//! `/clusters/:id/databases`: the databases of a cluster (DescribeDatabases, API reference
//! 13.2) with owner, character set, collation and ctype; create (CreateDatabase after
//! CheckDBName, with the character set, collation and ctype offered by
//! DescribeDBInitializeVariable and the owner chosen among the cluster's Normal accounts)
//! and delete (DeleteDatabase) after a confirmation.

// Server functions take each form field as an argument.
#![allow(clippy::too_many_arguments)]

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::cluster::accounts::account_description_problem;
use crate::cluster::frame::section_reload;
use crate::cluster::frame::ClusterCtx;
use crate::kit::{capitalise, change_error, Dialog, DialogActions, Empty, ErrorBox, Loading};
use crate::AppError;

mod page;
mod server;
pub use page::*;
pub use server::*;

/// Names PostgreSQL or the service keep (13.1: "test, mysql, …").
const RESERVED: &[&str] = &[
    "test",
    "mysql",
    "postgres",
    "template0",
    "template1",
    "polardb_admin",
    "information_schema",
    "pg_catalog",
    "sys",
    "public",
];

/// Privileges the owner account may get (13.1).
pub const PRIVILEGES: &[&str] = &["ReadWrite", "ReadOnly", "DMLOnly", "DDLOnly"];

/// What is wrong with a new database name (13.1): lowercase letters, digits, `-` and `_`;
/// a letter first, a letter or digit last; at most 64 characters; not a reserved name.
pub fn db_name_problem(name: &str) -> Option<String> {
    let n = name.chars().count();
    if n == 0 {
        return Some("the database name is required".into());
    }
    if n > 64 {
        return Some(format!(
            "the database name has at most 64 characters (this has {n})"
        ));
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
    {
        return Some(
            "the database name may contain only lowercase letters, digits, - and _".into(),
        );
    }
    if !name.starts_with(|c: char| c.is_ascii_lowercase()) {
        return Some("the database name must start with a lowercase letter".into());
    }
    if name.ends_with(['-', '_']) {
        return Some("the database name must end with a letter or a digit".into());
    }
    if RESERVED.contains(&name) || name.starts_with("pg_") {
        return Some(format!("the name {name} is reserved"));
    }
    None
}

// ---------------------------------------------------------------------------------------
// Server functions.

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DatabaseRow {
    pub name: String,
    pub status: String,
    pub description: String,
    pub charset: String,
    /// Empty when the API's answer does not carry it.
    pub collate: String,
    pub ctype: String,
    pub owner: String,
    /// (account, privilege).
    pub accounts: Vec<(String, String)>,
}

/// One (charset, collate, ctype) combination of DescribeDBInitializeVariable.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Variable {
    pub charset: String,
    pub collate: String,
    pub ctype: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DatabasesData {
    pub databases: Vec<DatabaseRow>,
    pub variables: Vec<Variable>,
    /// Normal accounts (only these can own a database, 13.1).
    pub owners: Vec<String>,
    pub can_create: bool,
    pub can_delete: bool,
}

#[cfg(feature = "ssr")]
use crate::error::invalid;

/// A database as the page shows it. (The typed answer carries no collation or ctype
/// per database; those stay empty.)
#[cfg(feature = "ssr")]
fn database_row(d: polardb::models::Database) -> DatabaseRow {
    let accounts: Vec<(String, String)> = d
        .accounts
        .account
        .into_iter()
        .map(|a| (a.account_name, a.account_privilege))
        .collect();
    let owner = accounts
        .iter()
        .find(|(_, p)| p == "DBOwner")
        .or(accounts.first())
        .map(|(a, _)| a.clone())
        .unwrap_or_default();
    DatabaseRow {
        name: d.db_name,
        status: d.db_status,
        description: d.db_description,
        charset: d.character_set_name,
        collate: String::new(),
        ctype: String::new(),
        owner,
        accounts,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_names_follow_the_reference() {
        assert_eq!(db_name_problem("test_db"), None);
        assert_eq!(db_name_problem("orders-2024"), None);
        assert!(db_name_problem("testDB").unwrap().contains("lowercase"));
        assert!(db_name_problem("_x").unwrap().contains("start"));
        assert!(db_name_problem("x-").unwrap().contains("end"));
        assert!(db_name_problem(&"a".repeat(65)).unwrap().contains("64"));
        assert!(db_name_problem("").is_some());
        assert!(db_name_problem("postgres").unwrap().contains("reserved"));
        assert!(db_name_problem("template1").unwrap().contains("reserved"));
    }
}
