//! Read-only views of shared memory the X server fills (MIT-SHM), for
//! capturing a screen without copying it through the socket.

use std::os::fd::{AsRawFd, OwnedFd};
use std::ptr::NonNull;

/// A shared memory segment mapped read-only.
#[derive(Debug)]
pub struct SharedMemory {
    ptr: NonNull<u8>,
    len: usize,
    _fd: OwnedFd,
}

// SAFETY: the mapping is plain memory owned by this value; moving it to
// another thread moves that ownership.
unsafe impl Send for SharedMemory {}

impl SharedMemory {
    /// Maps `len` bytes of `fd` (a segment the X server created for us).
    ///
    /// # Errors
    /// When `mmap` fails.
    pub fn map(fd: OwnedFd, len: usize) -> std::io::Result<SharedMemory> {
        // SAFETY: a fresh read-only shared mapping of a descriptor we own;
        // the kernel picks the address; failure is checked below.
        let ptr = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ,
                libc::MAP_SHARED,
                fd.as_raw_fd(),
                0,
            )
        };
        if ptr == libc::MAP_FAILED {
            return Err(std::io::Error::last_os_error());
        }
        let ptr = NonNull::new(ptr.cast::<u8>()).ok_or_else(|| std::io::Error::other("mmap returned null"))?;
        Ok(SharedMemory { ptr, len, _fd: fd })
    }

    /// The bytes. Only meaningful between a completed `ShmGetImage` reply
    /// and the next request that writes the segment, which the capture
    /// code (the only user) guarantees by being single-threaded per segment.
    #[must_use]
    pub fn bytes(&self) -> &[u8] {
        // SAFETY: ptr/len describe a live mapping owned by self; the X server
        // writes it only while a ShmGetImage request that we issued and
        // waited for is being served, never while this borrow is used.
        unsafe { std::slice::from_raw_parts(self.ptr.as_ptr(), self.len) }
    }
}

impl Drop for SharedMemory {
    fn drop(&mut self) {
        // SAFETY: unmapping exactly the mapping made in `map`, once.
        unsafe { libc::munmap(self.ptr.as_ptr().cast(), self.len) };
    }
}
