// Every word the pages show, in English and French. The French labels of
// the dashboard's actions are those of the French MultiPoint documentation
// (SPEC §5), which teachers already know.

/** @typedef {"en" | "fr"} Lang */

const en = {
  "app.title": "Podium Dashboard",
  "app.name": "Podium",
  "language": "Language",
  "login.title": "Log in",
  "login.intro": "Use the user name and password of your account on this computer.",
  "login.user": "User name",
  "login.password": "Password",
  "login.submit": "Log in",
  "login.busy": "Checking…",
  "err.bad_credentials": "Wrong user name or password.",
  "err.throttled": "Too many failed attempts. Wait a minute, then try again.",
  "err.forbidden": "This account may not log in here.",
  "err.network": "The Podium server cannot be reached. Check your network connection.",
  "err.server": "Something went wrong on the server. Try again.",
  "err.session_lost": "Your login has ended. Log in again.",
  "err.desktop_unreachable":
    "Your desktop is on host {host}, which cannot be reached now. Try again in a moment or ask your teacher.",
  "login.handoff": "Opening your desktop on host {host}…",
  "tab.home": "Home",
  "tab.systems": "Systems",
  "tabs": "Dashboard sections",
  "systems.table": "Systems and their load",
  "systems.count.one": "1 system",
  "systems.count.many": "{n} systems",
  "systems.refresh": "Updated every 2 seconds",
  "systems.loading": "Loading the systems…",
  "systems.alone":
    "This host cannot reach the other hosts: it works on its own. Its sessions carry on, and the other hosts are shown as last heard from.",
  "systems.name": "System",
  "systems.state": "State",
  "systems.sessions": "Sessions",
  "systems.load": "Load",
  "systems.memory": "Memory free",
  "systems.this_host": "this host",
  "systems.reachable": "Reachable",
  "systems.unreachable": "Unreachable",
  "systems.silent_s": "silent for {n}\u00a0s",
  "systems.silent_min": "silent for {n}\u00a0min",
  "systems.silent_h": "silent for {n}\u00a0h",
  "systems.never_heard": "never heard from",
  "systems.cpus.one": "{load} on 1 processor",
  "systems.cpus.many": "{load} on {n} processors",
  "systems.memory_of": "of {total}",
  "systems.mb": "{n}\u00a0MB",
  "systems.gb": "{n}\u00a0GB",
  "systems.unknown": "unknown",
  "actions": "Actions",
  "menu.logoff": "Log off users",
  "menu.logoff_selected": "Log off selected users",
  "menu.logoff_all": "Log off all users",
  "menu.disconnect": "Disconnect users",
  "menu.disconnect_selected": "Disconnect selected users",
  "menu.disconnect_all": "Disconnect all users",
  "menu.block": "Block",
  "menu.block_selected": "Block selected users",
  "menu.block_all": "Block all users",
  "menu.unblock": "Unblock",
  "menu.unblock_selected": "Unblock selected users",
  "menu.unblock_all": "Unblock all users",
  "menu.message": "Send message…",
  "disconnect.body":
    "These users' stations are disconnected. Their sessions and programs keep running, and they get them back when they log on again.",
  "disconnect.body_all": "Every session you may disconnect will be — everyone's but yours.",
  "disconnect.ok": "Disconnect",
  "block.body":
    "A notice covers these users' screens, and their keyboard and mouse do nothing until you unblock them. Their programs keep running.",
  "block.body_all": "Every session you may block will be — everyone's but yours.",
  "block.text": "Notice text",
  "block.hint": "Leave empty for “This station is blocked.”, in each user's language.",
  "block.placeholder": "This station is blocked.",
  "block.ok": "Block",
  "message.title": "Send message",
  "message.body": "The message shows on each desktop, with your name, until its user presses OK.",
  "message.to": "Send to",
  "message.to_selected": "Selected users ({n})",
  "message.to_all": "All users",
  "message.text": "Message",
  "message.ok": "Send",
  "message.required": "Type a message first.",
  "message.too_long": "The message is too long: {n} characters at most.",
  "menu.thumbsize": "Thumbnail size",
  "size.small": "Small",
  "size.medium": "Medium",
  "size.large": "Large",
  "menu.signout": "Sign out",
  "menu.context": "Session actions",
  "select_all": "Select all",
  "clear_selection": "Clear selection",
  "selected.zero": "No session selected",
  "selected.one": "1 selected",
  "selected.many": "{n} selected",
  "sessions": "Sessions",
  "sessions.count.one": "1 session",
  "sessions.count.many": "{n} sessions",
  "empty.title": "No sessions",
  "empty.body":
    "Sessions appear here as soon as a user logs on at a station, or when an administrator starts one with “podium session start USER” on this computer.",
  "state.starting": "Starting",
  "state.active": "Active",
  "state.disconnected": "Disconnected",
  "state.closing": "Closing",
  "state.blocked": "Blocked",
  "closing_in": "Closing in {s} s",
  "closing_now": "Closing…",
  "card.name": "{name} ({user}), session {id}",
  "card.alt": "Desktop of {name}",
  "card.session": "Session {id}",
  "card.no_station": "No station",
  "card.loading": "Loading the picture…",
  "card.you": "you",
  "card.name_on": "{name} ({user}), session {id} on {host}",
  "card.session_on": "Session {id} · {host}",
  "state.unreachable": "Unreachable",
  "class.label": "Select a class",
  "class.select": "Select a class…",
  "class.loading": "Loading the classes…",
  "class.none": "No class has a session",
  "class.option.one": "{name} (1 user)",
  "class.option.many": "{name} ({n} users)",
  "hosts.show": "System",
  "hosts.all": "All systems",
  "confirm.body":
    "These users will see a warning, then be logged off. Their applications are asked to close first, so they can save their work.",
  "confirm.body_all": "Every user you may log off will be logged off — everyone but you.",
  "confirm.users": "Users concerned",
  "confirm.grace": "Warning before log off",
  "grace.0": "No warning",
  "grace.s": "{s} seconds",
  "grace.60": "1 minute",
  "grace.120": "2 minutes",
  "confirm.ok": "Log off",
  "cancel": "Cancel",
  "results.title": "Last action",
  "results.dismiss": "Dismiss",
  "outcome.done": "logging off…",
  "outcome.refused": "refused",
  "outcome.not_found": "session no longer exists",
  "outcome.failed": "failed",
  "results.colon": ": ",
  "results.summary": "{done} logging off, {refused} refused",
  "results.summary.some_ended": "{ended} logged off, {pending} logging off, {refused} refused",
  "results.summary.ended": "{ended} logged off, {refused} refused",
  "ended.closed": "logged off",
  "ended.forced": "logged off, some programs forced to close",
  "ended.failed": "logged off with errors",
  "ended.other": "session ended",
  "fate.forced.one": "forced to close",
  "fate.forced.many": "forced to close",
  "fate.stopped.one": "stopped",
  "fate.stopped.many": "stopped",
  "fate.kept.one": "kept for the next session",
  "fate.kept.many": "kept for the next session",
  "fate.closed.one": "closed",
  "fate.closed.many": "closed",
  "app.colon": ": ",
  "app.separator": "; ",
  "app.document": "“{title}”",
  "app.unsaved": "unsaved work",
  "app.unnamed": "a program without a name",
  "done.disconnect": "disconnected",
  "done.block": "blocked",
  "done.unblock": "unblocked",
  "done.message": "message sent",
  "results.summary.disconnect": "{done} disconnected, {refused} not",
  "results.summary.block": "{done} blocked, {refused} not",
  "results.summary.unblock": "{done} unblocked, {refused} not",
  "results.summary.message": "{done} sent, {refused} not sent",
  "reconnecting": "Connection to the server lost. Reconnecting…",
  "signed_in_as": "Signed in as {name}",
  "station.title": "Your desktop",
  "station.kind.browser": "Browser",
  "station.tools": "Desktop",
  "station.desktop": "Your desktop",
  "station.dashboard": "Dashboard",
  "station.lock": "Lock",
  "station.disconnect": "Disconnect",
  "station.logoff": "Log off",
  "station.logoff_title": "Log off?",
  "station.logoff_body": "Your applications are asked to close, so they can save your work, then your session ends.",
  "station.starting": "Opening your desktop…",
  "station.connecting": "Connecting…",
  "station.disconnected": "Disconnected",
  "station.disconnected_body":
    "Your desktop is still running, with all your programs. Reconnect whenever you like, here or on another computer.",
  "station.taken_over": "Your desktop is open elsewhere",
  "station.taken_over_body": "It was opened in another window or on another computer. Your programs keep running.",
  "station.use_here": "Use it here",
  "station.reconnect": "Reconnect",
  "station.ending": "Logging off…",
  "station.ending_body": "Your applications are closing.",
  "station.ended": "Your session has ended.",
  "station.failed": "Your desktop cannot be shown",
  "station.cannot_start": "The desktop could not be started. Try again, or ask your teacher or administrator.",
  "station.elsewhere": "Your desktop runs on host {host}. Sign out, then log in again to be taken there.",
  "station.host_full": "Host {host} is full. Try again in a moment or ask your teacher.",
  "station.locked": "Locked",
  "station.locked_body": "Your desktop is locked. Type your password to unlock it.",
  "station.unlock": "Unlock",
  "station.wrong_password": "Wrong password.",
  "station.warning": "Your session will be logged off in {s} seconds. Save your work now.",
  "menu.mydesktop": "My desktop",
  "station.blocked": "This station is blocked.",
  "station.blocked_body":
    "The keyboard and mouse are paused until the station is unblocked. Your programs keep running.",
  "station.message_from": "Message from {name}",
  "station.message_count": "{i} of {n}",
  "station.message_ok": "OK",
  "station.body": "Hello {name}. Your own desktop will open on this page.",
  "station.clipboard": "Clipboard",
  "station.clipboard_field": "Text on the desktop's clipboard",
  "station.clipboard_help":
    "What you copy on the desktop shows here. Paste or type text here, then paste it on the desktop.",
  "station.clipboard_synced": "Copy and paste also work straight between this computer and the desktop.",
  "station.clipboard_close": "Close",
  "role.admin": "Administrator",
  "role.dashboard": "Dashboard user",
  "role.standard": "User",
  "reason.own_session_in_all": "your own session",
  "reason.own_session": "your own session",
  "reason.administrator_session": "administrator session",
  "reason.not_your_session": "not your session",
  "reason.lock_is_personal": "only the session's user can lock it",
  "reason.start_for_others": "only administrators start sessions for other users",
  "reason.not_allowed_to_log_on": "this account is not allowed to log on",
  "reason.no_such_session": "no such session",
  // View and Take control (issue 19).
  "menu.view": "View",
  "view.cluster_only": "Only from this session's own host",
  "view.title": "{name} ({user})",
  "view.take_control": "Take control",
  "view.close": "Close",
  "view.connecting": "Connecting…",
  "view.viewing": "Viewing: your keys and clicks do not reach this desktop.",
  "view.controlling": "You have control: your keys and clicks drive this desktop.",
  "view.refused": "Refused: {reason}.",
  "view.ended": "The view ended.",
  "view.failed": "The desktop could not be reached.",
  "menu.open": "Open…",
  "open.title": "Open a website or a program",
  "open.body":
    "It opens on each user's desktop, as that user: a website in their web browser, or a program your administrator listed.",
  "open.kind": "Open",
  "open.website": "A website",
  "open.program": "A program",
  "open.url": "Web address",
  "open.url_placeholder": "https://example.org",
  "open.url_hint": "Only addresses starting with http:// or https://.",
  "open.program_label": "Program",
  "open.no_programs": "Your administrator has listed no programs.",
  "open.loading": "Loading the programs…",
  "open.to": "Open on",
  "open.ok": "Open",
  "open.url_required": "Type a web address first.",
  "open.url_scheme": "Only web addresses starting with http:// or https:// can be opened, not {scheme}",
  "open.url_space": "A web address cannot contain spaces or control characters.",
  "open.url_long": "The web address is too long: {n} characters at most.",
  "open.url_host": "The address names no web site after {scheme}//.",
  "open.program_required": "Choose a program first.",
  "done.open": "opened",
  "results.summary.open": "{done} opened, {refused} not",
  // Project my desktop
  "menu.project": "Project my desktop",
  "menu.project_selected": "Project to selected users",
  "menu.project_all": "Project to all users",
  "menu.unproject": "Stop projecting",
  "done.project": "shows your desktop",
  "done.unproject": "has its own desktop back",
  "results.summary.project": "{done} showing your desktop, {refused} not",
  "results.summary.unproject": "{done} given their desktop back, {refused} not",
  "project.no_desktop": "You have no desktop to project: open My desktop first, then try again.",
  "project.badge": "Projected",
  "station.projected": "{name} is showing their screen",
  "station.projected_label": "The screen {name} is showing",
  "station.projected_waiting": "Waiting for {name}'s screen…",
};

/** @type {Record<keyof typeof en, string>} */
const fr = {
  "app.title": "Tableau de bord Podium",
  "app.name": "Podium",
  "language": "Langue",
  "login.title": "Connexion",
  "login.intro": "Utilisez le nom d'utilisateur et le mot de passe de votre compte sur cet ordinateur.",
  "login.user": "Nom d'utilisateur",
  "login.password": "Mot de passe",
  "login.submit": "Se connecter",
  "login.busy": "Vérification…",
  "err.bad_credentials": "Nom d'utilisateur ou mot de passe incorrect.",
  "err.throttled": "Trop de tentatives échouées. Attendez une minute avant de réessayer.",
  "err.forbidden": "Ce compte ne peut pas se connecter ici.",
  "err.network": "Le serveur Podium est injoignable. Vérifiez votre connexion réseau.",
  "err.server": "Une erreur s'est produite sur le serveur. Réessayez.",
  "err.session_lost": "Votre connexion a pris fin. Reconnectez-vous.",
  "err.desktop_unreachable":
    "Votre bureau est sur le système {host}, injoignable pour le moment. Réessayez dans un instant ou demandez à votre enseignant.",
  "login.handoff": "Ouverture de votre bureau sur le système {host}…",
  "tab.home": "Accueil",
  "tab.systems": "Systèmes",
  "tabs": "Sections du tableau de bord",
  "systems.table": "Systèmes et leur charge",
  "systems.count.one": "1 système",
  "systems.count.many": "{n} systèmes",
  "systems.refresh": "Mis à jour toutes les 2 secondes",
  "systems.loading": "Chargement des systèmes…",
  "systems.alone":
    "Cet ordinateur ne joint pas les autres systèmes\u00a0: il fonctionne seul. Ses sessions continuent, et les autres systèmes sont affichés tels qu'à leurs dernières nouvelles.",
  "systems.name": "Système",
  "systems.state": "État",
  "systems.sessions": "Sessions",
  "systems.load": "Charge",
  "systems.memory": "Mémoire libre",
  "systems.this_host": "cet ordinateur",
  "systems.reachable": "Joignable",
  "systems.unreachable": "Injoignable",
  "systems.silent_s": "sans nouvelles depuis {n}\u00a0s",
  "systems.silent_min": "sans nouvelles depuis {n}\u00a0min",
  "systems.silent_h": "sans nouvelles depuis {n}\u00a0h",
  "systems.never_heard": "jamais joint",
  "systems.cpus.one": "{load} sur 1 processeur",
  "systems.cpus.many": "{load} sur {n} processeurs",
  "systems.memory_of": "sur {total}",
  "systems.mb": "{n}\u00a0Mo",
  "systems.gb": "{n}\u00a0Go",
  "systems.unknown": "inconnu",
  "actions": "Actions",
  "menu.logoff": "Déconnecter les utilisateurs",
  "menu.logoff_selected": "Déconnecter les utilisateurs sélectionnés",
  "menu.logoff_all": "Déconnecter tous les utilisateurs",
  "menu.disconnect": "Suspendre les sessions",
  "menu.disconnect_selected": "Suspendre les sessions sélectionnées",
  "menu.disconnect_all": "Suspendre toutes les sessions",
  "menu.block": "Bloquer",
  "menu.block_selected": "Bloquer les utilisateurs sélectionnés",
  "menu.block_all": "Bloquer tous les utilisateurs",
  "menu.unblock": "Débloquer",
  "menu.unblock_selected": "Débloquer les utilisateurs sélectionnés",
  "menu.unblock_all": "Débloquer tous les utilisateurs",
  "menu.message": "Envoyer un message…",
  "disconnect.body":
    "Les postes de ces utilisateurs sont déconnectés. Leurs sessions et leurs programmes continuent de fonctionner ; ils les retrouvent à leur prochaine connexion.",
  "disconnect.body_all": "Toutes les sessions que vous pouvez suspendre le seront — sauf la vôtre.",
  "disconnect.ok": "Suspendre",
  "block.body":
    "Un avis couvre l'écran de ces utilisateurs, et leur clavier et leur souris restent sans effet jusqu'au déblocage. Leurs programmes continuent de fonctionner.",
  "block.body_all": "Toutes les sessions que vous pouvez bloquer le seront — sauf la vôtre.",
  "block.text": "Texte de l'avis",
  "block.hint": "Laissez vide pour « Ce poste est bloqué. », dans la langue de chaque utilisateur.",
  "block.placeholder": "Ce poste est bloqué.",
  "block.ok": "Bloquer",
  "message.title": "Envoyer un message",
  "message.body": "Le message s'affiche sur chaque bureau, avec votre nom, jusqu'à ce que l'utilisateur clique sur OK.",
  "message.to": "Destinataires",
  "message.to_selected": "Utilisateurs sélectionnés ({n})",
  "message.to_all": "Tous les utilisateurs",
  "message.text": "Message",
  "message.ok": "Envoyer",
  "message.required": "Tapez d'abord un message.",
  "message.too_long": "Le message est trop long : {n} caractères au plus.",
  "menu.thumbsize": "Taille des miniatures",
  "size.small": "Petite",
  "size.medium": "Moyenne",
  "size.large": "Grande",
  "menu.signout": "Se déconnecter du tableau de bord",
  "menu.context": "Actions sur la session",
  "select_all": "Tout sélectionner",
  "clear_selection": "Effacer la sélection",
  "selected.zero": "Aucune session sélectionnée",
  "selected.one": "1 sélectionnée",
  "selected.many": "{n} sélectionnées",
  "sessions": "Sessions",
  "sessions.count.one": "1 session",
  "sessions.count.many": "{n} sessions",
  "empty.title": "Aucune session",
  "empty.body":
    "Les sessions apparaissent ici dès qu'un utilisateur ouvre une session sur un poste, ou qu'un administrateur en démarre une avec « podium session start UTILISATEUR » sur cet ordinateur.",
  "state.starting": "Démarrage",
  "state.active": "Active",
  "state.disconnected": "Suspendue",
  "state.closing": "Fermeture",
  "state.blocked": "Bloquée",
  "closing_in": "Fermeture dans {s} s",
  "closing_now": "Fermeture…",
  "card.name": "{name} ({user}), session {id}",
  "card.alt": "Bureau de {name}",
  "card.session": "Session {id}",
  "card.no_station": "Aucun poste",
  "card.loading": "Chargement de l'image…",
  "card.you": "vous",
  "card.name_on": "{name} ({user}), session {id} sur {host}",
  "card.session_on": "Session {id} · {host}",
  "state.unreachable": "Injoignable",
  "class.label": "Sélectionner une classe",
  "class.select": "Sélectionner une classe…",
  "class.loading": "Chargement des classes…",
  "class.none": "Aucune classe n’a de session",
  "class.option.one": "{name} (1 utilisateur)",
  "class.option.many": "{name} ({n} utilisateurs)",
  "hosts.show": "Système",
  "hosts.all": "Tous les systèmes",
  "confirm.body":
    "Ces utilisateurs verront un avertissement, puis seront déconnectés. Leurs applications sont d'abord invitées à se fermer, pour qu'ils puissent enregistrer leur travail.",
  "confirm.body_all": "Tous les utilisateurs que vous pouvez déconnecter le seront — tous sauf vous.",
  "confirm.users": "Utilisateurs concernés",
  "confirm.grace": "Avertissement avant la déconnexion",
  "grace.0": "Aucun avertissement",
  "grace.s": "{s} secondes",
  "grace.60": "1 minute",
  "grace.120": "2 minutes",
  "confirm.ok": "Déconnecter",
  "cancel": "Annuler",
  "results.title": "Dernière action",
  "results.dismiss": "Fermer",
  "outcome.done": "déconnexion en cours…",
  "outcome.refused": "refusé",
  "outcome.not_found": "la session n'existe plus",
  "outcome.failed": "échec",
  "results.colon": "\u00a0: ",
  "results.summary": "{done} en cours de déconnexion, {refused} refusé(s)",
  "results.summary.some_ended": "{ended} déconnecté(s), {pending} en cours de déconnexion, {refused} refusé(s)",
  "results.summary.ended": "{ended} déconnecté(s), {refused} refusé(s)",
  "ended.closed": "déconnexion terminée",
  "ended.forced": "déconnexion terminée, des programmes ont été fermés de force",
  "ended.failed": "déconnexion terminée avec des erreurs",
  "ended.other": "session terminée",
  "fate.forced.one": "fermé de force",
  "fate.forced.many": "fermés de force",
  "fate.stopped.one": "arrêté",
  "fate.stopped.many": "arrêtés",
  "fate.kept.one": "gardé pour la prochaine session",
  "fate.kept.many": "gardés pour la prochaine session",
  "fate.closed.one": "fermé",
  "fate.closed.many": "fermés",
  "app.colon": "\u00a0: ",
  "app.separator": "\u00a0; ",
  "app.document": "«\u00a0{title}\u00a0»",
  "app.unsaved": "travail non enregistré",
  "app.unnamed": "un programme sans nom",
  "done.disconnect": "suspendue",
  "done.block": "bloqué",
  "done.unblock": "débloqué",
  "done.message": "message envoyé",
  "results.summary.disconnect": "{done} suspendue(s), {refused} non",
  "results.summary.block": "{done} bloqué(s), {refused} non",
  "results.summary.unblock": "{done} débloqué(s), {refused} non",
  "results.summary.message": "{done} envoyé(s), {refused} non envoyé(s)",
  "reconnecting": "Connexion au serveur perdue. Reconnexion…",
  "signed_in_as": "Connecté en tant que {name}",
  "station.title": "Votre bureau",
  "station.kind.browser": "Navigateur",
  "station.tools": "Bureau",
  "station.desktop": "Votre bureau",
  "station.dashboard": "Tableau de bord",
  "station.lock": "Verrouiller",
  "station.disconnect": "Suspendre",
  "station.logoff": "Se déconnecter",
  "station.logoff_title": "Se déconnecter ?",
  "station.logoff_body":
    "Vos applications sont invitées à se fermer, pour enregistrer votre travail, puis votre session se termine.",
  "station.starting": "Ouverture de votre bureau…",
  "station.connecting": "Connexion…",
  "station.disconnected": "Session suspendue",
  "station.disconnected_body":
    "Votre bureau continue de fonctionner, avec tous vos programmes. Reconnectez-vous quand vous voulez, ici ou sur un autre ordinateur.",
  "station.taken_over": "Votre bureau est ouvert ailleurs",
  "station.taken_over_body":
    "Il a été ouvert dans une autre fenêtre ou sur un autre ordinateur. Vos programmes continuent de fonctionner.",
  "station.use_here": "L'utiliser ici",
  "station.reconnect": "Se reconnecter",
  "station.ending": "Déconnexion…",
  "station.ending_body": "Vos applications se ferment.",
  "station.ended": "Votre session est terminée.",
  "station.failed": "Votre bureau ne peut pas être affiché",
  "station.cannot_start":
    "Le bureau n'a pas pu démarrer. Réessayez, ou demandez à votre enseignant ou à l'administrateur.",
  "station.elsewhere":
    "Votre bureau s'exécute sur le système {host}. Déconnectez-vous, puis reconnectez-vous pour y être conduit.",
  "station.host_full": "Le système {host} est complet. Réessayez dans un instant ou demandez à votre enseignant.",
  "station.locked": "Verrouillé",
  "station.locked_body": "Votre bureau est verrouillé. Tapez votre mot de passe pour le déverrouiller.",
  "station.unlock": "Déverrouiller",
  "station.wrong_password": "Mot de passe incorrect.",
  "station.warning": "Votre session sera fermée dans {s} secondes. Enregistrez votre travail maintenant.",
  "menu.mydesktop": "Mon bureau",
  "station.blocked": "Ce poste est bloqué.",
  "station.blocked_body":
    "Le clavier et la souris sont suspendus jusqu'au déblocage du poste. Vos programmes continuent de fonctionner.",
  "station.message_from": "Message de {name}",
  "station.message_count": "{i} sur {n}",
  "station.message_ok": "OK",
  "station.body": "Bonjour {name}. Votre propre bureau s'ouvrira sur cette page.",
  "station.clipboard": "Presse-papiers",
  "station.clipboard_field": "Texte du presse-papiers du bureau",
  "station.clipboard_help":
    "Ce que vous copiez sur le bureau s'affiche ici. Collez ou tapez du texte ici, puis collez-le sur le bureau.",
  "station.clipboard_synced": "Le copier-coller fonctionne aussi directement entre cet ordinateur et le bureau.",
  "station.clipboard_close": "Fermer",
  "role.admin": "Administrateur",
  "role.dashboard": "Utilisateur du tableau de bord",
  "role.standard": "Utilisateur",
  "reason.own_session_in_all": "votre propre session",
  "reason.own_session": "votre propre session",
  "reason.administrator_session": "session d'administrateur",
  "reason.not_your_session": "ce n'est pas votre session",
  "reason.lock_is_personal": "seul l'utilisateur de la session peut la verrouiller",
  "reason.start_for_others": "seuls les administrateurs ouvrent des sessions pour d'autres utilisateurs",
  "reason.not_allowed_to_log_on": "ce compte n'est pas autorisé à ouvrir une session",
  "reason.no_such_session": "session introuvable",
  // View and Take control (issue 19).
  "menu.view": "Afficher",
  "view.cluster_only": "Seulement depuis le système de cette session",
  "view.title": "{name} ({user})",
  "view.take_control": "Prendre le contrôle",
  "view.close": "Fermer",
  "view.connecting": "Connexion…",
  "view.viewing": "Affichage : vos touches et clics n'atteignent pas ce bureau.",
  "view.controlling": "Vous avez le contrôle : vos touches et clics pilotent ce bureau.",
  "view.refused": "Refusé : {reason}.",
  "view.ended": "L'affichage est terminé.",
  "view.failed": "Le bureau est injoignable.",
  "menu.open": "Ouvrir…",
  "open.title": "Ouvrir un site web ou un programme",
  "open.body":
    "Il s'ouvre sur le bureau de chaque utilisateur, en son nom : un site web dans son navigateur, ou un programme indiqué par votre administrateur.",
  "open.kind": "Ouvrir",
  "open.website": "Un site web",
  "open.program": "Un programme",
  "open.url": "Adresse web",
  "open.url_placeholder": "https://exemple.fr",
  "open.url_hint": "Seulement les adresses commençant par http:// ou https://.",
  "open.program_label": "Programme",
  "open.no_programs": "Votre administrateur n'a indiqué aucun programme.",
  "open.loading": "Chargement des programmes…",
  "open.to": "Ouvrir sur",
  "open.ok": "Ouvrir",
  "open.url_required": "Tapez d'abord une adresse web.",
  "open.url_scheme": "Seules les adresses web commençant par http:// ou https:// peuvent être ouvertes, pas {scheme}",
  "open.url_space": "Une adresse web ne peut contenir ni espace ni caractère de contrôle.",
  "open.url_long": "L'adresse web est trop longue : {n} caractères au plus.",
  "open.url_host": "L'adresse ne nomme aucun site web après {scheme}//.",
  "open.program_required": "Choisissez d'abord un programme.",
  "done.open": "ouvert",
  "results.summary.open": "{done} ouvert(s), {refused} non",
  // Projeter mon bureau
  "menu.project": "Projeter mon bureau",
  "menu.project_selected": "Projeter vers les utilisateurs sélectionnés",
  "menu.project_all": "Projeter vers tous les utilisateurs",
  "menu.unproject": "Arrêter la projection",
  "done.project": "affiche votre bureau",
  "done.unproject": "a retrouvé son bureau",
  "results.summary.project": "{done} affiche(nt) votre bureau, {refused} non",
  "results.summary.unproject": "{done} a (ont) retrouvé son (leur) bureau, {refused} non",
  "project.no_desktop": "Vous n'avez pas de bureau à projeter : ouvrez d'abord Mon bureau, puis réessayez.",
  "project.badge": "Projeté",
  "station.projected": "{name} projette son écran",
  "station.projected_label": "L'écran que {name} projette",
  "station.projected_waiting": "En attente de l'écran de {name}…",
};

/** @typedef {keyof typeof en} Key */

const STORAGE = "podium.lang";

/** @returns {Lang} */
function initial() {
  // A login handed over from another host of the school brings the
  // language picked there (`#lang=fr`): each host keeps its own.
  const brought = /^#lang=(en|fr)$/.exec(location.hash)?.[1];
  if (brought === "en" || brought === "fr") {
    localStorage.setItem(STORAGE, brought);
    history.replaceState(null, "", location.pathname + location.search);
  }
  const saved = localStorage.getItem(STORAGE);
  if (saved === "en" || saved === "fr") return saved;
  return navigator.language.toLowerCase().startsWith("fr") ? "fr" : "en";
}

/** @type {Lang} */
let current = initial();
document.documentElement.lang = current;

/** @returns {Lang} */
export function lang() {
  return current;
}

/**
 * The language the user picked with the language menu, if they did (not
 * the browser's): the one their desktop is asked to speak.
 * @returns {Lang | null}
 */
export function pickedLang() {
  const saved = localStorage.getItem(STORAGE);
  return saved === "en" || saved === "fr" ? saved : null;
}

/** @param {Lang} l */
export function setLang(l) {
  current = l;
  localStorage.setItem(STORAGE, l);
  document.documentElement.lang = l;
}

/**
 * The text for `key`, with `{name}` placeholders filled from `vars`.
 * @param {Key} key
 * @param {Record<string, string | number>} [vars]
 */
export function t(key, vars = {}) {
  const table = current === "fr" ? fr : en;
  return table[key].replace(/\{(\w+)\}/g, (_, name) => String(vars[name] ?? `{${name}}`));
}

/**
 * A count in words: "1 selected", "3 selected"; `vars` fills the other placeholders.
 * @param {"selected" | "sessions.count" | "systems.count" | "systems.cpus" | "class.option"} base
 * @param {number} n
 * @param {Record<string, string | number>} [vars]
 */
export function plural(base, n, vars = {}) {
  if (base === "selected" && n === 0) return t("selected.zero");
  return n === 1 ? t(/** @type {Key} */ (`${base}.one`), vars) : t(/** @type {Key} */ (`${base}.many`), { ...vars, n });
}

/**
 * A number as the page's language writes it ("0.42", "0,42").
 * @param {number} n
 * @param {Intl.NumberFormatOptions} [options]
 */
export function number(n, options = { maximumFractionDigits: 1 }) {
  return new Intl.NumberFormat(current, options).format(n);
}

/**
 * Why a target was not done, in the page's language: translated by the
 * result's stable `code`; the server's English `reason` when the code is
 * missing or newer than this page.
 * @param {{ code?: string, reason?: string }} result
 */
export function reason({ code, reason }) {
  const key = /** @type {Key} */ (`reason.${code}`);
  return code !== undefined && key in en ? t(key) : (reason ?? "");
}

/**
 * A refusal's English reason, as the API words it, in the page's language
 * (the viewer route's 403 says why only in words).
 * @param {string} text
 */
export function reasonOfText(text) {
  const key = /** @type {Key | undefined} */ (
    Object.keys(en).find((k) => k.startsWith("reason.") && en[/** @type {Key} */ (k)] === text)
  );
  return key ? t(key) : text;
}
