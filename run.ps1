# Sets everything up (.venv, models) and starts HandCue. Arguments go to `handcue`.
$ErrorActionPreference = "Stop"
Set-Location $PSScriptRoot
& "$PSScriptRoot\installer\setup_env.ps1"
.\.venv\Scripts\handcue.exe @args
exit $LASTEXITCODE
