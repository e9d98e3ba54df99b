//! Every cross-crate integration test, in one binary: one link instead of seventeen (each
//! carries the whole console), which keeps a clean build within a CI machine's disk.

mod action_errors;
mod audit;
mod audit_trust;
mod bad_input;
mod change_attack19;
mod change_attack21;
mod change_attack22;
mod change_collect;
mod change_previews;
mod change_settle;
mod changes;
mod cli;
mod clusters_list_overview;
mod connections;
mod db_lanes;
mod deploy;
mod endpoints_parameters;
mod enforcement;
mod identity;
mod local_users;
mod metrics;
mod notifications;
mod outbound;
mod planned;
mod retries;
mod scale_out;
mod sign_in_pressure;
mod vault;
mod walking_skeleton;
