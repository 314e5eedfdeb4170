//! Following each application through a log off, for its outcome: what it
//! had open when the deadline came, whether it kept its work or closed
//! when asked, and — from the worker's end report — whether it had to be
//! killed.

use super::office;
use podium_core::apps::{self, AppFate, AppOutcome};
use podium_x11::windows::AppWindow;

/// One application as the log off follows it: the windows of one process
/// and class.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tracked {
    /// Its process, when its windows say (`_NET_WM_PID`).
    pub pid: Option<u32>,
    /// Its window class.
    pub class: String,
    /// Its windows' titles at the deadline (documents' titles once the
    /// application named them).
    pub titles: Vec<String>,
    /// How many windows it had at the deadline.
    windows: usize,
    /// Known to hold unsaved work.
    pub unsaved: bool,
    /// Decided before the worker's SIGTERM: kept or closed.
    pub fate: Option<AppFate>,
}

/// The applications behind the windows on the screen at the deadline.
#[must_use]
pub fn track(windows: &[AppWindow]) -> Vec<Tracked> {
    let mut tracked: Vec<Tracked> = Vec::new();
    for w in windows {
        let same = |t: &&mut Tracked| t.pid.is_some() && t.pid == w.pid && t.class == w.class;
        match tracked.iter_mut().find(same) {
            Some(t) => {
                t.titles.push(w.title.clone());
                t.windows += 1;
                t.unsaved |= apps::title_says_unsaved(&w.title);
            }
            None => tracked.push(Tracked {
                pid: w.pid,
                class: w.class.clone(),
                titles: vec![w.title.clone()],
                windows: 1,
                unsaved: apps::title_says_unsaved(&w.title),
                fate: None,
            }),
        }
    }
    tracked
}

/// LibreOffice process `pid` kept `answer`'s documents for the next
/// session: its applications are kept, named by their documents.
pub fn note_kept(tracked: &mut [Tracked], pid: i32, answer: &office::Answer) {
    if !answer.kept {
        return;
    }
    for t in tracked
        .iter_mut()
        .filter(|t| t.pid.is_some_and(|p| i64::from(p) == i64::from(pid)))
    {
        let documents: Vec<&office::Document> = answer
            .documents
            .iter()
            .filter(|d| !d.title.is_empty() && t.titles.iter().any(|w| w.starts_with(&d.title)))
            .collect();
        if !documents.is_empty() {
            t.titles = documents.iter().map(|d| d.title.clone()).collect();
            t.unsaved = documents.iter().any(|d| d.modified);
        }
        t.fate = Some(AppFate::Kept);
    }
}

/// What is left on the screen once the desktop and the windows were asked
/// to close, just before SIGTERM: applications whose process is gone
/// closed; those still showing more windows than at the deadline (a "save
/// changes?" dialog) or an unsaved mark hold unsaved work.
pub fn note_remaining(tracked: &mut [Tracked], remaining: &[AppWindow], running: impl Fn(u32) -> bool) {
    for t in tracked.iter_mut().filter(|t| t.fate.is_none()) {
        let left: Vec<&AppWindow> = remaining
            .iter()
            .filter(|w| w.class == t.class && (t.pid.is_none() || w.pid == t.pid))
            .collect();
        let gone = match t.pid {
            Some(pid) => !running(pid),
            None => left.is_empty(),
        };
        if gone {
            t.fate = Some(AppFate::Closed);
            continue;
        }
        let others = remaining
            .iter()
            .filter(|w| t.pid.is_some() && w.pid == t.pid && w.class != t.class)
            .count();
        t.unsaved |= left.len() + others > t.windows || left.iter().any(|w| apps::title_says_unsaved(&w.title));
    }
}

/// The outcome of each application, once the worker has said which
/// processes it killed.
#[must_use]
pub fn outcomes(tracked: &[Tracked], killed: &[i32]) -> Vec<AppOutcome> {
    tracked
        .iter()
        .map(|t| {
            let fate = t.fate.unwrap_or_else(|| {
                let was_killed = t
                    .pid
                    .is_some_and(|p| killed.iter().any(|k| i64::from(*k) == i64::from(p)));
                if was_killed { AppFate::Forced } else { AppFate::Stopped }
            });
            AppOutcome {
                name: apps::display_name(&t.class),
                titles: t.titles.clone(),
                fate,
                unsaved: t.unsaved,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn window(window: u32, pid: u32, class: &str, title: &str) -> AppWindow {
        AppWindow {
            window,
            pid: Some(pid),
            class: class.into(),
            title: title.into(),
            closable: true,
        }
    }

    #[test]
    fn a_save_dialog_left_open_means_unsaved_work_and_a_kill_means_forced() {
        let at_deadline = [
            window(1, 10, "Mousepad", "*Untitled 1 - Mousepad"),
            window(2, 20, "XClock", "xclock"),
            window(3, 30, "Firefox-esr", "Devoir — Mozilla Firefox"),
            window(4, 40, "Gedit", "notes.txt - gedit"),
        ];
        let mut t = track(&at_deadline);
        assert!(t[0].unsaved, "the title's mark");
        let remaining = [
            window(1, 10, "Mousepad", "*Untitled 1 - Mousepad"),
            window(5, 10, "Mousepad", "Save Changes"),
            window(2, 20, "XClock", "xclock"),
            window(4, 40, "Gedit", "notes.txt - gedit"),
            window(6, 40, "Gedit", "Question"),
        ];
        note_remaining(&mut t, &remaining, |pid| pid != 30);
        let out = outcomes(&t, &[10, 40]);
        let fates: Vec<(String, AppFate, bool)> = out.iter().map(|a| (a.name.clone(), a.fate, a.unsaved)).collect();
        assert_eq!(
            fates,
            vec![
                ("Mousepad".into(), AppFate::Forced, true),
                ("XClock".into(), AppFate::Stopped, false),
                ("Firefox".into(), AppFate::Closed, false),
                ("Gedit".into(), AppFate::Forced, true),
            ]
        );
    }

    #[test]
    fn libreoffice_names_its_documents_and_says_which_it_kept() {
        let mut t = track(&[
            window(1, 77, "libreoffice-writer", "Untitled 2 - LibreOffice Writer"),
            window(2, 77, "libreoffice-calc", "marks.ods - LibreOffice Calc"),
        ]);
        let answer = office::Answer {
            kept: true,
            documents: vec![
                office::Document {
                    title: "Untitled 2".into(),
                    modified: true,
                    url: String::new(),
                },
                office::Document {
                    title: "marks.ods".into(),
                    modified: false,
                    url: "file:///home/p/marks.ods".into(),
                },
            ],
            error: None,
        };
        note_kept(&mut t, 77, &answer);
        let out = outcomes(&t, &[]);
        assert_eq!(out[0].name, "LibreOffice Writer");
        assert_eq!(out[0].titles, vec!["Untitled 2".to_owned()]);
        assert_eq!((out[0].fate, out[0].unsaved), (AppFate::Kept, true));
        assert_eq!((out[1].fate, out[1].unsaved), (AppFate::Kept, false));
        assert_eq!(
            podium_core::apps::summary(&out),
            "kept: LibreOffice Writer (\"Untitled 2\", unsaved, kept), LibreOffice Calc (\"marks.ods\")"
        );
    }

    #[test]
    fn an_answer_that_kept_nothing_changes_nothing() {
        let mut t = track(&[window(1, 77, "libreoffice-writer", "Untitled 2 - LibreOffice Writer")]);
        let before = t.clone();
        note_kept(
            &mut t,
            77,
            &office::Answer {
                kept: false,
                documents: Vec::new(),
                error: Some("disk full".into()),
            },
        );
        assert_eq!(t, before);
    }
}
