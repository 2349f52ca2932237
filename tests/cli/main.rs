//! Integration tests of the `mekiki` executable: native messaging, CLI, install and doctor.
