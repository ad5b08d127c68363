// Package chromium checks github.com/wsstack/websocket against Chromium's
// native WebSocket, and the chat page of ws serve --chat in Chromium.
//
// Everything is in the tests, which drive Debian's headless Chromium
// (/usr/bin/chromium) through the DevTools protocol with chromedp, with a
// fresh profile each time:
//
//   - TestChromiumClient serves a page whose script runs the interop
//     scenario (see interop/node) with the browser's own WebSocket against
//     our server: the subprotocol "superchat" selected from
//     "chat, superchat", permessage-deflate agreed (checked on both sides),
//     a short text, the bytes 0 to 255, 1 MiB of text and of binary, 100
//     small messages in order, and a close with 4000 "bye" that both sides
//     see as a clean close.
//   - TestChatPage builds the ws command, runs ws serve --chat, opens its
//     page in two tabs of one browser, sends a message from each through the
//     page's form, checks that both tabs show both messages, and saves a
//     screenshot of each tab: under $ARTIFACTS when that is set, else in the
//     test's artifact directory (kept with go test -artifacts). The paths
//     are printed.
//
// Chromium comes from Debian (apt-get install -y chromium fonts-liberation);
// the tests never download a browser. Without /usr/bin/chromium they are
// skipped, loudly, or fail when the environment variable CI is set.
//
//	cd interop && go test ./chromium -v
package chromium
