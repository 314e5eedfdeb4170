//! Signals as bytes on a pipe (the self-pipe trick), so the single-threaded
//! worker can wait for signals, sockets and children in one `poll` without
//! blocking signals — a blocked mask would be inherited by every helper a
//! PAM module forks.

use std::os::fd::{FromRawFd, IntoRawFd, OwnedFd};
use std::sync::atomic::{AtomicI32, Ordering};

static WRITE_END: AtomicI32 = AtomicI32::new(-1);

extern "C" fn on_signal(sig: libc::c_int) {
    let fd = WRITE_END.load(Ordering::Relaxed);
    if fd < 0 {
        return;
    }
    // SAFETY: errno is thread-local and restored before returning; write(2)
    // is async-signal-safe; the byte lives on this handler's stack.
    unsafe {
        let saved = *libc::__errno_location();
        let byte = u8::try_from(sig).unwrap_or(0);
        libc::write(fd, (&raw const byte).cast(), 1);
        *libc::__errno_location() = saved;
    }
}

/// Routes `signals` to a pipe and returns its read end (non-blocking):
/// each byte read is a signal number. Handlers reset to the default in
/// children at `exec`, and no signal is blocked, so nothing leaks into
/// the processes the worker starts.
///
/// # Errors
/// When the pipe or a handler cannot be set up.
pub fn self_pipe(signals: &[libc::c_int]) -> std::io::Result<OwnedFd> {
    let mut fds = [0 as libc::c_int; 2];
    // SAFETY: pipe2 fills the two descriptors of the array we own.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC | libc::O_NONBLOCK) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: both descriptors were just created and are ours alone.
    let (read, write) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
    // The write end lives as long as the process: the handler may run any time.
    WRITE_END.store(write.into_raw_fd(), Ordering::SeqCst);
    for &sig in signals {
        // SAFETY: a zeroed sigaction with our handler and an empty mask is a
        // valid argument; the handler only calls async-signal-safe functions.
        let rc = unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = on_signal as *const () as libc::sighandler_t;
            action.sa_flags = libc::SA_RESTART;
            libc::sigemptyset(&raw mut action.sa_mask);
            libc::sigaction(sig, &raw const action, std::ptr::null_mut())
        };
        if rc != 0 {
            return Err(std::io::Error::last_os_error());
        }
    }
    Ok(read)
}

/// The kernel's `struct sigaction` (x86-64 and arm64 layout), for resetting
/// the signals glibc reserves for itself, which its `sigaction` refuses.
#[repr(C)]
struct KernelSigaction {
    handler: usize,
    flags: libc::c_ulong,
    restorer: usize,
    mask: u64,
}

/// Sets every signal's disposition back to the default with the raw system
/// call, the two glibc keeps for itself (32, 33) included: a signal left
/// ignored would be inherited through `exec`. Async-signal-safe (only
/// system calls), so the child after `fork` uses it too.
pub fn reset_all_to_default() {
    let act = KernelSigaction {
        handler: libc::SIG_DFL,
        flags: 0,
        restorer: 0,
        mask: 0,
    };
    for sig in 1..=64 {
        if sig == libc::SIGKILL || sig == libc::SIGSTOP {
            continue;
        }
        // SAFETY: rt_sigaction with a valid kernel sigaction and sigset size 8;
        // no old action wanted.
        unsafe {
            libc::syscall(
                libc::SYS_rt_sigaction,
                sig,
                &raw const act,
                std::ptr::null_mut::<KernelSigaction>(),
                8usize,
            );
        }
    }
}

/// Ignores SIGPIPE, as Rust programs do: a write to a closed pipe or socket
/// (the daemon gone away) must fail with `EPIPE`, not kill the worker.
pub fn ignore_sigpipe() {
    // SAFETY: setting a standard signal's disposition to SIG_IGN.
    unsafe { libc::signal(libc::SIGPIPE, libc::SIG_IGN) };
}
