//! `mekiki install`, `uninstall` and `doctor`: register the executable as Thunderbird's native-messaging
//! host `mekiki` (a JSON host manifest where Thunderbird looks for it, plus a registry key on
//! Windows) and check that registration end to end.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use anyhow::{Context as _, Result, bail, ensure};
use serde::{Deserialize, Serialize};

use crate::native::{Frame, read_frame, write_frame};
use crate::protocol::{EXTENSION_ID, HOST_NAME, MAX_REPLY_BYTES, PROTOCOL_VERSION};

/// The host manifest, with placeholders for the executable's path and the extension id.
const MANIFEST_TEMPLATE: &str = include_str!("../../manifests/mekiki.json.in");
/// A file at the manifest's place larger than this is certainly not a host manifest.
const MAX_MANIFEST_BYTES: u64 = 64 * 1024;
/// How long `doctor` waits for the installed host to answer hello.
const HELLO_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Os {
    Linux,
    MacOs,
    Windows,
}

impl Os {
    /// The system this binary runs on; other Unixes use the Linux locations, as Thunderbird does.
    pub fn current() -> Os {
        if cfg!(windows) {
            Os::Windows
        } else if cfg!(target_os = "macos") {
            Os::MacOs
        } else {
            Os::Linux
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// For the current user only; needs no privileges.
    User,
    /// For every user of the machine; needs root or administrator rights.
    System,
}

/// The base directories the manifest location is derived from.
#[derive(Debug, Clone)]
pub struct Dirs {
    pub home: PathBuf,
    /// Windows `%APPDATA%` (roaming application data).
    pub app_data: PathBuf,
    /// Windows `%ProgramData%`.
    pub program_data: PathBuf,
}

impl Dirs {
    /// The current user's directories (`$HOME` is honoured on Unix).
    pub fn from_env() -> Result<Dirs> {
        let base = directories::BaseDirs::new().context("cannot determine the home directory")?;
        let program_data =
            std::env::var_os("ProgramData").map_or_else(|| PathBuf::from(r"C:\ProgramData"), PathBuf::from);
        Ok(Dirs { home: base.home_dir().to_path_buf(), app_data: base.config_dir().to_path_buf(), program_data })
    }
}

/// Where Thunderbird looks for the host manifest `mekiki.json`.
pub fn manifest_path(os: Os, scope: Scope, dirs: &Dirs) -> PathBuf {
    let file = format!("{HOST_NAME}.json");
    match (os, scope) {
        (Os::Linux, Scope::User) => dirs.home.join(".mozilla/native-messaging-hosts").join(file),
        (Os::Linux, Scope::System) => Path::new("/usr/lib/mozilla/native-messaging-hosts").join(file),
        // Thunderbird's own location, not Firefox's `Application Support/Mozilla`.
        (Os::MacOs, Scope::User) => dirs.home.join("Library/Mozilla/NativeMessagingHosts").join(file),
        (Os::MacOs, Scope::System) => Path::new("/Library/Application Support/Mozilla/NativeMessagingHosts").join(file),
        // Windows finds the manifest through the registry; the file can live anywhere.
        (Os::Windows, Scope::User) => dirs.app_data.join("Mekiki").join(file),
        (Os::Windows, Scope::System) => dirs.program_data.join("Mekiki").join(file),
    }
}

/// The registry key whose default value must name the manifest (Windows only).
pub fn registry_key(os: Os, scope: Scope) -> Option<String> {
    let hive = match scope {
        Scope::User => "HKCU",
        Scope::System => "HKLM",
    };
    (os == Os::Windows).then(|| format!(r"{hive}\Software\Mozilla\NativeMessagingHosts\{HOST_NAME}"))
}

/// The `reg.exe` arguments that point `key` at the manifest.
pub fn reg_add_args(key: &str, manifest: &Path) -> Vec<String> {
    let manifest = manifest.display().to_string();
    ["add", key, "/ve", "/t", "REG_SZ", "/d", &manifest, "/f"].map(String::from).to_vec()
}

/// A native-messaging host manifest, as Thunderbird reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HostManifest {
    pub name: String,
    pub description: String,
    pub path: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub allowed_extensions: Vec<String>,
}

/// The manifest text for `exe`, rendered from `manifests/mekiki.json.in`.
pub fn render_manifest(exe: &Path, extension_id: &str) -> Result<String> {
    // The placeholders sit inside JSON strings: substitute JSON-escaped text (Windows paths have `\`).
    let escape = |s: &str| {
        let quoted = serde_json::Value::from(s).to_string();
        quoted[1..quoted.len() - 1].to_string()
    };
    let text = MANIFEST_TEMPLATE
        .replace("@MEKIKI_PATH@", &escape(&exe.display().to_string()))
        .replace("@EXTENSION_ID@", &escape(extension_id));
    let manifest: HostManifest = serde_json::from_str(&text).context("the manifest template is not valid")?;
    ensure!(manifest.name == HOST_NAME && manifest.kind == "stdio", "the manifest template names the wrong host");
    Ok(text)
}

/// What occupies the manifest's place.
#[derive(Debug)]
enum Existing {
    Nothing,
    /// A manifest for the `mekiki` host (from this or another install), with its text.
    Ours(String),
    /// Anything else: never overwritten or removed.
    Foreign(String),
}

fn existing(path: &Path) -> Result<Existing> {
    let meta = match fs::symlink_metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Existing::Nothing),
        Err(e) => return Err(e).with_context(|| format!("cannot inspect {}", path.display())),
    };
    if !meta.is_file() {
        return Ok(Existing::Foreign("it is not a regular file".into()));
    }
    if meta.len() > MAX_MANIFEST_BYTES {
        return Ok(Existing::Foreign("it is too large to be a host manifest".into()));
    }
    let text = fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    Ok(match serde_json::from_str::<HostManifest>(&text) {
        Ok(manifest) if manifest.name == HOST_NAME => Existing::Ours(text),
        Ok(manifest) => Existing::Foreign(format!("it is the manifest of the host `{}`", manifest.name)),
        Err(_) => Existing::Foreign("it is not a host manifest".into()),
    })
}

fn refuse_foreign(path: &Path, why: &str) -> anyhow::Error {
    anyhow::anyhow!("refusing to touch {}: {why}; move it away first if it is not needed", path.display())
}

#[derive(Debug, clap::Args)]
pub struct InstallArgs {
    /// Register for every user of this machine (needs root / administrator).
    #[arg(long)]
    pub system: bool,
    /// Print what would be written, and where, without changing anything.
    #[arg(long)]
    pub dry_run: bool,
    /// The MailExtension allowed to start the host.
    #[arg(long, default_value = EXTENSION_ID)]
    pub extension_id: String,
}

#[derive(Debug, clap::Args)]
pub struct UninstallArgs {
    /// Remove the registration for every user (needs root / administrator).
    #[arg(long)]
    pub system: bool,
}

#[derive(Debug, clap::Args)]
pub struct DoctorArgs {
    /// Check the registration for every user instead of the current user's.
    #[arg(long)]
    pub system: bool,
    /// The MailExtension that must be allowed to start the host.
    #[arg(long, default_value = EXTENSION_ID)]
    pub extension_id: String,
}

fn scope(system: bool) -> Scope {
    if system { Scope::System } else { Scope::User }
}

/// The path of this executable as Thunderbird must start it: absolute, symlinks resolved.
fn current_exe() -> Result<PathBuf> {
    let exe = std::env::current_exe().context("cannot locate the mekiki executable")?;
    let exe = exe.canonicalize().with_context(|| format!("cannot resolve {}", exe.display()))?;
    // The manifest is JSON: the path must be Unicode.
    let text = exe.to_str().with_context(|| format!("the path {} is not valid Unicode", exe.display()))?;
    Ok(PathBuf::from(without_verbatim_prefix(text)))
}

/// Windows' canonical paths start with `\\?\`, which Thunderbird does not accept in a manifest:
/// `\\?\C:\x` becomes `C:\x` (verbatim UNC paths, `\\?\UNC\…`, are left as they are).
fn without_verbatim_prefix(path: &str) -> &str {
    match path.strip_prefix(r"\\?\") {
        Some(rest) if !rest.starts_with(r"UNC\") => rest,
        _ => path,
    }
}

pub fn install(args: &InstallArgs) -> Result<ExitCode> {
    let (os, scope) = (Os::current(), scope(args.system));
    let path = manifest_path(os, scope, &Dirs::from_env()?);
    let text = render_manifest(&current_exe()?, &args.extension_id)?;
    let registry = registry_key(os, scope).map(|key| reg_add_args(&key, &path));
    let mut out = io::stdout().lock();
    if args.dry_run {
        writeln!(out, "would write {}:\n{text}", path.display())?;
        if let Some(reg) = registry {
            writeln!(out, "would run: reg {}", reg.join(" "))?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    match existing(&path)? {
        Existing::Foreign(why) => return Err(refuse_foreign(&path, &why)),
        Existing::Ours(current) if current == text => writeln!(out, "already installed: {}", path.display())?,
        Existing::Ours(_) | Existing::Nothing => {
            write_atomically(&path, &text)?;
            writeln!(out, "installed: {}", path.display())?;
        }
    }
    if let Some(reg) = registry {
        run_reg(&reg)?;
        writeln!(out, "registered: {}", reg[1])?;
    }
    Ok(ExitCode::SUCCESS)
}

pub fn uninstall(args: &UninstallArgs) -> Result<ExitCode> {
    let (os, scope) = (Os::current(), scope(args.system));
    let path = manifest_path(os, scope, &Dirs::from_env()?);
    let mut out = io::stdout().lock();
    match existing(&path)? {
        Existing::Foreign(why) => return Err(refuse_foreign(&path, &why)),
        Existing::Nothing => writeln!(out, "not installed: {}", path.display())?,
        Existing::Ours(_) => {
            fs::remove_file(&path).with_context(|| format!("cannot remove {}", path.display()))?;
            writeln!(out, "removed: {}", path.display())?;
        }
    }
    if let Some(key) = registry_key(os, scope) {
        // Deleting a key that is already gone fails; the outcome is the same, so that is not an error.
        let deleted = Command::new("reg").args(["delete", &key, "/f"]).stdout(Stdio::null()).status();
        if deleted.is_ok_and(|s| s.success()) {
            writeln!(out, "unregistered: {key}")?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn write_atomically(path: &Path, text: &str) -> Result<()> {
    let dir = path.parent().context("the manifest path has no directory")?;
    fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let temp = dir.join(format!(".{HOST_NAME}.json.{}.tmp", std::process::id()));
    fs::write(&temp, text).with_context(|| format!("cannot write {}", temp.display()))?;
    fs::rename(&temp, path).with_context(|| format!("cannot move {} into place", temp.display()))
}

fn run_reg(args: &[String]) -> Result<()> {
    let status = Command::new("reg").args(args).stdout(Stdio::null()).status().context("cannot run reg.exe")?;
    ensure!(status.success(), "reg {} failed ({status})", args.join(" "));
    Ok(())
}

/// Prints `doctor`'s checks one per line and remembers whether any failed.
struct Checks<'a> {
    out: &'a mut dyn Write,
    failed: bool,
}

impl Checks<'_> {
    /// Prints one check; returns whether it passed. `Ok` may carry a detail worth showing.
    fn report(&mut self, what: &str, result: Result<String>) -> io::Result<bool> {
        match result {
            Ok(detail) if detail.is_empty() => writeln!(self.out, "OK    {what}")?,
            Ok(detail) => writeln!(self.out, "OK    {what} ({detail})")?,
            Err(err) => {
                self.failed = true;
                writeln!(self.out, "FAIL  {what}: {err:#}")?;
                return Ok(false);
            }
        }
        Ok(true)
    }
}

pub fn doctor(args: &DoctorArgs) -> Result<ExitCode> {
    let (os, scope) = (Os::current(), scope(args.system));
    let path = manifest_path(os, scope, &Dirs::from_env()?);
    let mut stdout = io::stdout().lock();
    let mut checks = Checks { out: &mut stdout, failed: false };
    let what = format!("host manifest at {}", path.display());
    let manifest = match read_manifest(&path) {
        Ok(manifest) => {
            checks.report(&what, Ok(String::new()))?;
            manifest
        }
        Err(err) => {
            checks.report(&what, Err(err))?;
            return Ok(ExitCode::from(1));
        }
    };
    if let Some(key) = registry_key(os, scope) {
        checks.report(&format!("registry key {key}"), registry_points_at(&key, &path))?;
    }
    let allowed = if manifest.allowed_extensions.contains(&args.extension_id) {
        Ok(String::new())
    } else {
        Err(anyhow::anyhow!("allowed_extensions is {:?}", manifest.allowed_extensions))
    };
    checks.report(&format!("the manifest allows the extension {}", args.extension_id), allowed)?;
    let exe = PathBuf::from(&manifest.path);
    if checks.report(&format!("the host executable {}", exe.display()), executable(&exe).map(|()| String::new()))? {
        checks.report("the host answers hello", hello(&exe, &path, &args.extension_id))?;
    }
    Ok(if checks.failed { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

fn read_manifest(path: &Path) -> Result<HostManifest> {
    let text = match existing(path)? {
        Existing::Nothing => bail!("missing; run `mekiki install`"),
        Existing::Foreign(why) => bail!("{why}"),
        Existing::Ours(text) => text,
    };
    let manifest: HostManifest = serde_json::from_str(&text)?;
    ensure!(manifest.kind == "stdio", "its type is {:?}, not \"stdio\"", manifest.kind);
    Ok(manifest)
}

fn registry_points_at(key: &str, manifest: &Path) -> Result<String> {
    let output = Command::new("reg").args(["query", key, "/ve"]).output().context("cannot run reg.exe")?;
    ensure!(output.status.success(), "missing; run `mekiki install`");
    let text = String::from_utf8_lossy(&output.stdout);
    ensure!(
        text.to_lowercase().contains(&manifest.display().to_string().to_lowercase()),
        "it does not name {}: {}",
        manifest.display(),
        text.trim()
    );
    Ok(String::new())
}

fn executable(exe: &Path) -> Result<()> {
    ensure!(exe.is_absolute(), "the manifest's path is not absolute");
    let meta = fs::metadata(exe).context("missing")?;
    ensure!(meta.is_file(), "not a file");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        ensure!(meta.permissions().mode() & 0o111 != 0, "not executable");
    }
    Ok(())
}

/// Starts the host the way Thunderbird does, sends hello and waits a bounded time for the answer.
fn hello(exe: &Path, manifest: &Path, extension_id: &str) -> Result<String> {
    let mut child = Command::new(exe)
        .arg(manifest)
        .arg(extension_id)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .context("cannot start it")?;
    let (Some(mut stdin), Some(mut stdout)) = (child.stdin.take(), child.stdout.take()) else {
        bail!("no pipes to the host");
    };
    // Closing stdin after the request makes the host exit once it has answered.
    let sent = write_frame(&mut stdin, br#"{"type":"hello"}"#);
    drop(stdin);
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(read_frame(&mut stdout, MAX_REPLY_BYTES as u32));
    });
    let reply = rx.recv_timeout(HELLO_TIMEOUT);
    if reply.is_err() {
        let _ = child.kill();
    }
    let _ = child.wait();
    let frame = reply.map_err(|_| anyhow::anyhow!("no answer within {} s", HELLO_TIMEOUT.as_secs()))?;
    let Some(Frame::Payload(payload)) = frame.context("cannot read the answer")? else {
        // A host that exits at once may not even have read the request (the write then fails).
        let unread = sent.err().map(|e| format!(" (the request was not read: {e})")).unwrap_or_default();
        bail!("it closed the connection without answering{unread}");
    };
    let reply: serde_json::Value = serde_json::from_slice(&payload).context("the answer is not JSON")?;
    ensure!(reply["type"] == "hello", "unexpected answer {reply}");
    ensure!(
        reply["protocol"] == PROTOCOL_VERSION,
        "it speaks protocol {}, this mekiki speaks {PROTOCOL_VERSION}",
        reply["protocol"]
    );
    Ok(format!("version {}", reply["version"].as_str().unwrap_or("?")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dirs() -> Dirs {
        Dirs {
            home: PathBuf::from("/home/u"),
            app_data: PathBuf::from(r"C:\Users\u\AppData\Roaming"),
            program_data: PathBuf::from(r"C:\ProgramData"),
        }
    }

    #[test]
    fn manifest_locations_per_system() {
        let d = dirs();
        let at = |os, scope| manifest_path(os, scope, &d);
        assert_eq!(at(Os::Linux, Scope::User), Path::new("/home/u/.mozilla/native-messaging-hosts/mekiki.json"));
        assert_eq!(at(Os::Linux, Scope::System), Path::new("/usr/lib/mozilla/native-messaging-hosts/mekiki.json"));
        assert_eq!(at(Os::MacOs, Scope::User), Path::new("/home/u/Library/Mozilla/NativeMessagingHosts/mekiki.json"));
        assert_eq!(
            at(Os::MacOs, Scope::System),
            Path::new("/Library/Application Support/Mozilla/NativeMessagingHosts/mekiki.json")
        );
        assert_eq!(at(Os::Windows, Scope::User), d.app_data.join("Mekiki").join("mekiki.json"));
        assert_eq!(at(Os::Windows, Scope::System), d.program_data.join("Mekiki").join("mekiki.json"));
    }

    #[test]
    fn only_windows_uses_the_registry() {
        assert_eq!(registry_key(Os::Linux, Scope::User), None);
        assert_eq!(registry_key(Os::MacOs, Scope::System), None);
        assert_eq!(
            registry_key(Os::Windows, Scope::User).as_deref(),
            Some(r"HKCU\Software\Mozilla\NativeMessagingHosts\mekiki")
        );
        assert_eq!(
            registry_key(Os::Windows, Scope::System).as_deref(),
            Some(r"HKLM\Software\Mozilla\NativeMessagingHosts\mekiki")
        );
        let args = reg_add_args(r"HKCU\Software\Mozilla\NativeMessagingHosts\mekiki", Path::new(r"C:\m\mekiki.json"));
        assert_eq!(
            args,
            [
                "add",
                r"HKCU\Software\Mozilla\NativeMessagingHosts\mekiki",
                "/ve",
                "/t",
                "REG_SZ",
                "/d",
                r"C:\m\mekiki.json",
                "/f"
            ]
        );
    }

    #[test]
    fn windows_verbatim_prefixes_are_dropped() {
        assert_eq!(without_verbatim_prefix(r"\\?\C:\Users\u\mekiki.exe"), r"C:\Users\u\mekiki.exe");
        assert_eq!(without_verbatim_prefix(r"\\?\UNC\server\share\mekiki.exe"), r"\\?\UNC\server\share\mekiki.exe");
        assert_eq!(without_verbatim_prefix("/usr/bin/mekiki"), "/usr/bin/mekiki");
    }

    #[test]
    fn the_template_renders_a_valid_manifest_even_for_awkward_paths() {
        let exe = Path::new(r#"C:\Program Files\Mekiki "x"\mekiki.exe"#);
        let text = render_manifest(exe, EXTENSION_ID).unwrap();
        let manifest: HostManifest = serde_json::from_str(&text).unwrap();
        assert_eq!(
            manifest,
            HostManifest {
                name: "mekiki".into(),
                description: manifest.description.clone(),
                path: exe.display().to_string(),
                kind: "stdio".into(),
                allowed_extensions: vec!["mekiki@mekiki.app".into()],
            }
        );
        assert!(!manifest.description.is_empty());
    }

    #[test]
    fn foreign_files_are_recognized() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("mekiki.json");
        assert!(matches!(existing(&path).unwrap(), Existing::Nothing));
        fs::write(&path, render_manifest(Path::new("/usr/bin/mekiki"), EXTENSION_ID).unwrap()).unwrap();
        assert!(matches!(existing(&path).unwrap(), Existing::Ours(_)));
        fs::write(&path, r#"{"name":"other","description":"","path":"/x","type":"stdio","allowed_extensions":[]}"#)
            .unwrap();
        assert!(matches!(existing(&path).unwrap(), Existing::Foreign(_)));
        fs::write(&path, "my notes").unwrap();
        assert!(matches!(existing(&path).unwrap(), Existing::Foreign(_)));
        fs::remove_file(&path).unwrap();
        fs::create_dir(&path).unwrap();
        assert!(matches!(existing(&path).unwrap(), Existing::Foreign(_)));
    }
}
