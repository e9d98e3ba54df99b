//! The data table: a list the server sent in full, filtered, sorted and paged in the
//! browser. The caller names the columns (a title, and how a row sorts by it) and renders
//! each row's `<tr>` itself (its cells, data attributes and buttons); the table owns the
//! header with its sort buttons, the filter box, the count and the pager.
//!
//! Before the page is interactive the table shows the first page in the server's order;
//! its controls are disabled and say why, rather than doing nothing.

use std::cmp::Ordering;
use std::sync::Arc;

use leptos::prelude::*;

use super::pager::Pager;
use super::ready::{until_interactive, use_hydrated};
use crate::i18n::{t_string, use_i18n, Locale};

/// What a row sorts by in one column.
#[derive(Clone, Debug, PartialEq)]
pub enum SortKey {
    Number(f64),
    /// Compared without regard to case.
    Text(String),
}

impl SortKey {
    pub fn text(s: impl AsRef<str>) -> Self {
        SortKey::Text(s.as_ref().to_lowercase())
    }

    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (SortKey::Number(a), SortKey::Number(b)) => a.total_cmp(b),
            (SortKey::Text(a), SortKey::Text(b)) => a.cmp(b),
            (SortKey::Number(_), SortKey::Text(_)) => Ordering::Less,
            (SortKey::Text(_), SortKey::Number(_)) => Ordering::Greater,
        }
    }
}

/// A column: its title, and how rows sort by it (`None`: not sortable).
pub struct Column<T> {
    pub title: &'static str,
    pub sort: Option<fn(&T) -> SortKey>,
    /// Right-aligned (numbers).
    pub num: bool,
}

impl<T> Column<T> {
    pub fn new(title: &'static str) -> Self {
        Column {
            title,
            sort: None,
            num: false,
        }
    }

    pub fn sorted_by(mut self, key: fn(&T) -> SortKey) -> Self {
        self.sort = Some(key);
        self
    }

    pub fn numeric(mut self) -> Self {
        self.num = true;
        self
    }
}

/// Which column sorts, and which way.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sort {
    pub column: usize,
    pub descending: bool,
}

impl Sort {
    /// A click on `column`'s header: that column ascending, or the other way if it already
    /// sorts.
    pub fn toggled(current: Option<Sort>, column: usize) -> Sort {
        match current {
            Some(s) if s.column == column => Sort {
                column,
                descending: !s.descending,
            },
            _ => Sort {
                column,
                descending: false,
            },
        }
    }
}

/// The rows to show, in order: those matching every word of `filter` (in `text`, without
/// regard to case), sorted (stably, so ties keep the server's order).
pub fn arrange<T>(
    rows: &[T],
    columns: &[Column<T>],
    text: Option<fn(&T) -> String>,
    filter: &str,
    sort: Option<Sort>,
) -> Vec<usize> {
    let words: Vec<String> = filter.split_whitespace().map(str::to_lowercase).collect();
    let mut shown: Vec<usize> = (0..rows.len())
        .filter(|&i| match text {
            Some(text) if !words.is_empty() => {
                let t = text(&rows[i]).to_lowercase();
                words.iter().all(|w| t.contains(w.as_str()))
            }
            _ => true,
        })
        .collect();
    if let Some(s) = sort {
        if let Some(key) = columns.get(s.column).and_then(|c| c.sort) {
            let keys: Vec<SortKey> = rows.iter().map(key).collect();
            shown.sort_by(|&a, &b| {
                let o = keys[a].cmp(&keys[b]);
                if s.descending {
                    o.reverse()
                } else {
                    o
                }
            });
        }
    }
    shown
}

/// The table. `text` makes a filter box (what a row is searched by); `row` renders one row.
#[component]
pub fn DataTable<T>(
    rows: Vec<T>,
    columns: Vec<Column<T>>,
    row: impl Fn(&T) -> AnyView + Send + Sync + 'static,
    /// `data-testid` of the `<table>`.
    #[prop(into)]
    testid: String,
    /// What is counted, in the singular: "event" in "12 events".
    #[prop(into)]
    noun: String,
    #[prop(optional)] text: Option<fn(&T) -> String>,
    #[prop(optional)] sort: Option<Sort>,
    #[prop(default = 25)] per_page: usize,
) -> impl IntoView
where
    T: Send + Sync + 'static,
{
    let i18n = use_i18n();
    let hydrated = use_hydrated();
    let waiting = move || until_interactive();
    // The noun of a count: English adds an s for several; Chinese counts without plurals.
    let things = {
        let noun = noun.clone();
        move |n: usize| match i18n.get_locale() {
            Locale::en if n != 1 => format!("{noun}s"),
            _ => noun.clone(),
        }
    };
    let filter = RwSignal::new(String::new());
    let sort = RwSignal::new(sort);
    let page = RwSignal::new(0usize);
    let per_page = per_page.max(1);
    let total = rows.len();
    let titles: Vec<(&'static str, bool, bool)> = columns
        .iter()
        .map(|c| (c.title, c.sort.is_some(), c.num))
        .collect();
    let data = Arc::new((rows, columns));
    let shown = {
        let data = data.clone();
        Memo::new(move |_| {
            let (rows, columns) = &*data;
            arrange(rows, columns, text, &filter.get(), sort.get())
        })
    };
    let pages = move || shown.with(|s| s.len().div_ceil(per_page).max(1));
    let heads = titles
        .into_iter()
        .enumerate()
        .map(|(i, (title, sortable, num))| {
            let aria = move || {
                sort.get().filter(|s| s.column == i).map(|s| {
                    if s.descending {
                        "descending"
                    } else {
                        "ascending"
                    }
                })
            };
            let arrow = move || match aria() {
                Some("ascending") => " ▲",
                Some(_) => " ▼",
                None => "",
            };
            view! {
                <th aria-sort=aria class:num=num>
                    {if sortable {
                        view! {
                            <button type="button" class="sort-button" data-testid="sort"
                                disabled=move || !hydrated.get()
                                title=move || if hydrated.get() { t_string!(i18n, kit.sort_by, column = title.to_lowercase()).to_string() } else { waiting().to_string() }
                                on:click=move |_| {
                                    sort.update(|s| *s = Some(Sort::toggled(*s, i)));
                                    page.set(0);
                                }>
                                {title}{arrow}
                            </button>
                        }.into_any()
                    } else {
                        view! { {title} }.into_any()
                    }}
                </th>
            }
        })
        .collect_view();
    let body = {
        let data = data.clone();
        move || {
            let (rows, _) = &*data;
            let p = page.get().min(pages() - 1);
            shown.with(|s| {
                s.iter()
                    .skip(p * per_page)
                    .take(per_page)
                    .map(|&i| row(&rows[i]))
                    .collect_view()
            })
        }
    };
    let count = {
        let things = things.clone();
        move || {
            if filter.with(|f| f.trim().is_empty()) {
                t_string!(i18n, kit.count, total = total, things = things(total)).to_string()
            } else {
                let n = shown.with(Vec::len);
                t_string!(
                    i18n,
                    kit.showing,
                    n = n,
                    total = total,
                    things = things(total)
                )
                .to_string()
            }
        }
    };
    let filter_label = {
        let things = things.clone();
        move || t_string!(i18n, kit.filter, things = things(2)).to_string()
    };
    let pages_label = {
        let things = things.clone();
        move || t_string!(i18n, kit.pages_of, things = things(2)).to_string()
    };
    view! {
        <div class="table-tools">
            {text.is_some().then(|| view! {
                <input type="search" class="table-filter" data-testid="table-filter"
                    placeholder=filter_label.clone() aria-label=filter_label
                    disabled=move || !hydrated.get()
                    title=move || if hydrated.get() { t_string!(i18n, kit.every_word).to_string() } else { waiting().to_string() }
                    prop:value=move || filter.get()
                    on:input=move |ev| {
                        filter.set(event_target_value(&ev));
                        page.set(0);
                    } />
            })}
            <span class="muted" data-testid="table-count">{count}</span>
        </div>
        <div class="table-wrap">
            <table class="grid" data-testid=testid>
                <thead><tr>{heads}</tr></thead>
                <tbody>{body}</tbody>
            </table>
        </div>
        {move || (pages() > 1).then(|| {
            let pages = pages();
            view! {
                <Pager page=Signal::derive(move || (page.get().min(pages - 1) + 1) as u32) pages=pages as u32
                    label=pages_label()
                    on_page=Callback::new(move |p: u32| page.set((p as usize).saturating_sub(1))) />
            }
        })}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct R {
        name: &'static str,
        size: f64,
    }

    fn cols() -> Vec<Column<R>> {
        vec![
            Column::new("Name").sorted_by(|r: &R| SortKey::text(r.name)),
            Column::new("Size")
                .sorted_by(|r: &R| SortKey::Number(r.size))
                .numeric(),
            Column::new("Actions"),
        ]
    }

    fn rows() -> Vec<R> {
        vec![
            R {
                name: "orders-prod",
                size: 10.0,
            },
            R {
                name: "Billing",
                size: 2.5,
            },
            R {
                name: "orders-dev",
                size: 10.0,
            },
            R {
                name: "audit",
                size: 100.0,
            },
        ]
    }

    #[test]
    fn rows_filter_by_every_word_without_case() {
        let text: fn(&R) -> String = |r| r.name.to_string();
        let (rows, cols) = (rows(), cols());
        assert_eq!(
            arrange(&rows, &cols, Some(text), "", None),
            vec![0, 1, 2, 3]
        );
        assert_eq!(
            arrange(&rows, &cols, Some(text), "ORDERS", None),
            vec![0, 2]
        );
        assert_eq!(
            arrange(&rows, &cols, Some(text), "orders dev", None),
            vec![2]
        );
        assert_eq!(
            arrange(&rows, &cols, Some(text), "nothing", None),
            Vec::<usize>::new()
        );
        // Without a filter text the word is ignored.
        assert_eq!(arrange(&rows, &cols, None, "orders", None).len(), 4);
    }

    #[test]
    fn rows_sort_stably_by_text_or_number_either_way() {
        let (rows, cols) = (rows(), cols());
        let by =
            |column, descending| arrange(&rows, &cols, None, "", Some(Sort { column, descending }));
        assert_eq!(
            by(0, false),
            vec![3, 1, 2, 0],
            "text without regard to case"
        );
        assert_eq!(
            by(1, false),
            vec![1, 0, 2, 3],
            "numbers as numbers; ties keep the order"
        );
        assert_eq!(by(1, true), vec![3, 0, 2, 1]);
        assert_eq!(
            by(2, false),
            vec![0, 1, 2, 3],
            "a column without a key keeps the order"
        );
    }

    #[test]
    fn a_header_click_sorts_then_turns_the_order() {
        let first = Sort::toggled(None, 1);
        assert_eq!(
            first,
            Sort {
                column: 1,
                descending: false
            }
        );
        let again = Sort::toggled(Some(first), 1);
        assert!(again.descending);
        assert_eq!(
            Sort::toggled(Some(again), 0),
            Sort {
                column: 0,
                descending: false
            }
        );
    }
}
