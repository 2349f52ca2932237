//! `mekiki install`, `uninstall` and `doctor` in a temporary home directory (Linux locations).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;

use crate::{EXTENSION_ID, mekiki};

fn in_home(home: &Path, args: &[&str]) -> Output {
    mekiki().args(args).env("HOME", home).output().expect("mekiki runs")
}

fn manifest_in(home: &Path) -> PathBuf {
    home.join(".mozilla/native-messaging-hosts/mekiki.json")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn dry_run_names_the_per_user_location_and_writes_nothing() {
    let output = in_home(Path::new("/tmp/x"), &["install", "--dry-run"]);
    assert_eq!(output.status.code(), Some(0));
    assert!(
        text(&output.stdout).contains("/tmp/x/.mozilla/native-messaging-hosts/mekiki.json"),
        "{}",
        text(&output.stdout)
    );

    let home = tempfile::tempdir().unwrap();
    let output = in_home(home.path(), &["install", "--dry-run"]);
    let shown = text(&output.stdout);
    assert!(shown.contains(&manifest_in(home.path()).display().to_string()));
    assert!(shown.contains(EXTENSION_ID) && shown.contains("\"type\": \"stdio\""), "{shown}");
    assert!(!home.path().join(".mozilla").exists());
}

#[test]
fn install_then_uninstall() {
    let home = tempfile::tempdir().unwrap();
    let output = in_home(home.path(), &["install"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let manifest: Value = serde_json::from_str(&fs::read_to_string(manifest_in(home.path())).unwrap()).unwrap();
    let exe = fs::canonicalize(env!("CARGO_BIN_EXE_mekiki")).unwrap();
    assert_eq!(manifest["name"], "mekiki");
    assert_eq!(manifest["type"], "stdio");
    assert_eq!(manifest["path"], exe.to_str().unwrap());
    assert_eq!(manifest["allowed_extensions"], serde_json::json!([EXTENSION_ID]));

    // Idempotent.
    let again = in_home(home.path(), &["install"]);
    assert_eq!(again.status.code(), Some(0));
    assert!(text(&again.stdout).contains("already installed"));

    assert_eq!(in_home(home.path(), &["uninstall"]).status.code(), Some(0));
    assert!(!manifest_in(home.path()).exists());
    let again = in_home(home.path(), &["uninstall"]);
    assert_eq!(again.status.code(), Some(0));
    assert!(text(&again.stdout).contains("not installed"));
}

#[test]
fn a_foreign_file_is_never_clobbered() {
    let home = tempfile::tempdir().unwrap();
    let path = manifest_in(home.path());
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    for foreign in [
        "my own notes\n",
        r#"{"name":"other-host","description":"x","path":"/bin/x","type":"stdio","allowed_extensions":[]}"#,
    ] {
        fs::write(&path, foreign).unwrap();
        for command in [&["install"][..], &["uninstall"][..]] {
            let output = in_home(home.path(), command);
            assert_eq!(output.status.code(), Some(2), "{command:?} must refuse");
            assert!(text(&output.stderr).contains("refusing"), "{}", text(&output.stderr));
            assert_eq!(fs::read_to_string(&path).unwrap(), foreign);
        }
    }
}

#[test]
fn doctor_passes_after_install() {
    let home = tempfile::tempdir().unwrap();
    assert_eq!(in_home(home.path(), &["install"]).status.code(), Some(0));
    let output = in_home(home.path(), &["doctor"]);
    let report = text(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{report}");
    assert_eq!(report.lines().filter(|l| l.starts_with("OK ")).count(), 4, "{report}");
    assert!(report.contains("answers hello"), "{report}");
    assert!(!report.contains("FAIL"));
}

#[test]
fn doctor_fails_without_install() {
    let home = tempfile::tempdir().unwrap();
    let output = in_home(home.path(), &["doctor"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(text(&output.stdout).starts_with("FAIL"), "{}", text(&output.stdout));
}

#[test]
fn doctor_fails_for_another_extension_id() {
    let home = tempfile::tempdir().unwrap();
    assert_eq!(in_home(home.path(), &["install"]).status.code(), Some(0));
    let output = in_home(home.path(), &["doctor", "--extension-id", "someone-else@example.com"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(text(&output.stdout).contains("FAIL  the manifest allows the extension someone-else@example.com"));
}

#[test]
fn doctor_fails_when_the_executable_does_not_answer_hello() {
    let home = tempfile::tempdir().unwrap();
    let path = manifest_in(home.path());
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    for (exe, why) in [("/bin/true", "without answering"), ("/nonexistent/mekiki", "missing")] {
        let manifest = serde_json::json!({
            "name": "mekiki", "description": "test", "path": exe, "type": "stdio", "allowed_extensions": [EXTENSION_ID]
        });
        fs::write(&path, manifest.to_string()).unwrap();
        let output = in_home(home.path(), &["doctor"]);
        let report = text(&output.stdout);
        assert_eq!(output.status.code(), Some(1), "{report}");
        assert!(report.lines().any(|l| l.starts_with("FAIL") && l.contains(why)), "{report}");
    }
}
