      *****************************************************************
      * PROGRAM:     DATEUTIL
      * DESCRIPTION: DATE ARITHMETIC. RETURNS THE NUMBER OF DAYS BETWEEN
      *              TWO YYYYMMDD DATES (NEGATIVE WHEN THE FIRST IS
      *              EARLIER).
      *****************************************************************
       IDENTIFICATION DIVISION.
       PROGRAM-ID. DATEUTIL.
       DATA DIVISION.
       LINKAGE SECTION.
       01  LK-DATE-1               PIC 9(8).
       01  LK-DATE-2               PIC 9(8).
       01  LK-DAYS                 PIC S9(5).
       PROCEDURE DIVISION USING LK-DATE-1 LK-DATE-2 LK-DAYS.
       0000-MAIN.
           COMPUTE LK-DAYS = FUNCTION INTEGER-OF-DATE (LK-DATE-1)
                           - FUNCTION INTEGER-OF-DATE (LK-DATE-2)
           GOBACK.
