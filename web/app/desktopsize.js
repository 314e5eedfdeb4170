// The size the station asks the desktop to take: its screen area's, kept
// within what a desktop can use. noVNC's remote resize asks for exactly its
// element's size, with no bounds; a phone-sized page would get a desktop
// too small for its programs' windows, and a wall of screens a framebuffer
// of gigabytes (Xvnc goes up to 16384 pixels a side). Outside the bounds
// the page scales the desktop instead.

/** The smallest desktop a station asks for. */
export const MIN_SIZE = { w: 640, h: 480 };
/** The largest: a 4K screen. */
export const MAX_SIZE = { w: 3840, h: 2160 };

/**
 * `size` brought within [`MIN_SIZE`, `MAX_SIZE`], in whole pixels.
 * @param {{ w: number, h: number }} size
 */
export function bounded({ w, h }) {
  return {
    w: Math.min(MAX_SIZE.w, Math.max(MIN_SIZE.w, Math.floor(w))),
    h: Math.min(MAX_SIZE.h, Math.max(MIN_SIZE.h, Math.floor(h))),
  };
}

/**
 * Makes `rfb` ask the desktop for its screen area's size within the bounds,
 * while it goes on scaling the picture to the real area. noVNC measures the
 * area in one method for both; during a resize request that measure is
 * the bounded one.
 * @param {import("@novnc/novnc").default} rfb
 */
export function boundRemoteSize(rfb) {
  const measure = rfb._screenSize.bind(rfb);
  const request = rfb._requestRemoteResize.bind(rfb);
  rfb._requestRemoteResize = () => {
    rfb._screenSize = () => bounded(measure());
    try {
      request();
    } finally {
      rfb._screenSize = measure;
    }
  };
}
