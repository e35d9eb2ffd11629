//! `sqlx::migrate!` embeds the migration files at compile time; without this a new or changed
//! migration file would not rebuild the crate, and a local run would test a stale schema.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
