//! The emulator's world: regions, clusters and everything inside them, and the clock that
//! moves asynchronous changes along.
//!
//! State changes that take time on the real service (creating a cluster, adding nodes,
//! failing over, ...) are [`Job`]s on their cluster. The world is evaluated lazily: every
//! request first calls [`World::tick`], which completes the jobs whose time has come, starts
//! scheduled tasks that are due and finishes backup jobs, all computed from timestamps.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::util::{fmt_time, hash64};

pub use crate::seed::{default_regions, default_seed, generated_seed};

/// A region and its zones, as DescribeRegions reports them.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RegionDef {
    pub region_id: String,
    pub zones: Vec<String>,
}

fn one() -> i64 {
    1
}

/// One node of a cluster.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Node {
    pub id: String,
    pub class: String,
    pub role: String,
    pub zone_id: String,
    pub status: String,
    /// 1 to 15; the higher, the likelier the node is elected primary on failover.
    #[serde(default = "one")]
    pub failover_priority: i64,
    #[serde(default)]
    pub creation_time: String,
}

/// A tag on a cluster.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TagKv {
    pub key: String,
    pub value: String,
}

/// One connection address of an endpoint.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Address {
    /// `Private` or `Public`.
    pub net_type: String,
    pub prefix: String,
    pub port: String,
    pub ip: String,
    /// The bound private zone connection string, if any.
    #[serde(default)]
    pub private_zone: String,
}

/// An endpoint: the primary endpoint, the default cluster endpoint or a custom one.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Endpoint {
    pub id: String,
    /// `Primary`, `Cluster` or `Custom`.
    pub kind: String,
    #[serde(default)]
    pub description: String,
    /// `ReadWrite` or `ReadOnly`.
    pub read_write_mode: String,
    /// `Enable` or `Disable`.
    pub auto_add_new_nodes: String,
    /// The node ids behind the endpoint.
    pub nodes: Vec<String>,
    #[serde(default)]
    pub endpoint_config: String,
    #[serde(default)]
    pub ssl_enabled: bool,
    #[serde(default)]
    pub ssl_expire_time: String,
    pub addresses: Vec<Address>,
}

impl Endpoint {
    /// The connection string of an address of this endpoint.
    pub fn connection_string(&self, a: &Address) -> String {
        let lb = if self.kind == "Primary" { "" } else { "rwlb." };
        if a.net_type == "Public" {
            format!("{}.{lb}polardb-pg-public.rds.aliyuncs.com", a.prefix)
        } else {
            format!("{}.{lb}pg.polardb.rds.aliyuncs.com", a.prefix)
        }
    }

    pub fn address(&self, net_type: &str) -> Option<&Address> {
        self.addresses.iter().find(|a| a.net_type == net_type)
    }
}

/// An IP whitelist group.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct IpArray {
    pub name: String,
    /// Empty, or `hidden` (not shown in the console).
    #[serde(default)]
    pub attribute: String,
    pub ips: Vec<String>,
    /// Managed by the service itself; cannot be changed through the API.
    #[serde(default)]
    pub system: bool,
}

/// An ECS security group bound to a cluster.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct SecurityGroup {
    pub id: String,
    pub name: String,
}

/// A database account.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct DbAccount {
    pub name: String,
    /// `Super` or `Normal`.
    pub kind: String,
    #[serde(default)]
    pub description: String,
    pub status: String,
    #[serde(default)]
    pub lock_state: String,
    #[serde(default)]
    pub password_changed: String,
}

/// An account's privilege on a database.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Privilege {
    pub account: String,
    pub privilege: String,
}

/// A database.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Database {
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub charset: String,
    pub collate: String,
    pub ctype: String,
    /// The owning account.
    pub owner: String,
    pub status: String,
    #[serde(default)]
    pub privileges: Vec<Privilege>,
}

/// A backup set.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct BackupSet {
    pub id: String,
    pub start_ms: i64,
    pub end_ms: i64,
    pub size: i64,
    /// `Success` or `Failed`.
    pub status: String,
    /// `Automated` or `Manual`.
    pub mode: String,
    /// `Level-1` or `Level-2`.
    pub level: String,
}

/// A backup job in progress (or done).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct BackupJob {
    pub id: String,
    pub mode: String,
    pub started_ms: i64,
    pub step_ms: i64,
    pub done: bool,
}

impl BackupJob {
    pub const STAGES: [&'static str; 3] = ["Preparing", "Uploading", "Checking"];

    pub fn due_ms(&self) -> i64 {
        self.started_ms + self.step_ms.max(1) * Self::STAGES.len() as i64
    }

    /// The stage name and percentage at `now`.
    pub fn progress(&self, now: i64) -> (&'static str, i64) {
        if self.done || now >= self.due_ms() {
            return ("Finished", 100);
        }
        let elapsed = (now - self.started_ms).max(0);
        let total = self.due_ms() - self.started_ms;
        let stage = (elapsed / self.step_ms.max(1)) as usize;
        (
            Self::STAGES[stage.min(Self::STAGES.len() - 1)],
            (elapsed * 100 / total.max(1)).min(99),
        )
    }
}

/// The data backup policy.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default)]
pub struct BackupPolicy {
    pub preferred_backup_period: String,
    pub preferred_backup_time: String,
    pub backup_frequency: String,
    pub backup_retention_policy_on_cluster_deletion: String,
    pub data_level1_backup_frequency: String,
    pub data_level1_backup_retention_period: String,
    pub data_level2_backup_period: String,
    pub data_level2_backup_retention_period: String,
    pub data_level2_backup_another_region_region: String,
    pub data_level2_backup_another_region_retention_period: String,
}

impl Default for BackupPolicy {
    fn default() -> Self {
        BackupPolicy {
            preferred_backup_period: "Monday,Tuesday,Wednesday,Thursday,Friday,Saturday,Sunday"
                .into(),
            preferred_backup_time: "18:00Z-19:00Z".into(),
            backup_frequency: "Normal".into(),
            backup_retention_policy_on_cluster_deletion: "NONE".into(),
            data_level1_backup_frequency: "Normal".into(),
            data_level1_backup_retention_period: "7".into(),
            data_level2_backup_period: String::new(),
            data_level2_backup_retention_period: "0".into(),
            data_level2_backup_another_region_region: String::new(),
            data_level2_backup_another_region_retention_period: "0".into(),
        }
    }
}

/// The log backup policy.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default)]
pub struct LogBackupPolicy {
    pub enable_backup_log: i64,
    pub retention_period: i64,
    pub another_region_region: String,
    pub another_region_retention_period: String,
}

impl Default for LogBackupPolicy {
    fn default() -> Self {
        LogBackupPolicy {
            enable_backup_log: 1,
            retention_period: 7,
            another_region_region: String::new(),
            another_region_retention_period: "0".into(),
        }
    }
}

/// Auto-renewal of a subscription cluster.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default)]
pub struct AutoRenew {
    /// `AutoRenewal`, `Normal` or `NotRenewal`.
    pub status: String,
    pub duration: i64,
    /// `Month` or `Year`.
    pub period_unit: String,
}

impl Default for AutoRenew {
    fn default() -> Self {
        AutoRenew {
            status: "Normal".into(),
            duration: 1,
            period_unit: "Month".into(),
        }
    }
}

/// A pending (or past) maintenance event.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct MaintenanceEvent {
    pub id: i64,
    pub task_type: String,
    /// 2 waiting for a start time, 3 waiting, 4 in progress; history: 5 done, 6 failed, 7 cancelled.
    pub status: i64,
    pub created_time: String,
    pub modified_time: String,
    pub start_time: String,
    pub switch_time: String,
    pub deadline: String,
    pub prepare_interval: String,
    #[serde(default)]
    pub result_info: String,
}

/// What a job (or a scheduled task, when it runs) does.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind")]
pub enum Effect {
    Create,
    AddNodes {
        nodes: Vec<NewNode>,
        endpoints: Vec<String>,
    },
    DeleteNodes {
        nodes: Vec<String>,
    },
    ChangeClass {
        class: String,
    },
    Restart {
        nodes: Vec<String>,
    },
    Failover {
        target: String,
    },
    AddAddress {
        endpoint: String,
        address: Address,
    },
    ModifyAddress {
        endpoint: String,
        net_type: String,
        prefix: Option<String>,
        port: Option<String>,
        private_zone: Option<String>,
    },
    DeleteAddress {
        endpoint: String,
        net_type: String,
    },
    ModifyEndpoint {
        endpoint: String,
        nodes: Option<Vec<String>>,
        read_write_mode: Option<String>,
        auto_add_new_nodes: Option<String>,
        endpoint_config: Option<String>,
        description: Option<String>,
    },
    Ssl {
        endpoints: Vec<String>,
        enabled: Option<bool>,
        renew: bool,
        auto_rotate: Option<String>,
    },
    Parameters {
        values: Vec<(String, String)>,
    },
    MoveZone {
        zone: String,
        vswitch: String,
    },
    Delete {
        retain: String,
    },
}

/// A node to be added by [`Effect::AddNodes`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NewNode {
    pub id: String,
    pub class: String,
    pub zone_id: String,
}

/// A change in progress on a cluster.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Job {
    pub task_id: String,
    /// The API action that started it.
    pub action: String,
    /// The cluster status while it runs.
    pub status: String,
    pub started_ms: i64,
    pub step_ms: i64,
    pub steps: Vec<String>,
    pub effect: Effect,
    /// The scheduled task that started it, if any.
    #[serde(default)]
    pub schedule_task: Option<String>,
}

impl Job {
    pub fn due_ms(&self) -> i64 {
        self.started_ms + self.step_ms.max(1) * self.steps.len().max(1) as i64
    }
}

/// A task started with `PlannedStartTime` (17-01).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ScheduleTask {
    pub task_id: String,
    pub action: String,
    /// `pending`, `executing`, `finish`, `cancel`, `expired`, ...
    pub status: String,
    pub planned_start_ms: i64,
    pub planned_end_ms: i64,
    #[serde(default)]
    pub order_id: String,
    /// The cluster status while the task runs.
    pub job_status: String,
    /// How long the task's job takes once it starts.
    #[serde(default)]
    pub step_ms: i64,
    pub effect: Effect,
}

/// A task DescribeTasks reports (cluster creation).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TaskRecord {
    pub task_id: String,
    pub action: String,
    pub begin_ms: i64,
    pub step_ms: i64,
    pub steps: Vec<String>,
}

impl TaskRecord {
    pub fn end_ms(&self) -> i64 {
        self.begin_ms + self.step_ms.max(1) * self.steps.len().max(1) as i64
    }
}

fn default_maintain_time() -> String {
    "18:00Z-19:00Z".into()
}

fn default_resource_group() -> String {
    "rg-acfmyxdp6ttgcri".into()
}

fn default_period() -> String {
    "60".into()
}

/// One cluster.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Cluster {
    pub id: String,
    pub description: String,
    pub status: String,
    pub db_version: String,
    pub region_id: String,
    pub zone_id: String,
    pub vpc_id: String,
    pub vswitch_id: String,
    pub pay_type: String,
    pub create_time: String,
    #[serde(default)]
    pub expire_time: String,
    pub lock_mode: String,
    pub deletion_lock: i32,
    pub category: String,
    pub storage_used: i64,
    pub nodes: Vec<Node>,
    #[serde(default)]
    pub tags: Vec<TagKv>,
    #[serde(default = "default_maintain_time")]
    pub maintain_time: String,
    #[serde(default = "default_resource_group")]
    pub resource_group_id: String,
    #[serde(default)]
    pub auto_renew: AutoRenew,
    #[serde(default)]
    pub endpoints: Vec<Endpoint>,
    /// Parameters changed from their defaults.
    #[serde(default)]
    pub parameters: BTreeMap<String, String>,
    #[serde(default)]
    pub whitelists: Vec<IpArray>,
    #[serde(default)]
    pub security_groups: Vec<SecurityGroup>,
    /// `Enable` or `Disable`.
    #[serde(default)]
    pub ssl_auto_rotate: String,
    /// `Enable` or `Disabled`.
    #[serde(default)]
    pub audit_collector: String,
    #[serde(default)]
    pub accounts: Vec<DbAccount>,
    #[serde(default)]
    pub databases: Vec<Database>,
    #[serde(default)]
    pub backups: Vec<BackupSet>,
    #[serde(default)]
    pub backup_jobs: Vec<BackupJob>,
    #[serde(default)]
    pub backup_policy: BackupPolicy,
    #[serde(default)]
    pub log_backup_policy: LogBackupPolicy,
    #[serde(default)]
    pub maintenance: Vec<MaintenanceEvent>,
    #[serde(default)]
    pub schedule_tasks: Vec<ScheduleTask>,
    /// Monitoring interval in seconds: `5` or `60`.
    #[serde(default = "default_period")]
    pub monitor_period: String,
    #[serde(default)]
    pub tasks: Vec<TaskRecord>,
    #[serde(default)]
    pub job: Option<Job>,
    #[serde(default)]
    pub tde_enabled: bool,
}

impl Cluster {
    pub fn is_running(&self) -> bool {
        self.status == "Running" && self.job.is_none()
    }

    pub fn writer(&self) -> Option<&Node> {
        self.nodes.iter().find(|n| n.role == "Writer")
    }

    pub fn class(&self) -> String {
        self.writer()
            .or(self.nodes.first())
            .map(|n| n.class.clone())
            .unwrap_or_default()
    }

    /// Role names the PostgreSQL engine uses for endpoint nodes: `Writer`, `Reader1`, ...
    pub fn role_name(&self, node_id: &str) -> String {
        let mut reader = 0;
        for n in &self.nodes {
            if n.role == "Writer" {
                if n.id == node_id {
                    return "Writer".into();
                }
            } else {
                reader += 1;
                if n.id == node_id {
                    return format!("Reader{reader}");
                }
            }
        }
        String::new()
    }

    /// A node named by its id or its role name.
    pub fn resolve_node(&self, name: &str) -> Option<String> {
        let name = name.trim();
        if let Some(n) = self.nodes.iter().find(|n| n.id == name) {
            return Some(n.id.clone());
        }
        self.nodes
            .iter()
            .find(|n| self.role_name(&n.id).eq_ignore_ascii_case(name))
            .map(|n| n.id.clone())
    }

    pub fn endpoint(&self, id: &str) -> Option<&Endpoint> {
        self.endpoints.iter().find(|e| e.id == id)
    }

    pub fn endpoint_mut(&mut self, id: &str) -> Option<&mut Endpoint> {
        self.endpoints.iter_mut().find(|e| e.id == id)
    }

    /// The value of a parameter: changed or default.
    pub fn parameter(&self, def: &crate::catalog::ParamDef) -> String {
        self.parameters
            .get(def.name)
            .cloned()
            .unwrap_or_else(|| def.default.to_string())
    }

    /// Fills in what a seed file may leave out (endpoints, whitelist, timestamps).
    pub fn complete(&mut self, n: u64) {
        if self.maintain_time.is_empty() {
            self.maintain_time = default_maintain_time();
        }
        if self.monitor_period.is_empty() {
            self.monitor_period = default_period();
        }
        if self.ssl_auto_rotate.is_empty() {
            self.ssl_auto_rotate = "Disable".into();
        }
        if self.audit_collector.is_empty() {
            self.audit_collector = "Disabled".into();
        }
        if self.resource_group_id.is_empty() {
            self.resource_group_id = default_resource_group();
        }
        for node in &mut self.nodes {
            if node.creation_time.is_empty() {
                node.creation_time = self.create_time.clone();
            }
            if node.failover_priority == 0 {
                node.failover_priority = 1;
            }
        }
        if self.whitelists.is_empty() {
            self.whitelists.push(IpArray {
                name: "default".into(),
                attribute: String::new(),
                ips: vec!["127.0.0.1".into()],
                system: false,
            });
        }
        if !self.whitelists.iter().any(|w| w.system) {
            self.whitelists.push(IpArray {
                name: "polardb_osc".into(),
                attribute: "hidden".into(),
                ips: vec!["100.104.0.0/16".into(), "11.195.0.0/16".into()],
                system: true,
            });
        }
        if self.endpoints.is_empty() {
            let all: Vec<String> = self.nodes.iter().map(|x| x.id.clone()).collect();
            let writer = self
                .writer()
                .map(|w| vec![w.id.clone()])
                .unwrap_or_default();
            let ip = |k: u64| {
                let h = hash64(&[&self.id, &k.to_string()]);
                format!("172.16.{}.{}", (h >> 8) % 250 + 1, h % 250 + 2)
            };
            self.endpoints = vec![
                Endpoint {
                    id: id("pe-", n * 10 + 1_000_001),
                    kind: "Primary".into(),
                    description: String::new(),
                    read_write_mode: "ReadWrite".into(),
                    auto_add_new_nodes: "Disable".into(),
                    nodes: writer,
                    endpoint_config: "{}".into(),
                    ssl_enabled: false,
                    ssl_expire_time: String::new(),
                    addresses: vec![Address {
                        net_type: "Private".into(),
                        prefix: self.id.clone(),
                        port: "5432".into(),
                        ip: ip(1),
                        private_zone: String::new(),
                    }],
                },
                Endpoint {
                    id: id("pe-", n * 10 + 1_000_002),
                    kind: "Cluster".into(),
                    description: String::new(),
                    read_write_mode: "ReadWrite".into(),
                    auto_add_new_nodes: "Enable".into(),
                    nodes: all,
                    endpoint_config: "{\"ConsistLevel\":\"1\"}".into(),
                    ssl_enabled: false,
                    ssl_expire_time: String::new(),
                    addresses: vec![Address {
                        net_type: "Private".into(),
                        prefix: self.id.clone(),
                        port: "5432".into(),
                        ip: ip(2),
                        private_zone: String::new(),
                    }],
                },
            ];
        }
    }
}

/// A released cluster whose backups were kept.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DeletedCluster {
    pub cluster: Cluster,
    pub deleted_time: String,
}

/// A whole initial state; what `--state FILE` loads.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Seed {
    pub regions: Vec<RegionDef>,
    pub clusters: Vec<Cluster>,
    /// Released clusters that still have backups.
    #[serde(default)]
    pub deleted_clusters: Vec<DeletedCluster>,
}

/// A remembered answer to a write that carried a ClientToken.
#[derive(Clone, Debug)]
pub struct Idempotent {
    pub fingerprint: u64,
    pub body: Value,
}

/// The live state.
#[derive(Debug)]
pub struct World {
    pub regions: Vec<RegionDef>,
    pub clusters: Vec<Cluster>,
    pub deleted: Vec<DeletedCluster>,
    /// Source of new ids.
    pub seq: u64,
    /// Answers of writes by (action, ClientToken).
    pub idempotency: HashMap<(String, String), Idempotent>,
}

/// Deterministic pseudo-random ids: the same index always gives the same id.
pub fn id(prefix: &str, n: u64) -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut x = n.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xD1B5_4A32_D192_ED03;
    let mut s = String::from(prefix);
    for _ in 0..14 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        s.push(ALPHABET[(x % ALPHABET.len() as u64) as usize] as char);
    }
    s
}

/// A UUID-shaped id from a number (for task ids).
pub fn uuid_like(n: u64) -> String {
    let a = crate::util::mix(n ^ 0x5eed);
    let b = crate::util::mix(a);
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xffff,
        b >> 48,
        b & 0xffff_ffff_ffff
    )
}

impl World {
    pub fn from_seed(seed: &Seed) -> Self {
        let mut clusters = seed.clusters.clone();
        for (i, c) in clusters.iter_mut().enumerate() {
            c.complete(50_000_000 + i as u64);
        }
        World {
            regions: seed.regions.clone(),
            clusters,
            deleted: seed.deleted_clusters.clone(),
            seq: 0,
            idempotency: HashMap::new(),
        }
    }

    /// The next number for new objects.
    pub fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        10_000_000 + self.seq
    }

    pub fn next_id(&mut self, prefix: &str) -> String {
        let n = self.next_seq();
        id(prefix, n)
    }

    /// A numeric id such as backup or order ids.
    pub fn next_number(&mut self, base: u64) -> String {
        let n = self.next_seq();
        (base + n).to_string()
    }

    pub fn region(&self, region_id: &str) -> Option<&RegionDef> {
        self.regions.iter().find(|r| r.region_id == region_id)
    }

    pub fn cluster(&self, id: &str) -> Option<&Cluster> {
        self.clusters.iter().find(|c| c.id == id)
    }

    pub fn cluster_index(&self, id: &str) -> Option<usize> {
        self.clusters.iter().position(|c| c.id == id)
    }

    /// The cluster holding a node, and the node's index.
    pub fn node_location(&self, node_id: &str) -> Option<(usize, usize)> {
        self.clusters.iter().enumerate().find_map(|(ci, c)| {
            c.nodes
                .iter()
                .position(|n| n.id == node_id)
                .map(|ni| (ci, ni))
        })
    }

    /// Whether any endpoint address in the world already uses this connection string.
    pub fn connection_string_taken(&self, s: &str) -> bool {
        self.clusters.iter().any(|c| {
            c.endpoints
                .iter()
                .any(|e| e.addresses.iter().any(|a| e.connection_string(a) == s))
        })
    }

    /// Moves every cluster's asynchronous changes along to `now`.
    pub fn tick(&mut self, now: i64) {
        let mut i = 0;
        while i < self.clusters.len() {
            let mut removed = false;
            // When the cluster last became free (a scheduled task cannot start earlier).
            let mut free_since = i64::MIN;
            let mut guard = 0;
            loop {
                guard += 1;
                if guard > 64 {
                    break;
                }
                if let Some(due) = self.clusters[i].job.as_ref().map(Job::due_ms) {
                    if now >= due {
                        let job = self.clusters[i].job.take().expect("job present");
                        if self.finish_job(i, job, due) {
                            removed = true;
                            break;
                        }
                        free_since = due;
                        continue;
                    }
                    break;
                }
                if !self.start_due_schedule(i, now, free_since) {
                    break;
                }
            }
            if removed {
                continue;
            }
            self.finish_backup_jobs(i, now);
            i += 1;
        }
    }

    /// Starts the first scheduled task whose time has come; false when none did.
    fn start_due_schedule(&mut self, i: usize, now: i64, free_since: i64) -> bool {
        let c = &mut self.clusters[i];
        if c.status != "Running" || c.job.is_some() {
            return false;
        }
        let Some(t) = c
            .schedule_tasks
            .iter_mut()
            .filter(|t| t.status == "pending" && t.planned_start_ms <= now)
            .min_by_key(|t| t.planned_start_ms)
        else {
            return false;
        };
        let started = t.planned_start_ms.max(free_since);
        if started > t.planned_end_ms {
            t.status = "expired".into();
            return true;
        }
        t.status = "executing".into();
        let job = Job {
            task_id: t.task_id.clone(),
            action: t.action.clone(),
            status: t.job_status.clone(),
            started_ms: started,
            step_ms: t.step_ms,
            steps: vec![t.action.clone()],
            effect: t.effect.clone(),
            schedule_task: Some(t.task_id.clone()),
        };
        start_job(c, job);
        true
    }

    fn finish_backup_jobs(&mut self, i: usize, now: i64) {
        let due: Vec<(String, String, i64, i64)> = self.clusters[i]
            .backup_jobs
            .iter()
            .filter(|j| !j.done && now >= j.due_ms())
            .map(|j| (j.id.clone(), j.mode.clone(), j.started_ms, j.due_ms()))
            .collect();
        for (job_id, mode, start, end) in due {
            let c = &mut self.clusters[i];
            if let Some(j) = c.backup_jobs.iter_mut().find(|j| j.id == job_id) {
                j.done = true;
            }
            let size = c.storage_used / 2 + (hash64(&[&job_id]) % 50_000_000) as i64;
            c.backups.push(BackupSet {
                id: job_id,
                start_ms: start,
                end_ms: end,
                size,
                status: "Success".into(),
                mode,
                level: "Level-1".into(),
            });
        }
        // Jobs finished long ago are forgotten.
        self.clusters[i]
            .backup_jobs
            .retain(|j| !j.done || now - j.due_ms() < 3_600_000);
    }

    /// Applies a completed job; true when the cluster is gone.
    fn finish_job(&mut self, i: usize, job: Job, done: i64) -> bool {
        let backup_id = self.next_number(1_000_000_000);
        let c = &mut self.clusters[i];
        c.status = "Running".into();
        if let Some(task) = &job.schedule_task {
            if let Some(t) = c.schedule_tasks.iter_mut().find(|t| &t.task_id == task) {
                t.status = "finish".into();
            }
        }
        match job.effect {
            Effect::Create => {
                for n in &mut c.nodes {
                    n.status = "Running".into();
                }
                let size = c.storage_used / 2;
                c.backups.push(BackupSet {
                    id: backup_id,
                    start_ms: done - job.step_ms.max(1),
                    end_ms: done,
                    size,
                    status: "Success".into(),
                    mode: "Automated".into(),
                    level: "Level-1".into(),
                });
            }
            Effect::AddNodes { nodes, endpoints } => {
                let ids: Vec<String> = nodes.iter().map(|n| n.id.clone()).collect();
                for n in &mut c.nodes {
                    if ids.contains(&n.id) {
                        n.status = "Running".into();
                    }
                }
                for e in &mut c.endpoints {
                    if endpoints.contains(&e.id) {
                        for id in &ids {
                            if !e.nodes.contains(id) {
                                e.nodes.push(id.clone());
                            }
                        }
                    }
                }
            }
            Effect::DeleteNodes { nodes } => {
                c.nodes.retain(|n| !nodes.contains(&n.id));
                for e in &mut c.endpoints {
                    e.nodes.retain(|n| !nodes.contains(n));
                }
            }
            Effect::ChangeClass { class } => {
                for n in &mut c.nodes {
                    n.class = class.clone();
                    n.status = "Running".into();
                }
            }
            Effect::Restart { nodes } => {
                for n in &mut c.nodes {
                    if nodes.contains(&n.id) {
                        n.status = "Running".into();
                    }
                }
            }
            Effect::Failover { target } => {
                for n in &mut c.nodes {
                    n.status = "Running".into();
                    if n.id == target {
                        n.role = "Writer".into();
                    } else if n.role == "Writer" {
                        n.role = "Reader".into();
                    }
                }
                if let Some(pos) = c.nodes.iter().position(|n| n.id == target) {
                    let w = c.nodes.remove(pos);
                    c.nodes.insert(0, w);
                }
                for e in &mut c.endpoints {
                    if e.kind == "Primary" {
                        e.nodes = vec![target.clone()];
                    }
                }
            }
            Effect::AddAddress { endpoint, address } => {
                if let Some(e) = c.endpoint_mut(&endpoint) {
                    e.addresses.retain(|a| a.net_type != address.net_type);
                    e.addresses.push(address);
                }
            }
            Effect::ModifyAddress {
                endpoint,
                net_type,
                prefix,
                port,
                private_zone,
            } => {
                if let Some(e) = c.endpoint_mut(&endpoint) {
                    if let Some(a) = e.addresses.iter_mut().find(|a| a.net_type == net_type) {
                        if let Some(p) = prefix {
                            a.prefix = p;
                        }
                        if let Some(p) = port {
                            a.port = p;
                        }
                        if let Some(z) = private_zone {
                            a.private_zone = z;
                        }
                    }
                }
            }
            Effect::DeleteAddress { endpoint, net_type } => {
                if let Some(e) = c.endpoint_mut(&endpoint) {
                    e.addresses.retain(|a| a.net_type != net_type);
                }
            }
            Effect::ModifyEndpoint {
                endpoint,
                nodes,
                read_write_mode,
                auto_add_new_nodes,
                endpoint_config,
                description,
            } => {
                if let Some(e) = c.endpoint_mut(&endpoint) {
                    if let Some(v) = nodes {
                        e.nodes = v;
                    }
                    if let Some(v) = read_write_mode {
                        e.read_write_mode = v;
                    }
                    if let Some(v) = auto_add_new_nodes {
                        e.auto_add_new_nodes = v;
                    }
                    if let Some(v) = endpoint_config {
                        e.endpoint_config = v;
                    }
                    if let Some(v) = description {
                        e.description = v;
                    }
                }
            }
            Effect::Ssl {
                endpoints,
                enabled,
                renew,
                auto_rotate,
            } => {
                let expiry = fmt_time(done + 365 * 86_400_000);
                for e in &mut c.endpoints {
                    if !endpoints.contains(&e.id) {
                        continue;
                    }
                    if let Some(on) = enabled {
                        e.ssl_enabled = on;
                        e.ssl_expire_time = if on { expiry.clone() } else { String::new() };
                    } else if renew && e.ssl_enabled {
                        e.ssl_expire_time = expiry.clone();
                    }
                }
                if let Some(r) = auto_rotate {
                    c.ssl_auto_rotate = r;
                }
            }
            Effect::Parameters { values } => {
                for (k, v) in values {
                    c.parameters.insert(k, v);
                }
                for n in &mut c.nodes {
                    n.status = "Running".into();
                }
            }
            Effect::MoveZone { zone, vswitch } => {
                c.zone_id = zone.clone();
                if !vswitch.is_empty() {
                    c.vswitch_id = vswitch;
                }
                for n in &mut c.nodes {
                    n.zone_id = zone.clone();
                    n.status = "Running".into();
                }
            }
            Effect::Delete { retain } => {
                let mut gone = self.clusters.remove(i);
                gone.status = "Deleted".into();
                match retain.as_str() {
                    "ALL" => {}
                    "LATEST" => {
                        gone.backups.sort_by_key(|b| b.end_ms);
                        let last = gone.backups.pop();
                        gone.backups = last.into_iter().collect();
                    }
                    _ => gone.backups.clear(),
                }
                if !gone.backups.is_empty() {
                    for b in &mut gone.backups {
                        b.level = "Level-2".into();
                    }
                    self.deleted.push(DeletedCluster {
                        cluster: gone,
                        deleted_time: fmt_time(done),
                    });
                }
                return true;
            }
        }
        false
    }
}

/// Puts a job on a cluster: the cluster and the nodes concerned take their busy states.
pub fn start_job(c: &mut Cluster, job: Job) {
    c.status = job.status.clone();
    match &job.effect {
        Effect::Create => {
            for n in &mut c.nodes {
                n.status = "Creating".into();
            }
        }
        Effect::AddNodes { nodes, .. } => {
            for new in nodes {
                if !c.nodes.iter().any(|n| n.id == new.id) {
                    c.nodes.push(Node {
                        id: new.id.clone(),
                        class: new.class.clone(),
                        role: "Reader".into(),
                        zone_id: new.zone_id.clone(),
                        status: "Creating".into(),
                        failover_priority: 1,
                        creation_time: fmt_time(job.started_ms),
                    });
                }
            }
        }
        Effect::DeleteNodes { nodes } => {
            for n in &mut c.nodes {
                if nodes.contains(&n.id) {
                    n.status = "Deleting".into();
                }
            }
        }
        Effect::ChangeClass { .. } => {
            for n in &mut c.nodes {
                n.status = "ClassChanging".into();
            }
        }
        Effect::Restart { nodes } => {
            for n in &mut c.nodes {
                if nodes.contains(&n.id) {
                    n.status = "Rebooting".into();
                }
            }
        }
        Effect::Failover { target } => {
            for n in &mut c.nodes {
                if &n.id == target || n.role == "Writer" {
                    n.status = "Switching".into();
                }
            }
        }
        Effect::Parameters { .. } => {
            for n in &mut c.nodes {
                n.status = "Rebooting".into();
            }
        }
        _ => {}
    }
    c.job = Some(job);
}
