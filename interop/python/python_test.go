package python

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"testing"

	"github.com/wsstack/websocket/interop/internal/peerscenario"
)

// python is Debian's interpreter, the one python3-websockets installs for.
const python = "/usr/bin/python3"

// requirePython skips or fails the test unless python can import websockets.
func requirePython(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(python); err != nil {
		peerscenario.RequirePeer(t, python+" not found: install Debian's python3 and python3-websockets")
	}
	out, err := exec.Command(python, "-c", "import sys, websockets; print(websockets.__version__, sys.version.split()[0])").CombinedOutput()
	if err != nil {
		peerscenario.RequirePeer(t, fmt.Sprintf("%s cannot import websockets (%v: %s): apt-get install -y python3-websockets", python, err, bytes.TrimSpace(out)))
	}
	t.Logf("websockets and python: %s", bytes.TrimSpace(out))
}

// TestPythonClient runs the websockets client against our server.
func TestPythonClient(t *testing.T) {
	requirePython(t)
	ctx := peerscenario.Context(t)
	url, saw := peerscenario.StartOurServer(t)
	p := peerscenario.StartPeer(t, "python websockets client", python, "-B", "client.py", url)
	peerscenario.CheckPeerClient(t, ctx, p)
	peerscenario.CheckServerSaw(t, ctx, saw, "the websockets client")
}

// TestPythonServer runs our client against a websockets server.
func TestPythonServer(t *testing.T) {
	requirePython(t)
	ctx := peerscenario.Context(t)
	p := peerscenario.StartPeer(t, "python websockets server", python, "-B", "server.py")
	listening := p.ExpectLine(t, ctx, "event", "listening", nil)
	url := fmt.Sprintf("ws://127.0.0.1:%v/our-client", listening["port"])
	peerscenario.RunOurClient(t, ctx, url, "the websockets server")
	peerscenario.CheckPeerServer(t, ctx, p, "/our-client")
}
