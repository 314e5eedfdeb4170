//! Signalling a process through a pidfd, so a signal can never reach an
//! unrelated process that happened to get a recycled pid.

use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};

/// A handle on one process, stable even if its pid is reused later.
#[derive(Debug)]
pub struct Pidfd(OwnedFd);

impl Pidfd {
    /// `pidfd_open(pid)`.
    ///
    /// # Errors
    /// `ESRCH` when the process is gone.
    pub fn open(pid: i32) -> std::io::Result<Pidfd> {
        // SAFETY: pidfd_open takes a pid and flags and returns a new descriptor or -1.
        let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
        if fd < 0 {
            return Err(std::io::Error::last_os_error());
        }
        let fd = i32::try_from(fd).map_err(|_| std::io::Error::other("descriptor out of range"))?;
        // SAFETY: the kernel just gave us this descriptor; nothing else owns it.
        Ok(Pidfd(unsafe { OwnedFd::from_raw_fd(fd) }))
    }

    /// `pidfd_send_signal(fd, sig)`.
    ///
    /// # Errors
    /// `ESRCH` when the process has exited.
    pub fn signal(&self, sig: nix::sys::signal::Signal) -> std::io::Result<()> {
        // SAFETY: a valid pidfd, a valid signal number, no siginfo, no flags.
        let rc = unsafe {
            libc::syscall(
                libc::SYS_pidfd_send_signal,
                self.0.as_raw_fd(),
                sig as libc::c_int,
                std::ptr::null::<()>(),
                0,
            )
        };
        if rc < 0 {
            Err(std::io::Error::last_os_error())
        } else {
            Ok(())
        }
    }
}
