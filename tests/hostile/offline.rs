//! Offline: the host never opens a network socket. Proven on the real binary under strace (the CLI
//! and the native-messaging host analyzing the seed phish, whose links are live phishing URLs), with a
//! positive control showing the trace does see sockets, and at the source level.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use base64::Engine as _;
use serde_json::json;

use crate::repo;

fn seed() -> PathBuf {
    repo().join("tests/fixtures/seed-kagoya-phish.eml")
}

/// `strace` for this test; failing (not skipping) when it is missing, because a skipped proof of
/// offline operation is no proof. tests/run-all.sh installs it.
fn strace(trace_file: &Path) -> Command {
    let available = Command::new("strace").arg("-V").output().is_ok_and(|o| o.status.success());
    assert!(
        available,
        "FAILURE: strace is not installed, so offline operation cannot be proven (apt-get install strace)"
    );
    let mut cmd = Command::new("strace");
    cmd.args(["-f", "-qq", "-e", "trace=socket,connect,sendto,bind", "-o"]).arg(trace_file).arg("--");
    cmd
}

/// The traced socket-family calls that reach beyond the machine's local IPC.
fn network_calls(trace: &str) -> Vec<&str> {
    trace.lines().filter(|l| ["AF_INET", "AF_INET6", "AF_PACKET", "AF_NETLINK"].iter().any(|f| l.contains(f))).collect()
}

fn traced(name: &str, run: impl FnOnce(Command) -> std::process::Output) -> String {
    let dir = tempfile::tempdir().unwrap();
    let trace_file = dir.path().join(format!("{name}.strace"));
    let output = run(strace(&trace_file));
    let trace = std::fs::read_to_string(&trace_file).unwrap_or_default();
    assert!(
        output.status.code().is_some_and(|c| c <= 1),
        "{name}: exit {:?}\nstderr: {}\ntrace:\n{trace}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    trace
}

#[test]
fn the_trace_sees_a_network_socket_when_there_is_one() {
    // Positive control: a loopback connection (refused, nothing listens on the discard port) must
    // show up, or an empty trace below would prove nothing.
    let trace = traced("control", |mut cmd| {
        cmd.args(["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/9 || exit 1"]).output().unwrap()
    });
    assert!(!network_calls(&trace).is_empty(), "strace did not record the control socket:\n{trace}");
}

#[test]
fn the_cli_analyzes_the_seed_without_opening_a_socket() {
    let trace = traced("cli", |mut cmd| {
        let output = cmd.arg(env!("CARGO_BIN_EXE_mekiki")).arg("analyze").arg("--json").arg(seed()).output().unwrap();
        let verdict: serde_json::Value = serde_json::from_slice(&output.stdout).expect("a JSON verdict");
        assert_eq!(verdict["level"], "dangerous");
        output
    });
    assert!(network_calls(&trace).is_empty(), "network sockets:\n{trace}");
}

#[test]
fn the_native_host_serves_an_analysis_without_opening_a_socket() {
    let raw = std::fs::read(seed()).unwrap();
    let request = json!({
        "type": "analyze",
        "id": 1,
        "raw": base64::engine::general_purpose::STANDARD.encode(&raw),
        "context": {"identities": ["info@miwamoku.net"], "locale": "ja"},
    })
    .to_string();
    let trace = traced("native", |mut cmd| {
        let mut child = cmd
            .arg(env!("CARGO_BIN_EXE_mekiki"))
            .args(["/home/user/.mozilla/native-messaging-hosts/mekiki.json", "mekiki@mekiki.app"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(&(request.len() as u32).to_ne_bytes()).unwrap();
        stdin.write_all(request.as_bytes()).unwrap();
        drop(stdin);
        let output = child.wait_with_output().unwrap();
        let reply: serde_json::Value = serde_json::from_slice(&output.stdout[4..]).expect("a framed JSON reply");
        assert_eq!(reply["type"], "verdict", "{reply}");
        assert_eq!(reply["verdict"]["level"], "dangerous");
        output
    });
    assert!(network_calls(&trace).is_empty(), "network sockets:\n{trace}");
}

/// Every `.rs` file under `dir`.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files
}

#[test]
fn the_host_source_has_no_networking_code() {
    // Socket types and the paths of HTTP crates; the quoted names catch spawning a download tool.
    const FORBIDDEN: [&str; 13] = [
        "TcpStream",
        "TcpListener",
        "UdpSocket",
        "ToSocketAddrs",
        "to_socket_addrs",
        "tokio::",
        "reqwest::",
        "hyper::",
        "ureq::",
        "curl::",
        "\"curl\"",
        "\"wget\"",
        "\"nc\"",
    ];
    let files = rust_files(&repo().join("host/src"));
    assert!(files.len() > 10, "host/src not found");
    let mut hits = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for (n, line) in text.lines().enumerate() {
            for word in FORBIDDEN.iter().filter(|w| line.contains(*w)) {
                hits.push(format!("{}:{}: {word}: {}", file.display(), n + 1, line.trim()));
            }
        }
    }
    assert!(hits.is_empty(), "networking in the host:\n{}", hits.join("\n"));
}

#[test]
fn no_networking_crate_is_in_the_dependency_tree() {
    const CRATES: [&str; 12] =
        ["reqwest", "hyper", "ureq", "curl", "tokio", "mio", "socket2", "isahc", "surf", "attohttpc", "h2", "rustls"];
    let lock = std::fs::read_to_string(repo().join("Cargo.lock")).unwrap();
    let present: Vec<&str> = CRATES.iter().copied().filter(|c| lock.contains(&format!("name = \"{c}\"\n"))).collect();
    assert!(present.is_empty(), "networking crates in Cargo.lock: {present:?}");
}
