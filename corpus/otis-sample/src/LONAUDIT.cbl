      *****************************************************************
      * PROGRAM:     LONAUDIT
      * DESCRIPTION: WRITES AUDIT TRAIL RECORDS. APPENDS ONE RECORD PER
      *              CHANGE TO A LOAN: ACCOUNT, AMOUNT, DATE AND TIME.
      *****************************************************************
       IDENTIFICATION DIVISION.
       PROGRAM-ID. LONAUDIT.
       ENVIRONMENT DIVISION.
       INPUT-OUTPUT SECTION.
       FILE-CONTROL.
           SELECT AUDIT-FILE ASSIGN TO "LNAUDIT"
               ORGANIZATION IS LINE SEQUENTIAL.
       DATA DIVISION.
       FILE SECTION.
       FD  AUDIT-FILE.
           COPY AUDREC.
       LINKAGE SECTION.
       01  LK-ACCOUNT-NO           PIC X(10).
       01  LK-AMOUNT               PIC S9(9)V99.
       PROCEDURE DIVISION USING LK-ACCOUNT-NO LK-AMOUNT.
       0000-MAIN.
           OPEN EXTEND AUDIT-FILE
           MOVE LK-ACCOUNT-NO TO AUD-ACCOUNT-NO
           MOVE LK-AMOUNT TO AUD-AMOUNT
           ACCEPT AUD-DATE FROM DATE YYYYMMDD
           ACCEPT AUD-TIME FROM TIME
           WRITE AUD-REC
           CLOSE AUDIT-FILE
           GOBACK.
