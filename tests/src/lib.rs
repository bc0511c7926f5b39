//! Harness for cross-process tests.
