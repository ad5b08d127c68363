// Package node checks github.com/wsstack/websocket against the WebSocket
// of Node.js's most used library, the npm package ws, in both directions:
// the ws client (client.js) against our server, and our client against a
// ws server (server.js), with permessage-deflate on.
//
// Everything is in the tests; the scripts run with the node found on PATH,
// and ws is installed in this directory from package-lock.json:
//
//	cd interop/node && npm ci
//	cd .. && go test ./node -v
//
// The scenario is the same for every peer (see interop/python): the
// subprotocol "superchat" selected from the client's "chat, superchat",
// permessage-deflate agreed (checked on both sides), a short text, the
// bytes 0 to 255, 1 MiB of text and 1 MiB of binary, 100 small messages
// echoed in order, and the client's close with 4000 "bye" that both sides
// see as a clean close. Without node or ws the tests are skipped, loudly,
// or fail when the environment variable CI is set.
package node
