# Installs Mekiki for the current user on Windows: builds the host in release mode, puts mekiki.exe in
# a user directory ($env:MEKIKI_BIN_DIR, default %LOCALAPPDATA%\Programs\Mekiki), registers it as
# Thunderbird's native-messaging host (`mekiki install`: manifest under %APPDATA%\Mekiki plus the
# HKCU registry key), checks it (`mekiki doctor`) and packages the extension as dist\mekiki.xpi.
# Run from any directory:  powershell -ExecutionPolicy Bypass -File manifests\install.ps1
$ErrorActionPreference = 'Stop'

$repo = Split-Path -Parent $PSScriptRoot
$binDir = if ($env:MEKIKI_BIN_DIR) { $env:MEKIKI_BIN_DIR } else { Join-Path $env:LOCALAPPDATA 'Programs\Mekiki' }
$targetDir = if ($env:CARGO_TARGET_DIR) { $env:CARGO_TARGET_DIR } else { Join-Path $repo 'target' }
$xpi = Join-Path $repo 'dist\mekiki.xpi'

function Fail($message) {
    Write-Error "install.ps1: $message"
    exit 1
}

if (-not (Get-Command cargo -ErrorAction SilentlyContinue)) {
    Fail 'cargo not found: install Rust (https://rustup.rs) and run this again'
}
$extension = Join-Path $repo 'extension'
if (-not (Test-Path (Join-Path $extension 'manifest.json'))) { Fail "$extension\manifest.json is missing" }

Write-Host '==> Building the host (release)'
Push-Location $repo
try {
    cargo build --release -p mekiki
    if ($LASTEXITCODE -ne 0) { Fail 'cargo build failed' }
} finally {
    Pop-Location
}

Write-Host "==> Installing $binDir\mekiki.exe"
New-Item -ItemType Directory -Force -Path $binDir | Out-Null
$exe = Join-Path $binDir 'mekiki.exe'
# A running mekiki.exe cannot be overwritten on Windows, but it can be renamed out of the way.
if (Test-Path $exe) {
    $old = "$exe.old"
    Remove-Item -Force -ErrorAction SilentlyContinue $old
    Move-Item -Force $exe $old
}
Copy-Item (Join-Path $targetDir 'release\mekiki.exe') $exe

Write-Host '==> Registering the native-messaging host'
& $exe install
if ($LASTEXITCODE -ne 0) { Fail 'mekiki install failed' }
& $exe doctor
if ($LASTEXITCODE -ne 0) { Fail 'mekiki doctor found a problem (see above)' }

Write-Host '==> Packaging the extension'
New-Item -ItemType Directory -Force -Path (Join-Path $repo 'dist') | Out-Null
if (Test-Path $xpi) { Remove-Item -Force $xpi }
# Compress-Archive writes backslashes into entry names on Windows PowerShell 5, which Thunderbird
# rejects: build the archive entry by entry with forward slashes instead.
Add-Type -AssemblyName System.IO.Compression
Add-Type -AssemblyName System.IO.Compression.FileSystem
$root = (Resolve-Path $extension).Path.TrimEnd('\') + '\'
$zip = [System.IO.Compression.ZipFile]::Open($xpi, [System.IO.Compression.ZipArchiveMode]::Create)
try {
    Get-ChildItem -Path $extension -Recurse -File |
        Where-Object { $_.FullName.Substring($root.Length) -notmatch '(^|\\)\.' } |
        ForEach-Object {
            $entry = $_.FullName.Substring($root.Length).Replace('\', '/')
            [System.IO.Compression.ZipFileExtensions]::CreateEntryFromFile(
                $zip, $_.FullName, $entry, [System.IO.Compression.CompressionLevel]::Optimal) | Out-Null
        }
} finally {
    $zip.Dispose()
}

Write-Host ''
Write-Host "Mekiki's host is installed. One click is left, in Thunderbird:"
Write-Host '  Add-ons and Themes (menu -> Add-ons and Themes) -> gear icon -> Install Add-on From File...'
Write-Host "  -> $xpi"
Write-Host 'Then open any message: the Mekiki banner appears above it.'
