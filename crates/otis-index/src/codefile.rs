//! `code.bin`: the reader's facts of every file, one record per file in path order, so a
//! build writes them as it goes (its memory does not grow with the corpus) and copies an
//! unchanged file's record from the previous build without decoding it.
//!
//! Layout: the magic `OTISCODE`, a version (u32 LE), then records of
//! `[path length u32][path][body length u32][body]`, the body a postcard [`Entry`].

use std::collections::HashMap;
use std::fs::{self, File};
use std::io::{BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use otis_cobol::{Form, SourceFacts};
use serde::{Deserialize, Serialize};

const MAGIC: &[u8; 8] = b"OTISCODE";
const VERSION: u32 = 1;

/// What one file holds for the code model.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) enum Entry {
    /// A program or copybook.
    Source(Box<SourceFacts>),
    /// A screen form file.
    Form(Form),
}

fn invalid(path: &Path, what: &str) -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::InvalidData,
        format!("{}: {what}", path.display()),
    )
}

fn read_u32(input: &mut impl Read) -> std::io::Result<u32> {
    let mut bytes = [0u8; 4];
    input.read_exact(&mut bytes)?;
    Ok(u32::from_le_bytes(bytes))
}

fn header_ok(input: &mut impl Read) -> std::io::Result<bool> {
    let mut magic = [0u8; 8];
    if input.read_exact(&mut magic).is_err() {
        return Ok(false);
    }
    Ok(&magic == MAGIC && read_u32(input)? == VERSION)
}

/// Reads one record; `None` at the end of the file.
fn record(input: &mut impl Read) -> std::io::Result<Option<(String, u32)>> {
    let len = match read_u32(input) {
        Ok(len) => len,
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(e),
    };
    let mut path = vec![0u8; len as usize];
    input.read_exact(&mut path)?;
    let body = read_u32(input)?;
    let path = String::from_utf8(path)
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::InvalidData, "path not UTF-8"))?;
    Ok(Some((path, body)))
}

/// The previous build's records, by path, read on demand.
#[derive(Debug)]
pub(crate) struct Previous {
    file: File,
    records: HashMap<String, (u64, u32)>,
}

impl Previous {
    /// Indexes `path`'s records; `Ok(None)` when there is no usable file (missing, or
    /// written by another version: the build then reads every file again).
    pub(crate) fn open(path: &Path) -> std::io::Result<Option<Self>> {
        let file = match File::open(path) {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e),
        };
        let mut input = BufReader::new(file);
        if !header_ok(&mut input)? {
            return Ok(None);
        }
        let mut records = HashMap::new();
        let mut at: u64 = 12;
        while let Some((name, body)) = record(&mut input)? {
            at += 8 + name.len() as u64;
            records.insert(name, (at, body));
            input.seek_relative(i64::from(body))?;
            at += u64::from(body);
        }
        Ok(Some(Self {
            file: input.into_inner(),
            records,
        }))
    }

    /// The raw body of `path`'s record.
    pub(crate) fn body(&mut self, path: &str) -> std::io::Result<Option<Vec<u8>>> {
        let Some(&(at, len)) = self.records.get(path) else {
            return Ok(None);
        };
        self.file.seek(SeekFrom::Start(at))?;
        let mut body = vec![0u8; len as usize];
        self.file.read_exact(&mut body)?;
        Ok(Some(body))
    }
}

/// Writes a new `code.bin` beside the old one, replacing it on `finish`.
#[derive(Debug)]
pub(crate) struct Writer {
    out: BufWriter<File>,
    tmp: PathBuf,
    path: PathBuf,
}

impl Writer {
    pub(crate) fn create(path: &Path) -> std::io::Result<Self> {
        let tmp = path.with_extension("bin.tmp");
        let mut out = BufWriter::new(File::create(&tmp)?);
        out.write_all(MAGIC)?;
        out.write_all(&VERSION.to_le_bytes())?;
        Ok(Self {
            out,
            tmp,
            path: path.to_owned(),
        })
    }

    /// Appends a record with an already encoded body.
    pub(crate) fn raw(&mut self, path: &str, body: &[u8]) -> std::io::Result<()> {
        let len =
            |n: usize| u32::try_from(n).map_err(|_| invalid(&self.tmp, "record larger than 4 GiB"));
        self.out.write_all(&len(path.len())?.to_le_bytes())?;
        self.out.write_all(path.as_bytes())?;
        self.out.write_all(&len(body.len())?.to_le_bytes())?;
        self.out.write_all(body)
    }

    /// Appends `entry` for `path`.
    pub(crate) fn entry(&mut self, path: &str, entry: &Entry) -> std::io::Result<()> {
        let body = postcard::to_stdvec(entry)
            .map_err(|e| invalid(&self.tmp, &format!("encoding {path}: {e}")))?;
        self.raw(path, &body)
    }

    /// Makes the new file the index's `code.bin`.
    pub(crate) fn finish(self) -> std::io::Result<()> {
        let file = self.out.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        fs::rename(&self.tmp, &self.path)
    }

    /// Drops the new file (nothing changed).
    pub(crate) fn discard(self) -> std::io::Result<()> {
        drop(self.out);
        fs::remove_file(&self.tmp)
    }
}

/// Every record of `path`, decoded: `None` when the file is missing or of another version.
pub(crate) fn read_all(path: &Path) -> std::io::Result<Option<Vec<(String, Entry)>>> {
    let file = match File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let mut input = BufReader::with_capacity(1 << 20, file);
    if !header_ok(&mut input)? {
        return Ok(None);
    }
    let mut out = Vec::new();
    let mut body = Vec::new();
    while let Some((name, len)) = record(&mut input)? {
        body.resize(len as usize, 0);
        input.read_exact(&mut body)?;
        let entry: Entry =
            postcard::from_bytes(&body).map_err(|e| invalid(path, &format!("{name}: {e}")))?;
        out.push((name, entry));
    }
    Ok(Some(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_round_trip_and_copy_raw() {
        let dir = std::env::temp_dir().join(format!("otis-codefile-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let path = dir.join("code.bin");
        let mut writer = Writer::create(&path).unwrap();
        let facts = otis_cobol::read("A/ONE.CBL", "       PROGRAM-ID. ONE.\n");
        writer
            .entry("A/ONE.CBL", &Entry::Source(Box::new(facts.clone())))
            .unwrap();
        writer
            .entry("FM/XX/A/MENU", &Entry::Form(Form::default()))
            .unwrap();
        writer.finish().unwrap();

        let mut previous = Previous::open(&path).unwrap().unwrap();
        assert!(previous.body("FM/XX/A/MENU").unwrap().is_some());
        assert!(previous.body("A/TWO.CBL").unwrap().is_none());
        let raw = previous.body("A/ONE.CBL").unwrap().unwrap();
        let mut again = Writer::create(&dir.join("code2.bin")).unwrap();
        again.raw("A/ONE.CBL", &raw).unwrap();
        again.finish().unwrap();
        let all = read_all(&dir.join("code2.bin")).unwrap().unwrap();
        assert_eq!(all.len(), 1);
        match &all[0] {
            (name, Entry::Source(read)) => {
                assert_eq!(name, "A/ONE.CBL");
                assert_eq!(**read, facts);
            }
            other => panic!("{other:?}"),
        }
        // Another format is not read.
        fs::write(&path, b"something else").unwrap();
        assert!(Previous::open(&path).unwrap().is_none());
        assert!(read_all(&path).unwrap().is_none());
        let _ = fs::remove_dir_all(&dir);
    }
}
