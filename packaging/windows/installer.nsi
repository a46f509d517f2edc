; Patient Companion installer (NSIS). Built by scripts/dist.sh with:
;   makensis -DVERSION=x.y.z -DVERSION4=x.y.z.0 -DCLINIC="Clinic name" -DSRC=dir -DOUT=file installer.nsi
; SRC holds companion.exe (the window), companion-cli.exe (commands, a console program)
; and companion.ico. Silent install for clinic IT: installer.exe /S
; The uninstaller removes the program only: patients' data in %LOCALAPPDATA%\PatientCompanion
; and their keys in the Windows Credential Manager stay.

Unicode true
!include "MUI2.nsh"

Name "Patient Companion"
OutFile "${OUT}"
InstallDir "$PROGRAMFILES64\Patient Companion"
InstallDirRegKey HKLM "Software\PatientCompanion" "InstallDir"
RequestExecutionLevel admin
SetCompressor /SOLID lzma

VIProductVersion "${VERSION4}"
VIAddVersionKey "ProductName" "Patient Companion"
VIAddVersionKey "CompanyName" "${CLINIC}"
VIAddVersionKey "FileDescription" "Patient Companion installer (${CLINIC})"
VIAddVersionKey "FileVersion" "${VERSION}"
VIAddVersionKey "ProductVersion" "${VERSION}"
VIAddVersionKey "LegalCopyright" "Patient Companion"

!define MUI_ICON "${SRC}\companion.ico"
!define MUI_UNICON "${SRC}\companion.ico"
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "English"

Section "Patient Companion" SecMain
  SetOutPath "$INSTDIR"
  ; Quit a running copy first, so its files can be replaced (it reminds again at next start).
  nsExec::Exec 'taskkill /IM companion.exe /F'
  File "${SRC}\companion.exe"
  File "${SRC}\companion-cli.exe"
  File "${SRC}\companion.ico"
  WriteUninstaller "$INSTDIR\uninstall.exe"
  CreateDirectory "$SMPROGRAMS\Patient Companion"
  CreateShortCut "$SMPROGRAMS\Patient Companion\Patient Companion.lnk" "$INSTDIR\companion.exe" "" "$INSTDIR\companion.ico"
  CreateShortCut "$SMPROGRAMS\Patient Companion\Uninstall Patient Companion.lnk" "$INSTDIR\uninstall.exe"
  WriteRegStr HKLM "Software\PatientCompanion" "InstallDir" "$INSTDIR"
  WriteRegStr HKLM "Software\Microsoft\Windows\CurrentVersion\Uninstall\PatientCompanion" "DisplayName" "Patient Companion (${CLINIC})"
  WriteRegStr HKLM "Software\Microsoft\Windows\CurrentVersion\Uninstall\PatientCompanion" "DisplayVersion" "${VERSION}"
  WriteRegStr HKLM "Software\Microsoft\Windows\CurrentVersion\Uninstall\PatientCompanion" "Publisher" "${CLINIC}"
  WriteRegStr HKLM "Software\Microsoft\Windows\CurrentVersion\Uninstall\PatientCompanion" "DisplayIcon" "$INSTDIR\companion.ico"
  WriteRegStr HKLM "Software\Microsoft\Windows\CurrentVersion\Uninstall\PatientCompanion" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKLM "Software\Microsoft\Windows\CurrentVersion\Uninstall\PatientCompanion" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKLM "Software\Microsoft\Windows\CurrentVersion\Uninstall\PatientCompanion" "NoModify" 1
  WriteRegDWORD HKLM "Software\Microsoft\Windows\CurrentVersion\Uninstall\PatientCompanion" "NoRepair" 1
SectionEnd

Section "Uninstall"
  nsExec::Exec 'taskkill /IM companion.exe /F'
  Delete "$INSTDIR\companion.exe"
  Delete "$INSTDIR\companion-cli.exe"
  Delete "$INSTDIR\companion.ico"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  Delete "$SMPROGRAMS\Patient Companion\Patient Companion.lnk"
  Delete "$SMPROGRAMS\Patient Companion\Uninstall Patient Companion.lnk"
  RMDir "$SMPROGRAMS\Patient Companion"
  ; The login entry the app wrote for this user.
  DeleteRegValue HKCU "Software\Microsoft\Windows\CurrentVersion\Run" "PatientCompanion"
  DeleteRegKey HKLM "Software\Microsoft\Windows\CurrentVersion\Uninstall\PatientCompanion"
  DeleteRegKey HKLM "Software\PatientCompanion"
  ; Patients' data (%LOCALAPPDATA%\PatientCompanion) and keys are deliberately kept.
SectionEnd
