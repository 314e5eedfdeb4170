//! Every message Podium sends, as the values the protocol wants from a
//! client that only comes to end the session: no interaction, never to be
//! restarted.

use crate::message::{Message, Property, Save, Setup, Version, sm};

/// Who we are in ConnectionSetup and ProtocolSetup.
pub const VENDOR: &str = "Podium";
/// Our release in ConnectionSetup and ProtocolSetup.
pub const RELEASE: &str = env!("CARGO_PKG_VERSION");
/// The only authentication method we offer.
pub const MAGIC_COOKIE: &str = "MIT-MAGIC-COOKIE-1";
/// The protocol we set up on the ICE connection.
pub const XSMP: &str = "XSMP";
/// ICE 1.0 and XSMP 1.0, the only versions there are.
const V1_0: Version = Version { major: 1, minor: 0 };

/// The set-up fields: offering MIT-MAGIC-COOKIE-1 only when we hold a
/// cookie for it (a manager then knows at once whether it can accept us).
fn setup(release: &str, with_cookie: bool) -> Setup {
    Setup {
        must_authenticate: false,
        vendor: VENDOR.to_owned(),
        release: release.to_owned(),
        auth_names: if with_cookie {
            vec![MAGIC_COOKIE.to_owned()]
        } else {
            Vec::new()
        },
        versions: vec![V1_0],
    }
}

/// ICE ConnectionSetup.
#[must_use]
pub fn connection_setup(release: &str, with_cookie: bool) -> Message {
    Message::ConnectionSetup(setup(release, with_cookie))
}

/// ProtocolSetup for XSMP, announcing the major opcode we will send it with.
#[must_use]
pub fn protocol_setup(release: &str, with_cookie: bool, our_opcode: u8) -> Message {
    Message::ProtocolSetup {
        protocol_opcode: our_opcode,
        protocol_name: XSMP.to_owned(),
        setup: setup(release, with_cookie),
    }
}

/// A new client: no id from an earlier session.
#[must_use]
pub fn register_client() -> Message {
    Message::RegisterClient {
        previous_id: Vec::new(),
    }
}

/// The properties every client must set (`Program`, `UserID`,
/// `CloneCommand`, `RestartCommand`), `ProcessID`, and above all
/// `RestartStyleHint` "never", so that a session the manager saves at the
/// log-out does not start Podium again at the next log-in.
#[must_use]
pub fn properties(user: &str, pid: u32) -> Message {
    let prop = |name: &str, kind: &str, values: Vec<Vec<u8>>| Property {
        name: name.to_owned(),
        kind: kind.to_owned(),
        values,
    };
    let command = || vec![b"podium".to_vec()];
    Message::SetProperties(vec![
        prop("RestartStyleHint", "CARD8", vec![vec![sm::RESTART_NEVER]]),
        prop("Program", "ARRAY8", vec![b"podium".to_vec()]),
        prop("UserID", "ARRAY8", vec![user.as_bytes().to_vec()]),
        prop("ProcessID", "ARRAY8", vec![pid.to_string().into_bytes()]),
        prop("CloneCommand", "LISTofARRAY8", command()),
        prop("RestartCommand", "LISTofARRAY8", command()),
    ])
}

/// We have nothing to save, and so have saved it.
#[must_use]
pub fn save_yourself_done() -> Message {
    Message::SaveYourselfDone { success: true }
}

/// The log-out: a global save that ends the session, with nobody asked
/// anything (no interaction) and `fast` set, which is what keeps
/// xfce4-session from showing its own log-out dialog.
#[must_use]
pub fn logout_request() -> Message {
    Message::SaveYourselfRequest {
        save: Save {
            save_type: sm::SAVE_BOTH,
            shutdown: true,
            interact_style: sm::INTERACT_NONE,
            fast: true,
        },
        global: true,
    }
}

/// Leaving the session, with no reason given.
#[must_use]
pub fn close_connection() -> Message {
    Message::CloseConnection { reasons: Vec::new() }
}
