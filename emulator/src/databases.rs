//! Chapter 13: databases.

use polardb::models as m;
use polardb::rules;

use crate::catalog::{charset, locales, CHARSETS};
use crate::handlers::Ctx;
use crate::state::{Cluster, Database, Privilege};
use crate::util::{check_description, ok, paginate, Fault, Res};

const MAX_DATABASES: usize = 500;

/// A database name of the right form (13-01); the rule is the console's too
/// ([`polardb::rules::db_name_problem`]).
pub fn valid_db_name(s: &str) -> bool {
    rules::db_name_form_problem(s).is_none()
}

/// The CheckDBName rules, also applied by CreateDatabase.
fn check_new_name(cl: &Cluster, name: &str) -> Result<(), Fault> {
    if !valid_db_name(name) {
        return Err(Fault::new(
            400,
            "InvalidDBName.Malformed",
            "Specified DB name is not valid.",
        ));
    }
    if rules::reserved_db_name(name) {
        return Err(Fault::new(
            400,
            "InvalidParameter.Keyword",
            "The specified DBName is a reserved keyword.",
        ));
    }
    if cl.databases.iter().any(|d| d.name == name) {
        return Err(Fault::new(
            400,
            "InvalidDBName.Duplicate",
            "Specified DB name already exists.",
        ));
    }
    Ok(())
}

fn locked(cl: &Cluster) -> Result<(), Fault> {
    if cl.lock_mode != "Unlock" {
        return Err(Fault::new(
            403,
            "OperationDenied.LockMode",
            "The Cluster is locked.",
        ));
    }
    Ok(())
}

/// CreateDatabase: for PostgreSQL the description, owner account (a Normal account), its
/// privilege, the collation and the ctype are all required.
pub fn create(c: &mut Ctx) -> Res {
    let i = c.cluster_index()?;
    let p = c.p;
    let name = p.required("DBName")?.to_string();
    let set = p.required("CharacterSetName")?;
    let description = p.required("DBDescription")?.to_string();
    let owner = p.required("AccountName")?.to_string();
    let privilege = p.required("AccountPrivilege")?;
    let collate = p.required("Collate")?.to_string();
    let ctype = p.required("Ctype")?.to_string();
    check_description("DBDescription", &description)?;
    if !["ReadWrite", "ReadOnly", "DMLOnly", "DDLOnly"].contains(&privilege) {
        return Err(Fault::unsupported("AccountPrivilege"));
    }
    let Some(set) = charset(set) else {
        return Err(Fault::invalid("CharacterSetName"));
    };
    if !locales(set).contains(&collate.as_str()) {
        return Err(Fault::invalid_because(
            "Collate",
            &format!("The collation {collate} is not compatible with the character set {set}."),
        ));
    }
    if ctype != collate {
        return Err(Fault::invalid_because(
            "Ctype",
            "The Ctype must be the same as the Collate.",
        ));
    }
    let cl = &c.w.clusters[i];
    check_new_name(cl, &name)?;
    let Some(account) = cl.accounts.iter().find(|a| a.name == owner) else {
        return Err(Fault::new(
            404,
            "InvalidAccountName.NotFound",
            "The specified account does not exist.",
        ));
    };
    if account.kind != "Normal" {
        return Err(Fault::new(
            403,
            "OperationDenied.AccountType",
            "The operation is not permitted due to type of account.",
        ));
    }
    if cl.databases.len() >= MAX_DATABASES {
        return Err(Fault::new(
            400,
            "QuotaExceeded.DBName",
            "The quota of db exceeds.",
        ));
    }
    if !cl.is_running() {
        return Err(Fault::busy());
    }
    locked(cl)?;
    c.w.clusters[i].databases.push(Database {
        name,
        description,
        charset: set.to_string(),
        collate,
        ctype,
        owner: owner.clone(),
        status: "Running".into(),
        privileges: vec![Privilege {
            account: owner,
            privilege: "DBOwner".into(),
        }],
    });
    ok(m::CreateDatabaseResponse::default())
}

/// DescribeDatabases.
pub fn describe(c: &mut Ctx) -> Res {
    let cl = c.cluster()?;
    let name = c.p.opt("DBName");
    let size = c.p.page_size()?;
    let number = c.p.page_number()?;
    let dbs: Vec<m::Database> = cl
        .databases
        .iter()
        .filter(|d| name.is_none_or(|n| n == d.name))
        .map(|d| m::Database {
            accounts: m::DatabaseAccountList {
                account: d
                    .privileges
                    .iter()
                    .map(|p| m::DatabaseAccount {
                        account_name: p.account.clone(),
                        account_privilege: p.privilege.clone(),
                        account_status: "Available".into(),
                        privilege_status: "Empowered".into(),
                    })
                    .collect(),
            },
            character_set_name: d.charset.clone(),
            db_description: d.description.clone(),
            db_name: d.name.clone(),
            db_status: d.status.clone(),
            engine: "PostgreSQL".into(),
            master_id: String::new(),
        })
        .collect();
    let page = paginate(dbs, size, number);
    // The answer's keys are the reference's (13.2): a database's collation and ctype are
    // given at creation and kept, but DescribeDatabases does not return them.
    ok(m::DescribeDatabasesResponse {
        page_number: number as i64,
        page_record_count: page.len() as i64,
        databases: m::DatabaseList { database: page },
        request_id: String::new(),
    })
}

/// DeleteDatabase: the cluster must be Running and unlocked.
pub fn delete(c: &mut Ctx) -> Res {
    let name = c.p.required("DBName")?.to_string();
    let cl = c.cluster_mut()?;
    if !cl.databases.iter().any(|d| d.name == name) {
        return Err(Fault::new(
            404,
            "InvalidDBName.NotFound",
            "The specified database does not exist.",
        ));
    }
    if !cl.is_running() {
        return Err(Fault::busy());
    }
    locked(cl)?;
    cl.databases.retain(|d| d.name != name);
    ok(m::DeleteDatabaseResponse::default())
}

/// CheckDBName: valid, not reserved and not taken.
pub fn check_name(c: &mut Ctx) -> Res {
    let name = c.p.required("DBName")?.to_string();
    let cl = c.cluster()?;
    check_new_name(cl, &name)?;
    ok(m::CheckDBNameResponse {
        db_name: name,
        request_id: String::new(),
    })
}

/// DescribeDBInitializeVariable: the (charset, collate, ctype) combinations.
pub fn initialize_variables(c: &mut Ctx) -> Res {
    let cl = c.cluster()?;
    let variable = CHARSETS
        .iter()
        .flat_map(|set| {
            locales(set)
                .into_iter()
                .map(move |l| m::InitializeVariable {
                    charset: set.to_string(),
                    collate: l.to_string(),
                    ctype: l.to_string(),
                })
        })
        .collect();
    ok(m::DescribeDBInitializeVariableResponse {
        db_type: "PostgreSQL".into(),
        db_version: cl.db_version.clone(),
        request_id: String::new(),
        variables: m::InitializeVariables { variable },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_names_follow_the_reference() {
        assert!(valid_db_name("a"));
        assert!(valid_db_name("test_db"));
        assert!(valid_db_name("orders-2024"));
        assert!(!valid_db_name("testDB"));
        assert!(!valid_db_name("_x"));
        assert!(!valid_db_name("x-"));
        assert!(!valid_db_name(&"a".repeat(65)));
    }
}
