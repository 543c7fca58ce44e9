# Shared set-up for run.ps1 and test.ps1 on Windows: the virtualenv, packages and models.
param([string]$Extra = "")
$ErrorActionPreference = "Stop"
Set-Location (Split-Path -Parent $PSScriptRoot)
if (-not (Test-Path ".venv\Scripts\python.exe")) {
    Write-Host "== creating .venv"
    py -3 -m venv .venv
    if ($LASTEXITCODE -ne 0) { throw "could not create .venv (is Python 3.10+ installed?)" }
}
$spec = "."
if ($Extra) { $spec = ".[$Extra]" }
Write-Host "== installing HandCue $spec into .venv"
.\.venv\Scripts\python.exe -m pip install -q --upgrade pip
.\.venv\Scripts\python.exe -m pip install -q -e $spec
if ($LASTEXITCODE -ne 0) { throw "pip install failed" }
Write-Host "== models"
.\.venv\Scripts\handcue.exe models install
if ($LASTEXITCODE -ne 0) { throw "model install failed" }
