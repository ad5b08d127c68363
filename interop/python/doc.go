// Package python checks github.com/wsstack/websocket against Python's
// websockets library, in both directions: the websockets client (client.py)
// against our server, and our client against a websockets server
// (server.py), with permessage-deflate on.
//
// Everything is in the tests. The scripts run with /usr/bin/python3, for
// which Debian's python3-websockets package installs the library (a python3
// found first on PATH, such as pyenv's, may not have it):
//
//	apt-get install -y python3-websockets
//	cd interop && go test ./python -v
//
// The scenario is the one of interop/node: the subprotocol "superchat"
// selected from "chat, superchat", permessage-deflate agreed (checked on both
// sides), a short text, the bytes 0 to 255, 1 MiB of text and 1 MiB of
// binary, 100 small messages echoed in order, and the client's close with
// 4000 "bye" that both sides see as a clean close. Without the interpreter
// or the library the tests are skipped, loudly, or fail when the environment
// variable CI is set.
package python
