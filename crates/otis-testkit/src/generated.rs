//! A generated COBOL tree for benchmarks, the same for every benchmark that uses it:
//! programs `src/PGMnnnnn.cbl` with a header, a SELECT, two COPYs and a ring of
//! paragraphs that PERFORM each other and CALL other programs, and copybooks
//! `copy/CPYnnnnn.CPY` holding a record layout. At full size it is 8,000 programs and
//! 2,000 copybooks, 10,000 files and about 200 MB; `OTIS_BENCH_SMALL` asks for a small
//! tree, to try a benchmark in a debug build.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The size of a generated tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Generated {
    /// Programs, `PGM00000` on.
    pub programs: usize,
    /// Copybooks, `CPY00000` on.
    pub copybooks: usize,
    /// Paragraphs in each program, `0000-STEP-<program>` on.
    pub paragraphs: usize,
}

impl Generated {
    /// 8,000 programs and 2,000 copybooks: 10,000 files, about 200 MB.
    pub const FULL: Self = Self {
        programs: 8_000,
        copybooks: 2_000,
        paragraphs: 80,
    };

    /// 40 programs and 10 copybooks, for trying a benchmark quickly.
    pub const SMALL: Self = Self {
        programs: 40,
        copybooks: 10,
        paragraphs: 20,
    };

    /// [`Self::SMALL`] when `OTIS_BENCH_SMALL` is set (to anything but `0` or nothing),
    /// else [`Self::FULL`].
    pub fn from_env() -> Self {
        if small_from_env() {
            Self::SMALL
        } else {
            Self::FULL
        }
    }

    /// Files in the tree.
    pub fn files(&self) -> usize {
        self.programs + self.copybooks
    }

    /// The path of program `i` under `root`.
    pub fn program_path(&self, root: &Path, i: usize) -> PathBuf {
        root.join("src").join(format!("PGM{i:05}.cbl"))
    }

    /// The text of program `i`.
    pub fn program(&self, i: usize) -> String {
        let mut text = format!(
            "      *****************************************************************\n      * PROGRAM:     PGM{i:05}\n      * DESCRIPTION: GENERATED PROGRAM {i} FOR THE INDEX BENCHMARK. IT READS\n      *              A TRANSACTION FILE AND UPDATES THE LOAN MASTER.\n      *****************************************************************\n       IDENTIFICATION DIVISION.\n       PROGRAM-ID. PGM{i:05}.\n       ENVIRONMENT DIVISION.\n       FILE-CONTROL.\n           SELECT TRAN-FILE ASSIGN TO \"TRAN{i:05}\".\n       DATA DIVISION.\n       WORKING-STORAGE SECTION.\n           COPY CPY{:05}.\n           COPY \"LIB/CPY{:05}.CPY\".\n       PROCEDURE DIVISION.\n",
            i % self.copybooks,
            (i * 7) % self.copybooks
        );
        for p in 0..self.paragraphs {
            let _ = write!(
                text,
                "       {p:04}-STEP-{i}.\n           MOVE WS-AMOUNT-{p} TO LN-PRINCIPAL\n           ADD WS-FEE-{p} TO LN-FEES-DUE\n           IF LN-FEES-DUE > WS-LIMIT-{p}\n               PERFORM {:04}-STEP-{i}\n           END-IF\n           CALL \"PGM{:05}\" USING LN-ACCOUNT-NO\n           DISPLAY \"STEP {p} OF PROGRAM {i} DONE\".\n",
                (p + 1) % self.paragraphs,
                (i + p + 1) % self.programs
            );
        }
        text
    }

    /// The text of copybook `i`.
    pub fn copybook(&self, i: usize) -> String {
        let mut text =
            format!("      * CPY{i:05} - GENERATED RECORD LAYOUT\n       01  REC-{i}.\n");
        for f in 0..60 {
            let _ = writeln!(
                text,
                "           05  FIELD-{i}-{f:03}      PIC X({}).",
                1 + f % 40
            );
        }
        text
    }

    /// Writes the tree under `root` (`src/` and `copy/`); the bytes written.
    pub fn write(&self, root: &Path) -> std::io::Result<u64> {
        let copy = root.join("copy");
        std::fs::create_dir_all(root.join("src"))?;
        std::fs::create_dir_all(&copy)?;
        let mut bytes = 0;
        for i in 0..self.programs {
            let text = self.program(i);
            bytes += text.len() as u64;
            std::fs::write(self.program_path(root, i), text)?;
        }
        for i in 0..self.copybooks {
            let text = self.copybook(i);
            bytes += text.len() as u64;
            std::fs::write(copy.join(format!("CPY{i:05}.CPY")), text)?;
        }
        Ok(bytes)
    }
}

/// Whether `OTIS_BENCH_SMALL` asks for small sizes (set, and neither empty nor `0`).
pub fn small_from_env() -> bool {
    std::env::var("OTIS_BENCH_SMALL").is_ok_and(|v| !v.is_empty() && v != "0")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_every_file_of_its_size() {
        let root = std::env::temp_dir().join(format!("otis-generated-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let shape = Generated::SMALL;
        let bytes = shape.write(&root).unwrap();
        let count = |dir: &str| std::fs::read_dir(root.join(dir)).unwrap().count();
        assert_eq!(count("src") + count("copy"), shape.files());
        let program = std::fs::read_to_string(shape.program_path(&root, 7)).unwrap();
        assert!(program.contains("PROGRAM-ID. PGM00007."), "{program}");
        assert!(program.contains("COPY CPY00007."), "{program}");
        assert!(bytes > 0);
        let _ = std::fs::remove_dir_all(&root);
    }
}
