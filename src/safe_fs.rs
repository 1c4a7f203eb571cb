//! File access that a hostile repository cannot turn against the user.
//!
//! mlgen runs in commit hooks and CI on repositories that take pull requests, so a symbolic
//! link, a FIFO or a device may sit where a spec or a generated file is expected. Every read
//! here opens without following a final symbolic link and without blocking on a FIFO, checks
//! the opened file (not the path) is a regular file, and reads at most a cap, never trusting
//! the size the file system reports. Paths inside an output directory are also refused when
//! any folder on the way is a link, so `main -> /etc` cannot redirect a read or a write.
//! Temporary files are created exclusively (`O_EXCL`: a planted link or file at the name makes
//! creation fail instead of being followed) under unpredictable names.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read as _};
use std::path::{Path, PathBuf};

/// Largest generated file `check` and `render` read back from an output directory. mlgen's
/// own files are at most a few hundred KiB; anything larger was not written by mlgen.
pub(crate) const MAX_OUTPUT_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// Why a path cannot be read or written safely.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Unsafe {
    /// The path, or a folder on the way to it, is a symbolic link.
    Link(PathBuf),
    /// A folder on the way is a file or something else that is not a folder.
    NotAFolder(PathBuf),
    /// The path is a folder where a file is expected.
    Folder(PathBuf),
    /// A FIFO, socket or device.
    Special(PathBuf),
    /// Larger than the cap.
    TooLarge(PathBuf, u64),
}

impl std::fmt::Display for Unsafe {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Link(p) => write!(
                f,
                "{} is a symbolic link; mlgen never reads or writes through links (remove it)",
                p.display()
            ),
            Self::NotAFolder(p) => write!(
                f,
                "{} is not a folder; mlgen needs a folder there",
                p.display()
            ),
            Self::Folder(p) => write!(f, "{} is a folder; mlgen needs a file there", p.display()),
            Self::Special(p) => write!(
                f,
                "{} is not a regular file (a FIFO, socket or device); mlgen reads only regular files",
                p.display()
            ),
            Self::TooLarge(p, cap) => write!(
                f,
                "{} is larger than {cap} bytes; mlgen did not write it",
                p.display()
            ),
        }
    }
}

impl std::error::Error for Unsafe {}

/// A read that failed: unsafe, or an I/O error.
#[derive(Debug)]
pub(crate) enum ReadError {
    /// The path is not a plain file mlgen may read.
    Unsafe(Unsafe),
    /// Any other I/O error.
    Io(io::Error),
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Unsafe(u) => u.fmt(f),
            Self::Io(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for ReadError {}

#[cfg(unix)]
fn no_follow_flags() -> i32 {
    libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC
}

/// Opens `path` for reading: a final symbolic link is refused, a FIFO does not block, and the
/// opened file must be a regular file.
fn open_regular(path: &Path) -> Result<File, ReadError> {
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.custom_flags(no_follow_flags());
    }
    let file = match options.open(path) {
        Ok(file) => file,
        // ELOOP is what O_NOFOLLOW gives for a link; say so rather than "too many levels".
        Err(_) if is_link(path) => return Err(ReadError::Unsafe(Unsafe::Link(path.to_owned()))),
        Err(err) => return Err(ReadError::Io(err)),
    };
    let meta = file.metadata().map_err(ReadError::Io)?;
    if meta.is_dir() {
        return Err(ReadError::Unsafe(Unsafe::Folder(path.to_owned())));
    }
    if !meta.is_file() {
        return Err(ReadError::Unsafe(Unsafe::Special(path.to_owned())));
    }
    Ok(file)
}

fn is_link(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
}

/// Reads a regular file of at most `cap` bytes, counting what is read rather than trusting
/// the reported size (files under `/proc` report 0).
pub(crate) fn read_capped(path: &Path, cap: u64) -> Result<Vec<u8>, ReadError> {
    let file = open_regular(path)?;
    let mut bytes = Vec::new();
    file.take(cap + 1)
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() as u64 > cap {
        return Err(ReadError::Unsafe(Unsafe::TooLarge(path.to_owned(), cap)));
    }
    Ok(bytes)
}

/// What sits at a path inside an output directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Found {
    /// Nothing (possibly not even the folders on the way).
    Absent,
    /// A regular file.
    File,
}

/// Checks `out/relative` for a write or a read: every folder on the way must be a real folder
/// or absent, and the path itself a regular file or absent. `out` itself may be a link (the
/// user chose it); nothing below it may be.
pub(crate) fn inspect(out: &Path, relative: &str) -> Result<Found, Unsafe> {
    let mut path = out.to_path_buf();
    let parts: Vec<&str> = relative.split('/').collect();
    let (file, folders) = parts.split_last().expect("split yields at least one part");
    for part in folders {
        path.push(part);
        match fs::symlink_metadata(&path) {
            Ok(meta) if meta.file_type().is_symlink() => return Err(Unsafe::Link(path)),
            Ok(meta) if !meta.is_dir() => return Err(Unsafe::NotAFolder(path)),
            Ok(_) => {}
            Err(_) => return Ok(Found::Absent),
        }
    }
    path.push(file);
    match fs::symlink_metadata(&path) {
        Ok(meta) if meta.file_type().is_symlink() => Err(Unsafe::Link(path)),
        Ok(meta) if meta.is_dir() => Err(Unsafe::Folder(path)),
        Ok(meta) if !meta.is_file() => Err(Unsafe::Special(path)),
        Ok(_) => Ok(Found::File),
        Err(_) => Ok(Found::Absent),
    }
}

/// Reads `out/relative` if it is there: `None` when absent, an error when it is not a regular
/// file reachable without links, or larger than [`MAX_OUTPUT_FILE_BYTES`].
pub(crate) fn read_inside(out: &Path, relative: &str) -> Result<Option<Vec<u8>>, ReadError> {
    match inspect(out, relative).map_err(ReadError::Unsafe)? {
        Found::Absent => Ok(None),
        Found::File => match read_capped(&out.join(relative), MAX_OUTPUT_FILE_BYTES) {
            Ok(bytes) => Ok(Some(bytes)),
            // Removed between the look and the read: absent.
            Err(ReadError::Io(e)) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        },
    }
}

/// An unpredictable token for temporary file names: a planted link cannot be placed at a name
/// nobody knows in advance (and `O_EXCL` refuses it even if it were).
pub(crate) fn random_token() -> String {
    use std::hash::{BuildHasher as _, Hasher as _};
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    // RandomState is seeded from the OS's random source once per process.
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    hasher.write_u32(std::process::id());
    if let Ok(now) = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
        hasher.write_u128(now.as_nanos());
    }
    format!("{:016x}", hasher.finish())
}

/// Name of a temporary file for `file_name`: hidden, with an unpredictable token.
pub(crate) fn temporary_name(file_name: &str) -> String {
    format!(".{file_name}.mlgen-{}.tmp", random_token())
}

/// Writes `base/relative` by a new temporary file created exclusively in the same folder and
/// renamed over it, keeping an existing file's permissions; refuses links and non-files on
/// the way. With `durable`, the file and its folder are synced.
pub(crate) fn replace(
    base: &Path,
    relative: &str,
    bytes: &[u8],
    durable: bool,
) -> anyhow::Result<()> {
    use anyhow::Context as _;
    use std::io::Write as _;
    inspect(base, relative)?;
    let target = base.join(relative);
    let dir = target.parent().unwrap_or(base);
    fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    inspect(base, relative)?;
    let name = target
        .file_name()
        .map_or("file".into(), |n| n.to_string_lossy());
    let temp = dir.join(temporary_name(&name));
    let result = (|| -> io::Result<()> {
        let mut file = create_exclusive(&temp, mode_of(&target))?;
        file.write_all(bytes)?;
        if durable {
            file.sync_all()?;
        }
        drop(file);
        fs::rename(&temp, &target)?;
        if durable {
            sync_dir(dir)?;
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result.with_context(|| format!("writing {}", target.display()))
}

/// Creates a new file exclusively (fails if anything, even a dangling link, is at `path`),
/// with `mode` on Unix.
pub(crate) fn create_exclusive(path: &Path, mode: Option<u32>) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC);
        options.mode(mode.unwrap_or(0o644));
    }
    #[cfg(not(unix))]
    let _ = mode;
    options.open(path)
}

/// The permission bits of an existing regular file, to keep them when mlgen replaces it.
pub(crate) fn mode_of(path: &Path) -> Option<u32> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        fs::symlink_metadata(path)
            .ok()
            .filter(fs::Metadata::is_file)
            .map(|m| m.permissions().mode() & 0o7777)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

/// Makes renames and removals in `dir` durable (a no-op where folders cannot be synced).
pub(crate) fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        File::open(dir)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_only_regular_files_and_caps_them() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("a.tf"), "x").unwrap();
        assert_eq!(
            read_inside(dir.path(), "a.tf").unwrap(),
            Some(b"x".to_vec())
        );
        assert_eq!(read_inside(dir.path(), "b/c.tf").unwrap(), None);
        assert!(matches!(
            read_capped(&dir.path().join("a.tf"), 0),
            Err(ReadError::Unsafe(Unsafe::TooLarge(..)))
        ));
        fs::create_dir(dir.path().join("d")).unwrap();
        assert!(matches!(
            read_inside(dir.path(), "d"),
            Err(ReadError::Unsafe(Unsafe::Folder(_)))
        ));
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink("/proc/self/environ", dir.path().join("env.tf")).unwrap();
            assert!(matches!(
                read_inside(dir.path(), "env.tf"),
                Err(ReadError::Unsafe(Unsafe::Link(_)))
            ));
            std::os::unix::fs::symlink("/etc", dir.path().join("main")).unwrap();
            assert!(matches!(
                read_inside(dir.path(), "main/passwd"),
                Err(ReadError::Unsafe(Unsafe::Link(_)))
            ));
            assert!(matches!(
                read_capped(Path::new("/dev/zero"), 10),
                Err(ReadError::Unsafe(Unsafe::Special(_)))
            ));
        }
    }

    #[test]
    fn exclusive_creation_refuses_planted_links() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        fs::write(&victim, "keep").unwrap();
        #[cfg(unix)]
        {
            let planted = dir.path().join("tmp");
            std::os::unix::fs::symlink(&victim, &planted).unwrap();
            assert!(create_exclusive(&planted, None).is_err());
            assert_eq!(fs::read_to_string(&victim).unwrap(), "keep");
        }
        assert_ne!(random_token(), random_token());
    }
}
