; Inno Setup 6 script for HandCue on Windows. installer\build.ps1 builds the bundle
; (dist\handcue\) and then runs:
;   ISCC.exe /DAppVersion=0.1.0 /DSourceDir=<repo>\dist\handcue /O<repo>\dist installer\windows\handcue.iss
; It installs per user by default (no admin rights needed; the dialog offers all users),
; adds a Start-menu entry, an optional desktop icon, the optional "start at login" choice (the
; same per-user Run value that `handcue autostart on` and the Settings toggle write), and an
; uninstaller that removes all of it. User settings and recorded gestures are kept on uninstall.

#ifndef AppVersion
  #define AppVersion "0.0.0"
#endif
#ifndef SourceDir
  #define SourceDir "..\..\dist\handcue"
#endif

[Setup]
AppId={{6B7C1E52-3E0B-4C55-9E43-1F0B3A7D2C11}
AppName=HandCue
AppVersion={#AppVersion}
AppVerName=HandCue {#AppVersion}
AppPublisher=HandCue developers
DefaultDirName={autopf}\HandCue
DefaultGroupName=HandCue
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
OutputBaseFilename=HandCue-Setup-{#AppVersion}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
UninstallDisplayIcon={app}\HandCue.exe
UninstallDisplayName=HandCue
LicenseFile={#SourceDir}\_internal\resources\licenses\NOTICE.txt
CloseApplications=yes
CloseApplicationsFilter=*.exe

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked
Name: "autostart"; Description: "Start HandCue when I log in (minimised to the tray)"; GroupDescription: "Start at login:"; Flags: unchecked

[Files]
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\HandCue"; Filename: "{app}\HandCue.exe"; Parameters: "gui"; Comment: "Hand gesture control"
Name: "{group}\Uninstall HandCue"; Filename: "{uninstallexe}"
Name: "{autodesktop}\HandCue"; Filename: "{app}\HandCue.exe"; Parameters: "gui"; Tasks: desktopicon

[Registry]
; Per-user Run value, the same name and command as app/desktop/autostart.py (WindowsRunKey) writes, so
; the Settings toggle and `handcue autostart status` see what the installer did.
Root: HKCU; Subkey: "Software\Microsoft\Windows\CurrentVersion\Run"; ValueType: string; ValueName: "HandCue"; ValueData: """{app}\HandCue.exe"" gui --minimised"; Tasks: autostart; Flags: uninsdeletevalue

[Run]
Filename: "{app}\HandCue.exe"; Parameters: "gui"; Description: "{cm:LaunchProgram,HandCue}"; Flags: nowait postinstall skipifsilent

[UninstallRun]
; Turn off start at login even when it was switched on later from the app's Settings.
Filename: "{app}\handcue.exe"; Parameters: "autostart off"; Flags: runhidden; RunOnceId: "HandCueAutostartOff"

[UninstallDelete]
; PyInstaller's bytecode caches and anything else written inside the program folder.
Type: filesandordirs; Name: "{app}\_internal"
Type: dirifempty; Name: "{app}"
