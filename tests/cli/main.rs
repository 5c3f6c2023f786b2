//! The `ksp` binary on fixture folders under `testdata/`, each run into a temporary folder:
//! one test binary, a module per feature (as ripgrep's and zola's suites are laid out).

#[path = "../common/mod.rs"]
mod common;

mod atomic;
mod bad_input;
mod fits;
mod golden;
mod output_folder;
mod reports;
mod reruns;
mod samples;
mod scoring;
