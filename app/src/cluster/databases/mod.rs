//! `/clusters/:id/databases`: the databases of a cluster (DescribeDatabases, API reference
//! 13.2) with owner and character set (its answer has no collation or ctype); create (CreateDatabase after
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
use crate::i18n::{t, t_string, use_i18n};
use crate::kit::{
    capitalise, change_error, Column, DataTable, Dialog, DialogActions, Empty, ErrorBox, Loading,
    SortKey,
};
use crate::AppError;
pub use polardb::rules::db_name_problem;

mod page;
mod server;
pub use page::*;
pub use server::*;

/// Privileges the owner account may get (13.1).
pub const PRIVILEGES: &[&str] = &["ReadWrite", "ReadOnly", "DMLOnly", "DDLOnly"];

// ---------------------------------------------------------------------------------------
// Server functions.

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DatabaseRow {
    pub name: String,
    pub status: String,
    pub description: String,
    pub charset: String,
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

/// A database as the page shows it: what DescribeDatabases answers (13.2). Its answer has
/// no collation or ctype per database, so the list shows none.
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
        owner,
        accounts,
    }
}
