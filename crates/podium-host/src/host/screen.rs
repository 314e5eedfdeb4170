//! What Podium keeps on a session's screen besides the log-off warning: the
//! block notice (with the display's input switched off), the messages
//! box and the bar naming who watches the desktop. Each session's screen is changed by one operation at a time, off
//! the async threads (X calls block).

use crate::error::{HostError, Result};
use crate::host::state::Host;
use crate::live::Live;
use podium_x11::DisplayAccess;
use podium_x11::block::BlockNotice;
use podium_x11::message::{MessageBox, QueuedMessage};
use podium_x11::vncext;
use podium_x11::watched::{self, WatchedNotice};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

/// Runs blocking X work off the async threads; its error in words.
async fn blocking<T: Send + 'static>(work: impl FnOnce() -> podium_x11::Result<T> + Send + 'static) -> Result<T> {
    match tokio::task::spawn_blocking(work).await {
        Ok(r) => Ok(r?),
        Err(e) => Err(HostError::Unreachable(e.to_string())),
    }
}

/// The session's display, or why there is none.
fn access(live: &Live) -> Result<DisplayAccess> {
    live.display_access().ok_or(HostError::NoDisplay)
}

fn queued(live: &Live) -> Vec<QueuedMessage> {
    live.state()
        .messages
        .iter()
        .map(|m| QueuedMessage {
            id: m.id,
            from: m.from_name.clone(),
            text: m.text.clone(),
            sent_at: SystemTime::UNIX_EPOCH + Duration::from_secs(u64::try_from(m.sent_at.unix()).unwrap_or(0)),
        })
        .collect()
}

/// Whether somebody drives the desktop from the dashboard now (the block
/// notice then stands aside for them).
fn controlled(live: &Live) -> bool {
    live.state().watchers.iter().any(|w| w.controls)
}

impl Host {
    /// Covers the screen with the block notice (`text`, or the default when
    /// empty) and switches off the display's keyboard and pointer input.
    pub(crate) async fn show_block(self: &Arc<Self>, live: &Arc<Live>, text: &str) -> Result<()> {
        let access = access(live)?;
        let (lang, message) = (live.lang(), text.to_owned());
        let mut screen = live.screen.lock().await;
        // Blocked already (and still on screen): a new text only.
        if let Some(shown) = screen.block.as_ref().filter(|b| b.is_shown()) {
            shown.update(&message);
            return Ok(());
        }
        let notice = blocking(move || {
            vncext::set_input_allowed(&access, false)?;
            BlockNotice::show(&access, lang, &message)
        })
        .await?;
        notice.set_aside(controlled(live));
        if let Some(old) = screen.block.replace(notice) {
            drop(screen);
            let _ = blocking(move || {
                old.close();
                Ok(())
            })
            .await;
        }
        Ok(())
    }

    /// Takes the block notice away and gives the display its input back.
    pub(crate) async fn hide_block(self: &Arc<Self>, live: &Arc<Live>) -> Result<()> {
        let access = access(live)?;
        let old = live.screen.lock().await.block.take();
        blocking(move || {
            if let Some(old) = old {
                old.close();
            }
            vncext::set_input_allowed(&access, true)
        })
        .await
    }

    /// Shows the session's waiting messages (the first one, and how many
    /// follow), or takes the box away when none is left.
    pub(crate) async fn show_messages(self: &Arc<Self>, live: &Arc<Live>) -> Result<()> {
        let messages = queued(live);
        let mut screen = live.screen.lock().await;
        if let Some(shown) = &screen.messages {
            if messages.is_empty() {
                if let Some(b) = screen.messages.take() {
                    let _ = blocking(move || {
                        b.close();
                        Ok(())
                    })
                    .await;
                }
            } else {
                shown.update(messages);
            }
            return Ok(());
        }
        if messages.is_empty() {
            return Ok(());
        }
        let access = access(live)?;
        let lang = live.lang();
        let shown = blocking(move || MessageBox::show(&access, lang, messages)).await?;
        let mut dismissed = shown.dismissed();
        screen.messages = Some(shown);
        drop(screen);
        // OK pressed on the desktop: the same as OK on the station.
        let (host, live) = (self.clone(), live.clone());
        tokio::spawn(async move {
            while let Some(id) = dismissed.recv().await {
                host.dismiss_boxed(live.clone(), id).await;
            }
        });
        Ok(())
    }

    /// Puts the bar naming the session's watchers on its screen, changes
    /// it, or takes it away when nobody is left. Viewers are named only
    /// while `privacy.show_watched` is on; controllers always are. Reads
    /// the watchers under the screen's lock, so calls that race end with
    /// the last list shown.
    pub(crate) async fn show_watchers(self: &Arc<Self>, live: &Arc<Live>) -> Result<()> {
        let mut screen = live.screen.lock().await;
        let named = self.named_watchers(live);
        if let Some(block) = &screen.block {
            block.set_aside(controlled(live));
        }
        if named.is_empty() {
            if let Some(bar) = screen.watched.take() {
                drop(screen);
                let _ = blocking(move || {
                    bar.close();
                    Ok(())
                })
                .await;
            }
            return Ok(());
        }
        if let Some(bar) = screen.watched.as_ref().filter(|b| b.is_shown()) {
            bar.update(named);
            return Ok(());
        }
        let access = access(live)?;
        let lang = live.lang();
        let bar = blocking(move || WatchedNotice::show(&access, lang, named)).await?;
        if let Some(old) = screen.watched.replace(bar) {
            drop(screen);
            let _ = blocking(move || {
                old.close();
                Ok(())
            })
            .await;
        }
        Ok(())
    }

    /// The session's watchers as its user is told of them.
    fn named_watchers(&self, live: &Live) -> Vec<watched::Watcher> {
        let show_viewers = self.config.privacy.show_watched;
        live.state()
            .watchers
            .iter()
            .filter(|w| w.controls || show_viewers)
            .map(|w| watched::Watcher {
                name: w.name.clone(),
                controls: w.controls,
            })
            .collect()
    }

    /// Drops every VNC viewer of the session's display (the relay's
    /// stations are kicked separately).
    pub(crate) async fn drop_viewers(self: &Arc<Self>, live: &Arc<Live>) {
        let Ok(access) = access(live) else {
            return;
        };
        if let Err(e) = blocking(move || vncext::disconnect_viewers(&access)).await {
            tracing::warn!(session = live.id, "cannot drop the display's viewers: {e}");
        }
    }

    /// Makes sure a blocked session's display ignores input, and one a
    /// teacher's desktop is projected onto (a station is about to
    /// connect; the user's own programs could have switched it on).
    pub(crate) fn enforce_block(self: &Arc<Self>, live: &Arc<Live>) {
        if live.state().block.is_none() && live.projection().is_none() {
            return;
        }
        let Ok(access) = access(live) else {
            return;
        };
        let id = live.id;
        tokio::spawn(async move {
            if let Err(e) = blocking(move || vncext::set_input_allowed(&access, false)).await {
                tracing::warn!(session = id, "cannot switch the blocked display's input off: {e}");
            }
        });
    }

    /// After a restart: puts the block notice and the messages back.
    pub(crate) fn restore_screen(self: &Arc<Self>, live: &Arc<Live>) {
        let (host, live) = (self.clone(), live.clone());
        tokio::spawn(async move {
            let block = live.state().block.clone();
            if let Some(text) = block
                && let Err(e) = host.show_block(&live, &text).await
            {
                tracing::warn!(session = live.id, "cannot show the block notice again: {e}");
            }
            if let Err(e) = host.show_messages(&live).await {
                tracing::warn!(session = live.id, "cannot show the messages again: {e}");
            }
            host.end_left_projection(&live).await;
        });
    }
}
