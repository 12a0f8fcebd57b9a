      *****************************************************************
      * PROGRAM:     LONPF3
      * DESCRIPTION: ASSESSES LATE FEES. SCANS THE LOAN MASTER FILE FOR
      *              LOANS PAST THEIR GRACE PERIOD AND ADDS THE LATE FEE
      *              FROM THE FEE TABLE TO THE FEES DUE.
      *****************************************************************
       IDENTIFICATION DIVISION.
       PROGRAM-ID. LONPF3.
       ENVIRONMENT DIVISION.
       INPUT-OUTPUT SECTION.
       FILE-CONTROL.
           SELECT LOAN-MASTER ASSIGN TO "LNMAST"
               ORGANIZATION IS INDEXED
               ACCESS MODE IS SEQUENTIAL
               RECORD KEY IS LN-ACCOUNT-NO.
       DATA DIVISION.
       FILE SECTION.
       FD  LOAN-MASTER.
           COPY LNREC.
       WORKING-STORAGE SECTION.
           COPY FEEREC.
       01  WS-EOF                  PIC X VALUE "N".
       01  WS-TODAY                PIC 9(8).
       01  WS-DAYS-LATE            PIC S9(5) VALUE ZERO.
       PROCEDURE DIVISION.
       0000-MAIN.
           ACCEPT WS-TODAY FROM DATE YYYYMMDD
           OPEN I-O LOAN-MASTER
           PERFORM 2000-ASSESS UNTIL WS-EOF = "Y"
           CLOSE LOAN-MASTER
           GOBACK.
       2000-ASSESS.
           READ LOAN-MASTER NEXT
               AT END MOVE "Y" TO WS-EOF
               NOT AT END PERFORM 2100-CHECK-GRACE
           END-READ.
       2100-CHECK-GRACE.
           CALL "DATEUTIL" USING WS-TODAY LN-DUE-DATE WS-DAYS-LATE
           IF WS-DAYS-LATE > FEE-GRACE-DAYS
               ADD FEE-LATE-AMOUNT TO LN-FEES-DUE
               REWRITE LN-MASTER-REC
               CALL "LONAUDIT" USING LN-ACCOUNT-NO FEE-LATE-AMOUNT
           END-IF.
