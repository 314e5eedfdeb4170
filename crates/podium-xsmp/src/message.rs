//! Every ICE and XSMP message a client and a session manager exchange, as
//! plain values (`<X11/ICE/ICEproto.h>`, `<X11/SM/SMproto.h>`), with the
//! opcodes and constants that give them meaning.
//!
//! Both directions are here, not only what Podium receives: the tests play
//! the session manager's part with the same types, and the fuzz target
//! checks that whatever can be read can be written back unchanged.

/// ICE's minor opcodes (major opcode 0).
pub mod ice {
    /// `ICE_Error`.
    pub const ERROR: u8 = 0;
    /// `ICE_ByteOrder`.
    pub const BYTE_ORDER: u8 = 1;
    /// `ICE_ConnectionSetup`.
    pub const CONNECTION_SETUP: u8 = 2;
    /// `ICE_AuthRequired`.
    pub const AUTH_REQUIRED: u8 = 3;
    /// `ICE_AuthReply`.
    pub const AUTH_REPLY: u8 = 4;
    /// `ICE_AuthNextPhase`.
    pub const AUTH_NEXT_PHASE: u8 = 5;
    /// `ICE_ConnectionReply`.
    pub const CONNECTION_REPLY: u8 = 6;
    /// `ICE_ProtocolSetup`.
    pub const PROTOCOL_SETUP: u8 = 7;
    /// `ICE_ProtocolReply`.
    pub const PROTOCOL_REPLY: u8 = 8;
    /// `ICE_Ping`.
    pub const PING: u8 = 9;
    /// `ICE_PingReply`.
    pub const PING_REPLY: u8 = 10;
    /// `ICE_WantToClose`.
    pub const WANT_TO_CLOSE: u8 = 11;
    /// `ICE_NoClose`.
    pub const NO_CLOSE: u8 = 12;
}

/// XSMP's minor opcodes (major opcode: the one negotiated for XSMP).
pub mod sm {
    /// `SM_Error`.
    pub const ERROR: u8 = 0;
    /// `SM_RegisterClient`.
    pub const REGISTER_CLIENT: u8 = 1;
    /// `SM_RegisterClientReply`.
    pub const REGISTER_CLIENT_REPLY: u8 = 2;
    /// `SM_SaveYourself`.
    pub const SAVE_YOURSELF: u8 = 3;
    /// `SM_SaveYourselfRequest`.
    pub const SAVE_YOURSELF_REQUEST: u8 = 4;
    /// `SM_InteractRequest`.
    pub const INTERACT_REQUEST: u8 = 5;
    /// `SM_Interact`.
    pub const INTERACT: u8 = 6;
    /// `SM_InteractDone`.
    pub const INTERACT_DONE: u8 = 7;
    /// `SM_SaveYourselfDone`.
    pub const SAVE_YOURSELF_DONE: u8 = 8;
    /// `SM_Die`.
    pub const DIE: u8 = 9;
    /// `SM_ShutdownCancelled`.
    pub const SHUTDOWN_CANCELLED: u8 = 10;
    /// `SM_CloseConnection`.
    pub const CLOSE_CONNECTION: u8 = 11;
    /// `SM_SetProperties`.
    pub const SET_PROPERTIES: u8 = 12;
    /// `SM_DeleteProperties`.
    pub const DELETE_PROPERTIES: u8 = 13;
    /// `SM_GetProperties`.
    pub const GET_PROPERTIES: u8 = 14;
    /// `SM_PropertiesReply`.
    pub const PROPERTIES_REPLY: u8 = 15;
    /// `SM_SaveYourselfPhase2Request`.
    pub const SAVE_YOURSELF_PHASE2_REQUEST: u8 = 16;
    /// `SM_SaveYourselfPhase2`.
    pub const SAVE_YOURSELF_PHASE2: u8 = 17;
    /// `SM_SaveComplete`.
    pub const SAVE_COMPLETE: u8 = 18;

    /// `SmSaveGlobal`: save data to permanent storage.
    pub const SAVE_GLOBAL: u8 = 0;
    /// `SmSaveLocal`: save state for a restart.
    pub const SAVE_LOCAL: u8 = 1;
    /// `SmSaveBoth`.
    pub const SAVE_BOTH: u8 = 2;
    /// `SmInteractStyleNone`: nobody may ask the user anything.
    pub const INTERACT_NONE: u8 = 0;
    /// `SmRestartNever`: the manager must not start us again.
    pub const RESTART_NEVER: u8 = 3;
}

/// A protocol version offered or chosen in a set-up message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Version {
    /// Major version.
    pub major: u16,
    /// Minor version.
    pub minor: u16,
}

/// An Error message of ICE (major opcode 0) or of XSMP.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorInfo {
    /// The major opcode it came with: 0 for ICE, else the protocol's.
    pub major: u8,
    /// The error class.
    pub class: u16,
    /// Minor opcode of the message it is about.
    pub offending_minor: u8,
    /// 0 can continue, 1 fatal to the protocol, 2 fatal to the connection.
    pub severity: u8,
    /// Sequence number of the message it is about.
    pub sequence: u32,
    /// The class's values, as sent (padding included).
    pub values: Vec<u8>,
}

/// The fields of SaveYourself, and of SaveYourselfRequest but `global`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Save {
    /// [`sm::SAVE_GLOBAL`], [`sm::SAVE_LOCAL`] or [`sm::SAVE_BOTH`].
    pub save_type: u8,
    /// Whether the session ends after the save.
    pub shutdown: bool,
    /// Who may ask the user questions ([`sm::INTERACT_NONE`] …).
    pub interact_style: u8,
    /// Whether clients should save as quickly as they can.
    pub fast: bool,
}

/// An XSMP property: a name, a type (`CARD8`, `ARRAY8`, `LISTofARRAY8`)
/// and its values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Property {
    /// `RestartStyleHint`, `Program` …
    pub name: String,
    /// How the values are meant.
    pub kind: String,
    /// The values.
    pub values: Vec<Vec<u8>>,
}

/// The ICE and XSMP set-up fields both set-up messages share.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setup {
    /// Whether the other side must authenticate itself.
    pub must_authenticate: bool,
    /// Who made the sender.
    pub vendor: String,
    /// Its release.
    pub release: String,
    /// The authentication methods the sender can use, by preference.
    pub auth_names: Vec<String>,
    /// The versions the sender speaks.
    pub versions: Vec<Version>,
}

/// One message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    /// ICE or XSMP Error.
    Error(ErrorInfo),
    /// The first message each side sends.
    ByteOrder(crate::codec::ByteOrder),
    /// The client opens the ICE connection.
    ConnectionSetup(Setup),
    /// The accepting side asks for authentication with the method at
    /// `auth_index` of the set-up's list.
    AuthRequired {
        /// Index into the set-up message's authentication names.
        auth_index: u8,
        /// Method-specific data (none for MIT-MAGIC-COOKIE-1).
        data: Vec<u8>,
    },
    /// The answer to AuthRequired: for MIT-MAGIC-COOKIE-1, the cookie.
    AuthReply {
        /// Method-specific data.
        data: Vec<u8>,
    },
    /// A further round of a multi-round method.
    AuthNextPhase {
        /// Method-specific data.
        data: Vec<u8>,
    },
    /// The ICE connection is accepted.
    ConnectionReply {
        /// Which of the offered versions.
        version_index: u8,
        /// Who made the accepting side.
        vendor: String,
        /// Its release.
        release: String,
    },
    /// The client starts a protocol (XSMP) on the connection.
    ProtocolSetup {
        /// The major opcode the client will send that protocol's messages with.
        protocol_opcode: u8,
        /// The protocol, e.g. `XSMP`.
        protocol_name: String,
        /// Vendor, release, authentication and versions.
        setup: Setup,
    },
    /// The protocol is accepted.
    ProtocolReply {
        /// Which of the offered versions.
        version_index: u8,
        /// The major opcode the accepting side sends the protocol's messages with.
        protocol_opcode: u8,
        /// Who made the accepting side.
        vendor: String,
        /// Its release.
        release: String,
    },
    /// Is the other side alive? Answered with PingReply.
    Ping,
    /// It is.
    PingReply,
    /// The sender would like to close the connection.
    WantToClose,
    /// The answer that the connection is still in use.
    NoClose,
    /// The client joins the session; an empty id asks for a new one.
    RegisterClient {
        /// A client id from an earlier session, or empty.
        previous_id: Vec<u8>,
    },
    /// The manager's id for the client.
    RegisterClientReply {
        /// The client id.
        client_id: Vec<u8>,
    },
    /// The manager asks the client to save its state.
    SaveYourself(Save),
    /// A client asks the manager for a checkpoint or a shutdown.
    SaveYourselfRequest {
        /// What to ask the clients.
        save: Save,
        /// All clients (true) or only the sender.
        global: bool,
    },
    /// A client asks to talk to the user.
    InteractRequest {
        /// `SmDialogError` or `SmDialogNormal`.
        dialog_type: u8,
    },
    /// The client may talk to the user now.
    Interact,
    /// The client has finished talking to the user.
    InteractDone {
        /// Whether the user asked to cancel the shutdown.
        cancel_shutdown: bool,
    },
    /// The client has saved.
    SaveYourselfDone {
        /// Whether it could.
        success: bool,
    },
    /// The session is ending: the client must exit.
    Die,
    /// A client refused the shutdown; the session goes on.
    ShutdownCancelled,
    /// The client leaves the session.
    CloseConnection {
        /// Why, in words.
        reasons: Vec<Vec<u8>>,
    },
    /// The client sets properties the manager keeps for it.
    SetProperties(Vec<Property>),
    /// The client deletes properties.
    DeleteProperties(Vec<Vec<u8>>),
    /// The client asks for its properties.
    GetProperties,
    /// The manager's answer to GetProperties.
    PropertiesReply(Vec<Property>),
    /// The client wants a second phase of the save.
    SaveYourselfPhase2Request,
    /// The second phase has begun.
    SaveYourselfPhase2,
    /// The checkpoint is complete.
    SaveComplete,
    /// A message of a protocol or with an opcode we do not speak: kept
    /// only to be named in logs and errors.
    Unknown {
        /// Its major opcode.
        major: u8,
        /// Its minor opcode.
        minor: u8,
    },
}

impl Message {
    /// The message's name, for logs and errors.
    #[must_use]
    pub fn name(&self) -> &'static str {
        match self {
            Message::Error(_) => "Error",
            Message::ByteOrder(_) => "ByteOrder",
            Message::ConnectionSetup(_) => "ConnectionSetup",
            Message::AuthRequired { .. } => "AuthRequired",
            Message::AuthReply { .. } => "AuthReply",
            Message::AuthNextPhase { .. } => "AuthNextPhase",
            Message::ConnectionReply { .. } => "ConnectionReply",
            Message::ProtocolSetup { .. } => "ProtocolSetup",
            Message::ProtocolReply { .. } => "ProtocolReply",
            Message::Ping => "Ping",
            Message::PingReply => "PingReply",
            Message::WantToClose => "WantToClose",
            Message::NoClose => "NoClose",
            Message::RegisterClient { .. } => "RegisterClient",
            Message::RegisterClientReply { .. } => "RegisterClientReply",
            Message::SaveYourself(_) => "SaveYourself",
            Message::SaveYourselfRequest { .. } => "SaveYourselfRequest",
            Message::InteractRequest { .. } => "InteractRequest",
            Message::Interact => "Interact",
            Message::InteractDone { .. } => "InteractDone",
            Message::SaveYourselfDone { .. } => "SaveYourselfDone",
            Message::Die => "Die",
            Message::ShutdownCancelled => "ShutdownCancelled",
            Message::CloseConnection { .. } => "CloseConnection",
            Message::SetProperties(_) => "SetProperties",
            Message::DeleteProperties(_) => "DeleteProperties",
            Message::GetProperties => "GetProperties",
            Message::PropertiesReply(_) => "PropertiesReply",
            Message::SaveYourselfPhase2Request => "SaveYourselfPhase2Request",
            Message::SaveYourselfPhase2 => "SaveYourselfPhase2",
            Message::SaveComplete => "SaveComplete",
            Message::Unknown { .. } => "a message of an unknown kind",
        }
    }

    /// Whether it is an XSMP message, sent with the negotiated major
    /// opcode rather than ICE's 0.
    #[must_use]
    pub fn is_xsmp(&self) -> bool {
        !matches!(
            self,
            Message::Error(_)
                | Message::ByteOrder(_)
                | Message::ConnectionSetup(_)
                | Message::AuthRequired { .. }
                | Message::AuthReply { .. }
                | Message::AuthNextPhase { .. }
                | Message::ConnectionReply { .. }
                | Message::ProtocolSetup { .. }
                | Message::ProtocolReply { .. }
                | Message::Ping
                | Message::PingReply
                | Message::WantToClose
                | Message::NoClose
                | Message::Unknown { .. }
        )
    }
}
