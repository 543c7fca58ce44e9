# Sets everything up (.venv, dev extra, models), then runs the tests. Arguments go to pytest.
$ErrorActionPreference = "Stop"
Set-Location $PSScriptRoot
& "$PSScriptRoot\installer\setup_env.ps1" -Extra dev
.\.venv\Scripts\ruff.exe check app pipeline tests
if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
.\.venv\Scripts\ruff.exe format --check app pipeline tests
if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
.\.venv\Scripts\lint-imports.exe --no-cache
if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
.\.venv\Scripts\python.exe -m mypy
if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
.\.venv\Scripts\python.exe -m pytest -q @args
exit $LASTEXITCODE
