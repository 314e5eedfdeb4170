// The part of noVNC's RFB class the station page uses (noVNC ships no types).
declare module "@novnc/novnc" {
  export default class RFB extends EventTarget {
    constructor(target: HTMLElement, url: string, options?: { wsProtocols?: string[]; shared?: boolean });
    scaleViewport: boolean;
    resizeSession: boolean;
    clipViewport: boolean;
    focusOnClick: boolean;
    viewOnly: boolean;
    background: string;
    disconnect(): void;
    focus(): void;
    /** Puts `text` on the desktop's clipboard. */
    clipboardPasteFrom(text: string): void;
    // noVNC 1.7's own steps of a remote resize, which desktopsize.js
    // bounds (it has no setting for it).
    _screenSize(): { w: number; h: number };
    _requestRemoteResize(): void;
  }
}
