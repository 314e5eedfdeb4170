//! A small, safe binding to Linux-PAM: the calls a login and a session need.
//!
//! Only the session worker and the login checker (both single-threaded
//! processes of their own) use it: PAM modules may fork, change signal
//! handlers or keep global state, which a multi-threaded daemon must not
//! risk. The password lives in a [`Zeroizing`] buffer and is copied into
//! PAM's own memory only when a module prompts for it.

use crate::error::SysError;
use std::ffi::{CStr, CString, c_char, c_int, c_void};
use std::fmt;
use std::ptr::NonNull;
use zeroize::Zeroizing;

#[repr(C)]
struct PamHandleT {
    _private: [u8; 0],
}

#[repr(C)]
struct PamMessage {
    msg_style: c_int,
    msg: *const c_char,
}

#[repr(C)]
struct PamResponse {
    resp: *mut c_char,
    resp_retcode: c_int,
}

type ConvFn = unsafe extern "C" fn(c_int, *mut *const PamMessage, *mut *mut PamResponse, *mut c_void) -> c_int;

#[repr(C)]
struct PamConv {
    conv: Option<ConvFn>,
    appdata_ptr: *mut c_void,
}

#[link(name = "pam")]
unsafe extern "C" {
    fn pam_start(
        service: *const c_char,
        user: *const c_char,
        conv: *const PamConv,
        pamh: *mut *mut PamHandleT,
    ) -> c_int;
    fn pam_end(pamh: *mut PamHandleT, status: c_int) -> c_int;
    fn pam_authenticate(pamh: *mut PamHandleT, flags: c_int) -> c_int;
    fn pam_acct_mgmt(pamh: *mut PamHandleT, flags: c_int) -> c_int;
    fn pam_setcred(pamh: *mut PamHandleT, flags: c_int) -> c_int;
    fn pam_open_session(pamh: *mut PamHandleT, flags: c_int) -> c_int;
    fn pam_close_session(pamh: *mut PamHandleT, flags: c_int) -> c_int;
    fn pam_set_item(pamh: *mut PamHandleT, item_type: c_int, item: *const c_void) -> c_int;
    fn pam_putenv(pamh: *mut PamHandleT, name_value: *const c_char) -> c_int;
    fn pam_getenvlist(pamh: *mut PamHandleT) -> *mut *mut c_char;
    fn pam_strerror(pamh: *mut PamHandleT, errnum: c_int) -> *const c_char;
}

const PAM_SUCCESS: c_int = 0;
const PAM_BUF_ERR: c_int = 5;
const PAM_CONV_ERR: c_int = 19;
const PAM_SILENT: c_int = 0x8000;
const PAM_DISALLOW_NULL_AUTHTOK: c_int = 0x1;
const PAM_ESTABLISH_CRED: c_int = 0x2;
const PAM_DELETE_CRED: c_int = 0x4;
const PAM_PROMPT_ECHO_OFF: c_int = 1;
const PAM_PROMPT_ECHO_ON: c_int = 2;
const PAM_ERROR_MSG: c_int = 3;
const PAM_TEXT_INFO: c_int = 4;

/// Result codes a caller may want to tell apart.
pub mod code {
    /// Wrong password.
    pub const AUTH_ERR: i32 = 7;
    /// Unknown user.
    pub const USER_UNKNOWN: i32 = 10;
    /// Password expired: must be changed before use.
    pub const NEW_AUTHTOK_REQD: i32 = 12;
    /// Account expired.
    pub const ACCT_EXPIRED: i32 = 13;
    /// Permission denied (e.g. by pam_access or a locked account).
    pub const PERM_DENIED: i32 = 6;
    /// Credentials cannot be read.
    pub const CRED_INSUFFICIENT: i32 = 8;
    /// The authentication service is unreachable.
    pub const AUTHINFO_UNAVAIL: i32 = 9;
    /// Too many tries.
    pub const MAXTRIES: i32 = 11;
}

/// PAM items that can be set on a handle.
#[derive(Clone, Copy, Debug)]
#[repr(i32)]
pub enum Item {
    /// The terminal name; for X sessions the display (`:3`).
    Tty = 3,
    /// The remote host.
    Rhost = 4,
    /// The remote user.
    Ruser = 8,
    /// The X display.
    XDisplay = 11,
}

/// What the conversation function sees: the password to answer prompts
/// with, and the messages modules showed (for error reports).
struct Conversation {
    password: Option<Zeroizing<Vec<u8>>>,
    messages: Vec<String>,
}

/// An open PAM transaction for one user. Ends (`pam_end`) on drop.
pub struct Pam {
    handle: *mut PamHandleT,
    // Raw heap pointers (from Box::into_raw) that PAM holds on to: they stay
    // valid while `Pam` moves, and are freed in Drop after pam_end.
    conv: NonNull<PamConv>,
    conversation: NonNull<Conversation>,
    service: String,
    last: c_int,
}

impl fmt::Debug for Pam {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pam")
            .field("service", &self.service)
            .finish_non_exhaustive()
    }
}

/// Answers PAM prompts: the password for hidden prompts, nothing for
/// visible ones (Podium never asks a person interactively through PAM).
unsafe extern "C" fn converse(
    num_msg: c_int,
    msg: *mut *const PamMessage,
    resp: *mut *mut PamResponse,
    appdata: *mut c_void,
) -> c_int {
    let Ok(n) = usize::try_from(num_msg) else {
        return PAM_CONV_ERR;
    };
    if n == 0 || msg.is_null() || resp.is_null() || appdata.is_null() {
        return PAM_CONV_ERR;
    }
    // SAFETY: appdata is the Conversation box we registered in `start`; it
    // outlives the handle and PAM calls us only from the thread that called
    // into PAM, so no other reference to it is live.
    let conv = unsafe { &mut *appdata.cast::<Conversation>() };
    // SAFETY: calloc returns zeroed memory PAM frees with free(); n > 0.
    let replies = unsafe { libc::calloc(n, std::mem::size_of::<PamResponse>()) }.cast::<PamResponse>();
    if replies.is_null() {
        return PAM_BUF_ERR;
    }
    for i in 0..n {
        // SAFETY: Linux-PAM passes `msg` as an array of n pointers to messages.
        let m = unsafe { *msg.add(i) };
        if m.is_null() {
            free_replies(replies, i);
            return PAM_CONV_ERR;
        }
        // SAFETY: a non-null message pointer from PAM.
        let m = unsafe { &*m };
        let text = if m.msg.is_null() {
            String::new()
        } else {
            // SAFETY: modules pass NUL-terminated strings.
            unsafe { CStr::from_ptr(m.msg) }.to_string_lossy().into_owned()
        };
        let answer: Option<&[u8]> = match m.msg_style {
            PAM_PROMPT_ECHO_OFF => conv.password.as_deref().map(Vec::as_slice),
            PAM_PROMPT_ECHO_ON => None,
            PAM_ERROR_MSG | PAM_TEXT_INFO => {
                conv.messages.push(text);
                continue;
            }
            _ => None,
        };
        let Some(answer) = answer else {
            // A prompt we cannot answer: free what we built and give up.
            free_replies(replies, i);
            return PAM_CONV_ERR;
        };
        // SAFETY: malloc'd copy (PAM frees it) of answer plus a NUL byte.
        let copy = unsafe { libc::calloc(answer.len() + 1, 1) }.cast::<c_char>();
        if copy.is_null() {
            free_replies(replies, i);
            return PAM_BUF_ERR;
        }
        // SAFETY: copy has answer.len()+1 bytes; the regions do not overlap.
        unsafe {
            std::ptr::copy_nonoverlapping(answer.as_ptr().cast::<c_char>(), copy, answer.len());
            (*replies.add(i)).resp = copy;
        }
    }
    // SAFETY: resp is PAM's out-pointer for the reply array.
    unsafe { *resp = replies };
    PAM_SUCCESS
}

fn free_replies(replies: *mut PamResponse, filled: usize) {
    for j in 0..filled {
        // SAFETY: the first `filled` entries are either null or calloc'd by us.
        unsafe {
            let r = (*replies.add(j)).resp;
            if !r.is_null() {
                libc::explicit_bzero(r.cast(), libc::strlen(r));
                libc::free(r.cast());
            }
        }
    }
    // SAFETY: replies was calloc'd by us and is not handed to PAM.
    unsafe { libc::free(replies.cast()) };
}

impl Pam {
    /// `pam_start(service, user)`. `password` answers hidden prompts (login);
    /// sessions started without one (`podium session start`) pass `None`.
    ///
    /// # Errors
    /// [`SysError`] when PAM cannot start (no such service file, out of memory).
    pub fn start(service: &str, user: &str, password: Option<Zeroizing<Vec<u8>>>) -> Result<Pam, SysError> {
        let err = |message: String| SysError::Pam {
            call: "pam_start",
            service: service.into(),
            code: -1,
            message,
        };
        let c_service = CString::new(service).map_err(|_| err("service name contains NUL".into()))?;
        let c_user = CString::new(user).map_err(|_| err("user name contains NUL".into()))?;
        let conversation = NonNull::from(Box::leak(Box::new(Conversation {
            password,
            messages: Vec::new(),
        })));
        let conv = NonNull::from(Box::leak(Box::new(PamConv {
            conv: Some(converse),
            appdata_ptr: conversation.as_ptr().cast(),
        })));
        let free = || {
            // SAFETY: both were leaked just above and PAM did not keep them.
            unsafe {
                drop(Box::from_raw(conv.as_ptr()));
                drop(Box::from_raw(conversation.as_ptr()));
            }
        };
        let mut handle: *mut PamHandleT = std::ptr::null_mut();
        // SAFETY: valid NUL-terminated strings; `conv` and `conversation`
        // stay allocated until Drop, after pam_end.
        let rc = unsafe { pam_start(c_service.as_ptr(), c_user.as_ptr(), conv.as_ptr(), &raw mut handle) };
        if rc != PAM_SUCCESS || handle.is_null() {
            free();
            return Err(err(format!("code {rc}")));
        }
        Ok(Pam {
            handle,
            conv,
            conversation,
            service: service.into(),
            last: PAM_SUCCESS,
        })
    }

    fn check(&mut self, call: &'static str, rc: c_int) -> Result<(), SysError> {
        self.last = rc;
        if rc == PAM_SUCCESS {
            return Ok(());
        }
        // SAFETY: handle is live; pam_strerror returns a static or handle-owned string.
        let text = unsafe { CStr::from_ptr(pam_strerror(self.handle, rc)) }
            .to_string_lossy()
            .into_owned();
        // What a module said ("Your account has expired…") explains more than pam_strerror.
        // SAFETY: PAM only touches the conversation during a call, and none is
        // running now; `&mut self` makes this the only reference.
        let messages = unsafe { &mut self.conversation.as_mut().messages };
        let said: Vec<String> = messages.drain(..).filter(|m| !m.trim().is_empty()).collect();
        let message = if said.is_empty() { text } else { said.join(" ") };
        Err(SysError::Pam {
            call,
            service: self.service.clone(),
            code: rc,
            message,
        })
    }

    /// `pam_authenticate`: checks the password given to [`Pam::start`].
    ///
    /// # Errors
    /// [`SysError`] with [`code::AUTH_ERR`] for a wrong password, and so on.
    pub fn authenticate(&mut self) -> Result<(), SysError> {
        // SAFETY: live handle.
        let rc = unsafe { pam_authenticate(self.handle, PAM_SILENT | PAM_DISALLOW_NULL_AUTHTOK) };
        self.check("pam_authenticate", rc)
    }

    /// `pam_acct_mgmt`: is the account allowed now (not expired, not denied)?
    ///
    /// # Errors
    /// [`SysError`], e.g. [`code::ACCT_EXPIRED`].
    pub fn account(&mut self) -> Result<(), SysError> {
        // SAFETY: live handle.
        // Not silent: modules explain a refusal ("Your account has expired").
        let rc = unsafe { pam_acct_mgmt(self.handle, 0) };
        self.check("pam_acct_mgmt", rc)
    }

    /// `pam_setcred(ESTABLISH_CRED)`.
    ///
    /// # Errors
    /// [`SysError`] from the modules.
    pub fn establish_credentials(&mut self) -> Result<(), SysError> {
        // SAFETY: live handle.
        let rc = unsafe { pam_setcred(self.handle, PAM_ESTABLISH_CRED | PAM_SILENT) };
        self.check("pam_setcred", rc)
    }

    /// `pam_setcred(DELETE_CRED)`.
    ///
    /// # Errors
    /// [`SysError`] from the modules.
    pub fn delete_credentials(&mut self) -> Result<(), SysError> {
        // SAFETY: live handle.
        let rc = unsafe { pam_setcred(self.handle, PAM_DELETE_CRED | PAM_SILENT) };
        self.check("pam_setcred", rc)
    }

    /// `pam_open_session`.
    ///
    /// # Errors
    /// [`SysError`] from the modules.
    pub fn open_session(&mut self) -> Result<(), SysError> {
        // SAFETY: live handle.
        let rc = unsafe { pam_open_session(self.handle, PAM_SILENT) };
        self.check("pam_open_session", rc)
    }

    /// `pam_close_session`.
    ///
    /// # Errors
    /// [`SysError`] from the modules.
    pub fn close_session(&mut self) -> Result<(), SysError> {
        // SAFETY: live handle.
        let rc = unsafe { pam_close_session(self.handle, PAM_SILENT) };
        self.check("pam_close_session", rc)
    }

    /// `pam_set_item` for a string item.
    ///
    /// # Errors
    /// [`SysError`] when the value holds a NUL byte or PAM refuses it.
    pub fn set_item(&mut self, item: Item, value: &str) -> Result<(), SysError> {
        let v = CString::new(value).map_err(|_| SysError::Pam {
            call: "pam_set_item",
            service: self.service.clone(),
            code: -1,
            message: "value contains NUL".into(),
        })?;
        // SAFETY: live handle; PAM copies string items.
        let rc = unsafe { pam_set_item(self.handle, item as c_int, v.as_ptr().cast()) };
        self.check("pam_set_item", rc)
    }

    /// `pam_putenv("NAME=value")`, so modules see the session's variables.
    ///
    /// # Errors
    /// [`SysError`] when PAM refuses it.
    pub fn putenv(&mut self, name: &str, value: &str) -> Result<(), SysError> {
        let v = CString::new(format!("{name}={value}")).map_err(|_| SysError::Pam {
            call: "pam_putenv",
            service: self.service.clone(),
            code: -1,
            message: "variable contains NUL".into(),
        })?;
        // SAFETY: live handle; PAM copies the string.
        let rc = unsafe { pam_putenv(self.handle, v.as_ptr()) };
        self.check("pam_putenv", rc)
    }

    /// The environment PAM modules set (`pam_env`, `pam_systemd` …).
    #[must_use]
    pub fn env_list(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        // SAFETY: live handle; the list and its strings are malloc'd copies we free.
        unsafe {
            let list = pam_getenvlist(self.handle);
            if list.is_null() {
                return out;
            }
            let mut i = 0;
            loop {
                let entry = *list.add(i);
                if entry.is_null() {
                    break;
                }
                let text = CStr::from_ptr(entry).to_string_lossy().into_owned();
                if let Some((k, v)) = text.split_once('=') {
                    out.push((k.to_owned(), v.to_owned()));
                }
                libc::free(entry.cast());
                i += 1;
            }
            libc::free(list.cast());
        }
        out
    }
}

impl Drop for Pam {
    fn drop(&mut self) {
        // SAFETY: live handle, ended exactly once here; afterwards PAM holds
        // no pointer to the conversation, which is freed once.
        unsafe {
            pam_end(self.handle, self.last);
            drop(Box::from_raw(self.conv.as_ptr()));
            drop(Box::from_raw(self.conversation.as_ptr()));
        }
    }
}
