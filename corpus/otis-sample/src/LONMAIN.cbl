      *****************************************************************
      * PROGRAM:     LONMAIN
      * DESCRIPTION: LOAN SERVICING MENU. SHOWS THE OPERATOR MENU AND
      *              DISPATCHES TO PAYMENT POSTING (LONPF2) OR LATE FEE
      *              ASSESSMENT (LONPF3).
      *****************************************************************
       IDENTIFICATION DIVISION.
       PROGRAM-ID. LONMAIN.
       DATA DIVISION.
       WORKING-STORAGE SECTION.
       01  WS-OPTION               PIC 9 VALUE ZERO.
       PROCEDURE DIVISION.
       0000-MAIN.
           PERFORM 1000-SHOW-MENU UNTIL WS-OPTION = 9
           STOP RUN.
       1000-SHOW-MENU.
           DISPLAY "1 POST PAYMENTS  2 ASSESS LATE FEES  9 EXIT"
           ACCEPT WS-OPTION
           EVALUATE WS-OPTION
               WHEN 1 CALL "LONPF2"
               WHEN 2 CALL "LONPF3"
               WHEN OTHER CONTINUE
           END-EVALUATE.
