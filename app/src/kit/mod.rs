//! What every area shares, and nothing area-specific: states (loading, empty, error),
//! status badges and transitional states, formats, addresses, the error of a change, the
//! dialog (with its focus handling), form fields with their hints, the data table (filter,
//! sort, pages) and the chart. Areas import from here; the kit imports no area.

pub mod chart;
pub mod dialog;
pub mod feedback;
pub mod field;
pub mod format;
pub mod href;
pub mod language;
pub mod messages;
pub mod outcomes;
pub mod pager;
pub mod planned;
pub mod ready;
pub mod states;
pub mod status;
pub mod table;
pub mod tagging;
pub mod time;
pub mod words;
pub mod zones;

pub use dialog::{ConfirmDialog, Dialog, DialogActions, DialogFooter};
pub use feedback::{change_error, error_words, explain, form_error, one_line};
pub use field::{problem_line, Field, FieldHint, HintTag};
pub use format::{
    capitalise, grouped, human_bytes, human_time, now_secs, pay_type_label, role_label, role_short,
};
pub use href::{clone_href, cluster_href, top_bar_scope, url_encode, with_scope};
pub use messages::{message, message_in};
pub use pager::Pager;
pub use planned::{planned_params, Planned, PlannedWindow};
pub use ready::{use_hydrated, waiting, UNTIL_INTERACTIVE};
pub use states::{Empty, ErrorBox, Loading, NotFound};
pub use status::{is_transitional, StatusBadge, CLUSTER_STATUSES, POLL};
pub use table::{Column, DataTable, Sort, SortKey};
pub use words::{api_error_explanation, api_word, api_word_in, api_word_of, role_word};
