//! What every area shares, and nothing area-specific: states (loading, empty, error),
//! status badges and transitional states, formats, addresses, the error of a change, focus
//! handling and the chart. Areas import from here; the kit imports no area.

pub mod chart;
pub mod feedback;
pub mod focus;
pub mod format;
pub mod href;
pub mod outcomes;
pub mod states;
pub mod status;
pub mod tagging;
pub mod zones;

pub use feedback::{change_error, form_error};
pub use focus::focus_when_mounted;
pub use format::{capitalise, human_bytes, human_time, pay_type_label, role_label, role_short};
pub use href::{cluster_href, top_bar_scope, url_encode, with_scope};
pub use states::{Empty, ErrorBox, Loading, NotFound};
pub use status::{is_transitional, StatusBadge, POLL};
