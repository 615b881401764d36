# Runs the Pester suites in the folders given (tests/ps/run calls it) and
# ends with "N passed, N failed, N skipped". Exit status 0 when nothing
# failed, 1 when something did (a test, or a block or file that could not
# run), 3 when Pester 5 is not installed.
param([Parameter(ValueFromRemainingArguments)][string[]]$Path)

$pester = Get-Module -ListAvailable Pester |
	Where-Object { $_.Version.Major -eq 5 } |
	Sort-Object Version -Descending | Select-Object -First 1
if (-not $pester) { exit 3 }
Import-Module $pester.Path
# colour only on a terminal
if ([Console]::IsOutputRedirected) { $PSStyle.OutputRendering = 'PlainText' }

$c = New-PesterConfiguration
$c.Run.Path = $Path
$c.Run.PassThru = $true
$c.Output.Verbosity = if ($env:PESTER_VERBOSITY) { $env:PESTER_VERBOSITY } else { 'Normal' }
$r = Invoke-Pester -Configuration $c
$broken = $r.FailedBlocksCount + $r.FailedContainersCount
$failed = $r.FailedCount + $broken
Write-Host ("powershell: {0} passed, {1} failed, {2} skipped" -f
	$r.PassedCount, $failed, $r.SkippedCount)
if ($failed -gt 0) { exit 1 }
exit 0
