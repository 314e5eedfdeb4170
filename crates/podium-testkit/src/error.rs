//! The one error type of the test kit's library, so its checks and helpers
//! fail in one way and a caller can tell what went wrong from the variant.

use std::path::PathBuf;
use std::time::Duration;

/// Why a check or a test helper of the kit could not do its job. Each
/// variant carries what a person needs to go and look (the file and place,
/// the table line, the step of the VNC conversation), so a failed check or
/// test says where the trouble is without a second run.
#[derive(Debug, thiserror::Error)]
pub enum TestkitError {
    /// `cargo metadata` could not be started, so there is no workspace to
    /// read.
    #[error("cannot run cargo metadata: {source}")]
    CargoRun {
        /// The system's error.
        source: std::io::Error,
    },
    /// `cargo metadata` ran and refused (a bad manifest, a missing
    /// workspace): its own words say why.
    #[error("cargo metadata failed: {stderr}")]
    CargoFailed {
        /// What cargo wrote on standard error, trimmed.
        stderr: String,
    },
    /// `cargo metadata` printed something that is not JSON, so a different
    /// cargo (or something else) answered.
    #[error("cargo metadata said no JSON: {source}")]
    CargoJson {
        /// The JSON parser's error.
        source: serde_json::Error,
    },
    /// `cargo metadata` left out a field the workspace is read from.
    #[error("cargo metadata gave no {field}")]
    CargoField {
        /// The field that was missing (`workspace_root`, `packages`).
        field: &'static str,
    },
    /// A source file of a crate could not be read, so its modules are
    /// unknown.
    #[error("cannot read {}: {source}", path.display())]
    ReadSource {
        /// The file.
        path: PathBuf,
        /// The system's error.
        source: std::io::Error,
    },
    /// A source file is not Rust the parser understands; the place is where
    /// it gave up.
    #[error("cannot parse {}:{line}:{column}: {source}", path.display())]
    ParseSource {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// The parser's error.
        source: syn::Error,
    },
    /// `mod name;` names a file that is in neither place the compiler
    /// looks, so the crate would not build either.
    #[error("{}: `mod {name};` has neither {} nor {}", parent.display(), flat.display(), nested.display())]
    ModuleMissing {
        /// The file with the `mod` line.
        parent: PathBuf,
        /// The module's name.
        name: String,
        /// Where `name.rs` was looked for.
        flat: PathBuf,
        /// Where `name/mod.rs` was looked for.
        nested: PathBuf,
    },
    /// A line of the package table has fewer than three words, so it cannot
    /// say which package provides what.
    #[error("line {line}: expected `KIND NAME PACKAGE`, got `{text}`")]
    TableLine {
        /// 1-based line number.
        line: usize,
        /// The line, comment and surrounding blanks removed.
        text: String,
    },
    /// A line of the package table starts with a kind the check does not
    /// know, most likely a typo.
    #[error("line {line}: unknown kind `{kind}` (lib, tool or package)")]
    TableKind {
        /// 1-based line number.
        line: usize,
        /// The word that stands where the kind should.
        kind: String,
    },
    /// A user could not connect to a Unix socket: what the kernel told
    /// them, which is what the access tests look at.
    #[error("{user} cannot connect to {}: {message}", path.display())]
    UnixConnect {
        /// The user's login name.
        user: String,
        /// The socket.
        path: PathBuf,
        /// What the client printed (`connect: Permission denied`).
        message: String,
    },
    /// The VNC socket could not be reached (no session, or no permission).
    #[error("connect {}: {source}", path.display())]
    VncConnect {
        /// The socket.
        path: PathBuf,
        /// The system's error.
        source: std::io::Error,
    },
    /// Reading or writing the VNC socket failed mid-conversation.
    #[error("{doing} the VNC socket: {source}")]
    VncSocket {
        /// What was being done ("reading", "writing", "setting a read
        /// timeout on").
        doing: &'static str,
        /// The system's error.
        source: std::io::Error,
    },
    /// The station's relay closed, or sent nothing for as long as the
    /// viewer waits, before the bytes the viewer waited for came.
    #[error("the relay closed (or sent nothing for {waited:?})")]
    RelayClosed {
        /// How long the viewer waited for the next message.
        waited: std::time::Duration,
    },
    /// The relay closed while a viewer read its pictures.
    #[error("the relay closed (code {code:?})")]
    RelayClosedWith {
        /// The close code, if it sent one.
        code: Option<u16>,
    },
    /// A server message the viewer could not frame.
    #[error("cannot frame the server's messages: {0}")]
    RfbFraming(String),
    /// The VNC server closed its socket before the bytes the viewer waited
    /// for came.
    #[error("the socket closed")]
    SocketClosed,
    /// A binary WebSocket message could not be sent: the socket is closed
    /// or broken.
    #[error("cannot send on the WebSocket: {source}")]
    WebSocketSend {
        /// The WebSocket library's error.
        source: tokio_tungstenite::tungstenite::Error,
    },
    /// The server's greeting is not the only RFB version the viewer speaks.
    #[error("not RFB 3.8: {0:?}")]
    RfbVersion(String),
    /// The server does not offer the None security type, the only one the
    /// viewer speaks.
    #[error("no None security type: {0:?}")]
    RfbSecurityTypes(Vec<u8>),
    /// The server refused the None security type it offered.
    #[error("security refused: {0:?}")]
    RfbSecurityRefused(Vec<u8>),
    /// This machine lacks something a test of several hosts needs (root,
    /// `ip`, `nats-server`): the test fails and says what, rather than
    /// passing without having run.
    #[error("cannot build a test cluster here: {0}")]
    ClusterPrerequisite(String),
    /// A program of the cluster harness (`ip`, `nats-server`) could not be
    /// started at all.
    #[error("cannot run {program}: {source}")]
    CommandStart {
        /// The program.
        program: String,
        /// The system's error.
        source: std::io::Error,
    },
    /// A command of the cluster harness ran and refused; its own words say
    /// why (`RTNETLINK answers: File exists`).
    #[error("`{command}` failed: {stderr}")]
    CommandFailed {
        /// The command line.
        command: String,
        /// What it wrote on standard error, trimmed.
        stderr: String,
    },
    /// A file or directory of a test cluster could not be made, written or
    /// read.
    #[error("cannot {doing} {}: {source}", path.display())]
    ClusterFile {
        /// What was being done ("create", "write", "open the log").
        doing: &'static str,
        /// The file or directory.
        path: PathBuf,
        /// The system's error.
        source: std::io::Error,
    },
    /// Every test subnet this process may use is already routed on this
    /// machine, so a bridge would reach somebody else's hosts.
    #[error("no free test subnet: every one from {first} on is routed already")]
    NoFreeSubnet {
        /// The first subnet tried (the process's own).
        first: String,
    },
    /// The bridge's subnet has no address left for another host.
    #[error("the test bridge {bridge} has no address left for host {host}")]
    NoHostAddress {
        /// The bridge.
        bridge: String,
        /// The host that asked.
        host: String,
    },
    /// A name given to a test host cannot name a namespace.
    #[error("`{0}` cannot name a test host: use 1 to 20 of a-z, 0-9 and -")]
    HostName(String),
    /// A certificate or key of the test CA could not be made.
    #[error("cannot make the test certificate for {subject}: {source}")]
    Certificate {
        /// Whom the certificate is for ("the CA", "node 2").
        subject: String,
        /// The generator's error.
        source: rcgen::Error,
    },
    /// No port could be had on an address of the test network.
    #[error("cannot find a free port on {address}: {source}")]
    FreePort {
        /// The address.
        address: std::net::Ipv4Addr,
        /// The system's error.
        source: std::io::Error,
    },
    /// A NATS node did not become healthy in time; the end of its log says
    /// why, so the test's failure is readable without a second run.
    #[error("NATS node {node} not ready after {waited:?} (last: {last}); end of {}:\n{log}", log_path.display())]
    NodeNotReady {
        /// The node's index.
        node: usize,
        /// How long it was given.
        waited: Duration,
        /// The last answer or error of its monitoring port.
        last: String,
        /// Its log file.
        log_path: PathBuf,
        /// The last lines of the log.
        log: String,
    },
    /// No running node of the test cluster could say what a stream holds.
    #[error("no node says what stream {stream} holds: {last}")]
    StreamState {
        /// The stream.
        stream: String,
        /// The last node's answer.
        last: String,
    },
    /// A node index the cluster does not have.
    #[error("the test cluster has no node {index} (it has {count})")]
    NoSuchNode {
        /// The index asked for.
        index: usize,
        /// How many nodes the cluster has.
        count: usize,
    },
}
