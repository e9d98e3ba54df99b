//! `/clusters/:id/…`: one cluster. The frame (title, status, tabs, the cluster read once
//! and shared with the tabs) and one module a tab.

pub mod accounts;
pub mod backups;
pub mod databases;
pub mod endpoints;
pub mod frame;
pub mod head;
pub mod monitoring;
pub mod nodes;
pub mod overview;
pub mod parameters;
pub mod ssl;
pub mod tags;
pub mod whitelists;
