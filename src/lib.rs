//! trayscope: find out first when Tray deprecates, retires or changes the connectors your workflows are pinned to.
//!
//! Data flows one way: a [`source`] (Tray's API or a directory) is crawled ([`crawl`]) into the [`store`]; later
//! commands read complete snapshots from the store. The binary is a thin layer over [`cli`].

pub mod api;
pub mod audit;
pub mod call;
pub mod config;
pub mod crawl;
pub mod diff;
pub mod excerpt;
pub mod export;
pub mod files;
pub mod findings;
pub mod history;
pub mod home;
pub mod index;
pub mod model;
pub mod nightly;
pub mod policy;
pub mod refs;
pub mod report;
pub mod source;
pub mod store;
pub mod validate;
