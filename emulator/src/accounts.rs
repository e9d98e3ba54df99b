//! Chapter 12: database accounts.

use polardb::models as m;
use polardb::rules::{self, reserved_account_name};

use crate::handlers::Ctx;
use crate::state::{Cluster, DbAccount};
use crate::util::{check_description, fmt_time, ok, paginate, Fault, Res};

const MAX_ACCOUNTS: usize = 200;

/// An account name of the right form (12-01); the rule is the console's too
/// ([`polardb::rules::account_name_problem`]).
pub fn valid_account_name(s: &str) -> bool {
    rules::account_name_form_problem(s).is_none()
}

/// A password of the right form (12-01, 12-05; [`polardb::rules::password_problem`]).
pub fn valid_password(s: &str) -> bool {
    rules::password_problem(s).is_none()
}

/// The CheckAccountName rules, also applied by CreateAccount.
fn check_new_name(cl: &Cluster, name: &str) -> Result<(), Fault> {
    if !valid_account_name(name) {
        return Err(Fault::new(
            400,
            "InvalidAccountName.Malformed",
            "Specified account name is not valid.",
        ));
    }
    if reserved_account_name(name) {
        return Err(Fault::new(
            400,
            "InvalidAccountName.keyword",
            "The specified AccountName is a reserved keyword.",
        ));
    }
    if cl.accounts.iter().any(|a| a.name == name) {
        return Err(Fault::new(
            400,
            "InvalidAccountName.Duplicate",
            "The specified account name already exists.",
        ));
    }
    Ok(())
}

fn account_not_found() -> Fault {
    Fault::new(
        404,
        "InvalidAccountName.NotFound",
        "The specified account does not exist.",
    )
}

const PRIVILEGES: &[&str] = &["ReadWrite", "ReadOnly", "DMLOnly", "DDLOnly", "ReadIndex"];

/// CreateAccount: a Super (default) or Normal account.
pub fn create(c: &mut Ctx) -> Res {
    let i = c.cluster_index()?;
    let name = c.p.required("AccountName")?.to_string();
    let password = c.p.required("AccountPassword")?;
    let kind =
        c.p.enum_opt("AccountType", &["Normal", "Super"])?
            .unwrap_or("Super")
            .to_string();
    let description = c.p.opt("AccountDescription").unwrap_or("").to_string();
    if !description.is_empty() {
        check_description("AccountDescription", &description)?;
    }
    // DBName and AccountPrivilege apply to PolarDB for MySQL only; still checked.
    if let Some(p) = c.p.opt("AccountPrivilege") {
        if p.split(',').any(|x| !PRIVILEGES.contains(&x.trim())) {
            return Err(Fault::unsupported("AccountPrivilege"));
        }
    }
    let cl = &c.w.clusters[i];
    check_new_name(cl, &name)?;
    if !valid_password(password) {
        return Err(Fault::invalid("AccountPassword"));
    }
    if cl.accounts.len() >= MAX_ACCOUNTS {
        return Err(Fault::new(
            403,
            "QuotaExceeded.AccountName",
            "The quota of account exceeds.",
        ));
    }
    if !cl.is_running() {
        return Err(Fault::busy());
    }
    let now = fmt_time(c.now);
    c.w.clusters[i].accounts.push(DbAccount {
        name,
        kind,
        description,
        status: "Available".into(),
        lock_state: "UnLock".into(),
        password_changed: now,
    });
    ok(m::CreateAccountResponse::default())
}

/// DescribeAccounts.
pub fn describe(c: &mut Ctx) -> Res {
    let cl = c.cluster()?;
    let name = c.p.opt("AccountName");
    let size = c.p.page_size()?;
    let number = c.p.page_number()?;
    let accounts: Vec<m::Account> = cl
        .accounts
        .iter()
        .filter(|a| name.is_none_or(|n| n == a.name))
        .map(|a| m::Account {
            account_description: a.description.clone(),
            account_lock_state: a.lock_state.clone(),
            account_name: a.name.clone(),
            account_password_valid_time: String::new(),
            account_status: a.status.clone(),
            account_type: a.kind.clone(),
            database_privileges: if a.kind == "Normal" {
                cl.databases
                    .iter()
                    .flat_map(|d| {
                        d.privileges
                            .iter()
                            .filter(|p| p.account == a.name)
                            .map(|p| m::DatabasePrivilege {
                                account_privilege: p.privilege.clone(),
                                db_name: d.name.clone(),
                            })
                    })
                    .collect()
            } else {
                vec![]
            },
        })
        .collect();
    let page = paginate(accounts, size, number);
    ok(m::DescribeAccountsResponse {
        page_number: number as i64,
        page_record_count: page.len() as i64,
        accounts: page,
        request_id: String::new(),
    })
}

/// ModifyAccountDescription.
pub fn modify_description(c: &mut Ctx) -> Res {
    let description = c.p.required("AccountDescription")?.to_string();
    let name = c.p.required("AccountName")?.to_string();
    check_description("AccountDescription", &description)?;
    let cl = c.cluster_mut()?;
    let a = cl
        .accounts
        .iter_mut()
        .find(|a| a.name == name)
        .ok_or_else(account_not_found)?;
    a.description = description;
    ok(m::ModifyAccountDescriptionResponse::default())
}

/// DeleteAccount: the cluster must be Running; an account owning databases stays.
pub fn delete(c: &mut Ctx) -> Res {
    let name = c.p.required("AccountName")?.to_string();
    let cl = c.cluster_mut()?;
    if !cl.accounts.iter().any(|a| a.name == name) {
        return Err(account_not_found());
    }
    if cl.databases.iter().any(|d| d.owner == name) {
        return Err(Fault::new(
            403,
            "AccountActionForbidden",
            "Some objects depend on the account, so it cannot be deleted.",
        ));
    }
    if !cl.is_running() {
        return Err(Fault::busy());
    }
    cl.accounts.retain(|a| a.name != name);
    for d in &mut cl.databases {
        d.privileges.retain(|p| p.account != name);
    }
    ok(m::DeleteAccountResponse::default())
}

/// ModifyAccountPassword.
pub fn modify_password(c: &mut Ctx) -> Res {
    let name = c.p.required("AccountName")?.to_string();
    let password = c.p.required("NewAccountPassword")?;
    if !valid_password(password) {
        return Err(Fault::invalid("NewAccountPassword"));
    }
    let now = fmt_time(c.now);
    let cl = c.cluster_mut()?;
    if !cl.is_running() {
        return Err(Fault::busy());
    }
    let a = cl
        .accounts
        .iter_mut()
        .find(|a| a.name == name)
        .ok_or_else(account_not_found)?;
    a.password_changed = now;
    ok(m::ModifyAccountPasswordResponse::default())
}

/// CheckAccountName: valid, not reserved and not taken.
pub fn check_name(c: &mut Ctx) -> Res {
    let name = c.p.required("AccountName")?.to_string();
    let cl = c.cluster()?;
    check_new_name(cl, &name)?;
    ok(m::CheckAccountNameResponse::default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_passwords_follow_the_reference() {
        assert!(valid_account_name("test_acc"));
        assert!(valid_account_name("ab"));
        assert!(!valid_account_name("a"));
        assert!(!valid_account_name("Test"));
        assert!(!valid_account_name("1abc"));
        assert!(!valid_account_name("abc_"));
        assert!(!valid_account_name("abcdefghijklmnopq"));
        assert!(reserved_account_name("root"));
        assert!(reserved_account_name("pg_monitor"));
        assert!(valid_password("Test1111"));
        assert!(valid_password("test_1111"));
        assert!(!valid_password("test1111"));
        assert!(!valid_password("Te1!"));
        assert!(!valid_password("Test 1111!"));
        assert!(!valid_password("Test1111~"));
    }
}
