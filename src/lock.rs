//! One mlgen run at a time per output directory: an exclusive lock on `<out>/.mlgen/lock`.
//!
//! The lock is the operating system's (`flock`), so a killed run releases it with its process
//! and no stale lock is ever left to clean up by hand. A second run waits up to
//! [`WAIT`] (override with `MLGEN_LOCK_WAIT_MS`, for tests and slow CI disks) and then fails
//! with a message naming the lock. The lock file is removed when the run ends, so it never
//! shows up in `git status`; since a waiter may then hold a lock on the removed file, every
//! run checks after locking that the path still names the file it locked, and tries again if
//! not.

use std::fs::{self, File, OpenOptions};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::safe_fs;

/// How long a second run waits for the first.
pub(crate) const WAIT: Duration = Duration::from_secs(10);

/// Folder of mlgen's own files in an output directory.
pub(crate) const STATE_DIR: &str = ".mlgen";

/// Where the lock lives, relative to the output directory.
pub(crate) const PATH: &str = ".mlgen/lock";

/// A held lock; released (and its file removed) when dropped.
#[derive(Debug)]
pub(crate) struct OutputLock {
    file: File,
    path: PathBuf,
    /// Released as a dying process releases it: the file stays.
    abandoned: bool,
}

impl OutputLock {
    /// Creates `<out>/.mlgen/` if needed and takes the lock, waiting up to [`WAIT`].
    pub(crate) fn acquire(out: &Path) -> anyhow::Result<Self> {
        let wait = std::env::var("MLGEN_LOCK_WAIT_MS")
            .ok()
            .and_then(|ms| ms.parse().ok())
            .map_or(WAIT, Duration::from_millis);
        Self::acquire_within(out, wait)
    }

    fn acquire_within(out: &Path, wait: Duration) -> anyhow::Result<Self> {
        // `.mlgen` must be a real folder: a link there would move the lock, the journal and
        // the manifest outside the output directory.
        safe_fs::inspect(out, PATH)?;
        let dir = out.join(STATE_DIR);
        fs::create_dir_all(&dir).map_err(|e| anyhow::anyhow!("creating {}: {e}", dir.display()))?;
        safe_fs::inspect(out, PATH)?;
        let path = out.join(PATH);
        let started = Instant::now();
        loop {
            let file = open_lock_file(&path)?;
            match file.try_lock() {
                Ok(()) => {
                    if same_file(&file, &path) {
                        return Ok(Self {
                            file,
                            path,
                            abandoned: false,
                        });
                    }
                    // The previous holder removed the file after we opened it: start over.
                }
                Err(fs::TryLockError::WouldBlock) => {
                    if started.elapsed() >= wait {
                        anyhow::bail!(
                            "another mlgen run is writing {} (it holds {}); waited {} s. \
                             Run again when it has finished; nothing was written",
                            out.display(),
                            path.display(),
                            wait.as_secs_f32()
                        );
                    }
                    std::thread::sleep(Duration::from_millis(25));
                }
                Err(fs::TryLockError::Error(e)) => {
                    anyhow::bail!("locking {}: {e}", path.display())
                }
            }
        }
    }
}

impl OutputLock {
    /// Lets go of the lock the way a killed process does: the OS releases it when the file is
    /// closed, and the lock file stays behind (the next run reuses it).
    pub(crate) fn abandon(mut self) {
        self.abandoned = true;
    }
}

impl Drop for OutputLock {
    fn drop(&mut self) {
        if self.abandoned {
            return;
        }
        // Removed while still held, so no other run can have locked this path in between.
        let _ = fs::remove_file(&self.path);
        let _ = self.file.unlock();
    }
}

fn open_lock_file(path: &Path) -> anyhow::Result<File> {
    let mut options = OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC);
        options.mode(0o600);
    }
    let file = options
        .open(path)
        .map_err(|e| anyhow::anyhow!("opening lock {}: {e}", path.display()))?;
    anyhow::ensure!(
        file.metadata().is_ok_and(|m| m.is_file()),
        "{} is not a regular file; remove it",
        path.display()
    );
    Ok(file)
}

/// True when `path` still names the open `file`.
fn same_file(file: &File, path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt as _;
        match (file.metadata(), fs::symlink_metadata(path)) {
            (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
            _ => false,
        }
    }
    #[cfg(not(unix))]
    {
        // Without inode numbers, trust the open handle: Windows does not let a held file be
        // removed, so the race this guards against cannot happen there.
        let _ = (file, path);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_run_waits_then_fails_and_the_lock_file_goes_away() {
        let dir = tempfile::tempdir().unwrap();
        let first = OutputLock::acquire_within(dir.path(), WAIT).unwrap();
        let err = OutputLock::acquire_within(dir.path(), Duration::from_millis(100)).unwrap_err();
        assert!(err.to_string().contains("another mlgen run"), "{err}");
        drop(first);
        assert!(!dir.path().join(PATH).exists(), "no lock file left behind");
        let again = OutputLock::acquire_within(dir.path(), WAIT).unwrap();
        drop(again);
    }

    #[test]
    fn the_waiter_gets_the_lock_when_the_holder_finishes() {
        let dir = tempfile::tempdir().unwrap();
        let first = OutputLock::acquire_within(dir.path(), WAIT).unwrap();
        let out = dir.path().to_owned();
        let waiter = std::thread::spawn(move || OutputLock::acquire_within(&out, WAIT).is_ok());
        std::thread::sleep(Duration::from_millis(150));
        drop(first);
        assert!(waiter.join().unwrap());
    }

    #[cfg(unix)]
    #[test]
    fn a_linked_state_folder_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let elsewhere = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(elsewhere.path(), dir.path().join(STATE_DIR)).unwrap();
        let err = OutputLock::acquire_within(dir.path(), WAIT).unwrap_err();
        assert!(err.to_string().contains("symbolic link"), "{err}");
        assert!(fs::read_dir(elsewhere.path()).unwrap().next().is_none());
    }
}
