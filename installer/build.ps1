# Builds the bundled HandCue for Windows: dist\handcue\ (PyInstaller one-folder, models inside,
# handcue.exe for the command line and HandCue.exe without a console window), then, when Inno
# Setup 6 is installed, the installer dist\HandCue-Setup-VERSION.exe from
# installer\windows\handcue.iss. Usage (PowerShell, from anywhere):  installer\build.ps1
# PyInstaller is installed into .venv here; it is a build tool, not a run-time dependency.
$ErrorActionPreference = "Stop"
Set-Location (Split-Path -Parent $PSScriptRoot)
$Root = (Get-Location).Path

& "$Root\installer\setup_env.ps1"
$Py = "$Root\.venv\Scripts\python.exe"
Write-Host "== PyInstaller"
& $Py -m pip install -q --disable-pip-version-check "pyinstaller>=6.10,<7"
if ($LASTEXITCODE -ne 0) { throw "could not install PyInstaller" }
$Version = & $Py -c "import importlib.metadata as m; print(m.version('handcue'))"

Write-Host "== converting the models for the bundle"
# Converted now from the checked MediaPipe members (models\cache, sha256 against the manifest),
# so the bundle ships exactly what this converter makes and the app needs no network.
$Models = "$Root\build\bundle-models"
if (Test-Path $Models) { Remove-Item -Recurse -Force $Models }
New-Item -ItemType Directory -Force "$Models\cache" | Out-Null
if (Test-Path "models\cache") { Copy-Item "models\cache\*" "$Models\cache\" }
$env:HANDCUE_MODELS_DIR = $Models
& "$Root\.venv\Scripts\handcue.exe" models install --force
$code = $LASTEXITCODE
Remove-Item Env:HANDCUE_MODELS_DIR
if ($code -ne 0) { throw "model conversion failed" }

Write-Host "== PyInstaller bundle"
if (Test-Path "dist\handcue") { Remove-Item -Recurse -Force "dist\handcue" }
$env:HANDCUE_BUNDLE_MODELS = $Models
& $Py -m PyInstaller --noconfirm --log-level WARN --distpath dist --workpath build\pyinstaller `
    installer\handcue.spec
$code = $LASTEXITCODE
Remove-Item Env:HANDCUE_BUNDLE_MODELS
if ($code -ne 0) { throw "PyInstaller failed" }
& "dist\handcue\handcue.exe" --version
if ($LASTEXITCODE -ne 0) { throw "the bundled handcue.exe does not start" }
$size = (Get-ChildItem -Recurse "dist\handcue" | Measure-Object -Sum Length).Sum / 1MB
Write-Host ("bundle: dist\handcue ({0:N0} MB)" -f $size)

Write-Host "== installer"
$Iscc = @(
    "${env:ProgramFiles(x86)}\Inno Setup 6\ISCC.exe",
    "$env:ProgramFiles\Inno Setup 6\ISCC.exe",
    "$env:LOCALAPPDATA\Programs\Inno Setup 6\ISCC.exe"
) | Where-Object { Test-Path $_ } | Select-Object -First 1
if (-not $Iscc) {
    Write-Host "Inno Setup 6 not found: install it (winget install JRSoftware.InnoSetup) to build"
    Write-Host "the installer; the bundle in dist\handcue runs as it is."
    exit 0
}
& $Iscc "/DAppVersion=$Version" "/DSourceDir=$Root\dist\handcue" "/O$Root\dist" `
    "installer\windows\handcue.iss"
if ($LASTEXITCODE -ne 0) { throw "Inno Setup failed" }
Write-Host "installer: dist\HandCue-Setup-$Version.exe"
